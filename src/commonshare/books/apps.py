from django.apps import AppConfig


class BooksConfig(AppConfig):
    name = "commonshare.books"
    label = "books"
    verbose_name = "Books"
