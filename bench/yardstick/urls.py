from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

ITEMS = [
    {"number": n, "title": f"Item {n}", "summary": f"The summary of item {n}, in a sentence."}
    for n in range(1, 51)
]


def items(request: HttpRequest) -> HttpResponse:
    return render(request, "items.html", {"items": ITEMS})


urlpatterns = [path("", items)]
