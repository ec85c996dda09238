"""Members of the productive community and their API tokens."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models

from commonshare.community.vocab import (
    AVAILABILITY_MAX,
    BIO_MAX,
    DISPLAY_NAME_MAX,
    NAME_KEY_MAX,
    PRONOUNS_MAX,
    TIME_ZONE_MAX,
    TOKEN_DIGEST_LENGTH,
    TOKEN_NAME_MAX,
    TOKEN_PREFIX_LENGTH,
    normalise_email,
)
from commonshare.core.names import keys as name_keys
from commonshare.errors import Forbidden

NO_SUPERUSER = (
    "Commonshare has no superusers or staff accounts: nobody may edit the tables around the "
    "community's rules. Join as a member instead: `commonshare member join` or the sign-up page."
)
NOBODY_SIGNS_IN_FOR_A_MEMBER = (
    "Commonshare lets nobody set a member's password for them: acting as a member without "
    "their knowledge would leave no trace. A member's password is chosen when they join; "
    "a forgotten one is reset by the member, through the link mailed to their address "
    '(the log-in page\'s "Forgotten your password?", or POST /api/members/password-reset). '
    "To act for a member "
    "openly, use `commonshare ... --as EMAIL`, whose events say `via: cli`."
)
NO_LOADDATA = (
    "Commonshare refuses loaddata: fixtures would write rows with no service, rule or audit "
    "event. Rows are written only through the services; `commonshare demo` makes sample data."
)


class MemberManager(BaseUserManager["Member"]):
    def create_user(self, email: str, password: str | None = None, **fields: Any) -> Member:
        member = self.model(email=normalise_email(email), **fields)
        member.set_password(password)
        member.save(using=self._db)
        return member

    def get_by_natural_key(self, username: str | None) -> Member:
        """The member Django's sign-in looks up, found by the one email normalisation."""
        return self.get(email=normalise_email(username))

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> Member:
        """There are no superusers: authority comes only from trust levels and decisions."""
        raise Forbidden(NO_SUPERUSER)


class Member(AbstractBaseUser, PermissionsMixin):
    """A person in the community. Joining needs nobody's approval; leaving keeps history."""

    email = models.EmailField(unique=True)
    display_name = models.CharField(max_length=DISPLAY_NAME_MAX)
    # The display name's comparison keys (commonshare.core.names): the service refuses a
    # name whose key another current member holds. Indexed, not unique, so that names
    # shared before the rule existed survive the migration that fills them.
    name_fold = models.CharField(max_length=NAME_KEY_MAX, blank=True, db_index=True)
    name_look = models.CharField(max_length=NAME_KEY_MAX, blank=True, db_index=True)
    name_shape = models.CharField(max_length=NAME_KEY_MAX, blank=True, db_index=True)
    bio = models.TextField(blank=True, max_length=BIO_MAX)
    pronouns = models.CharField(max_length=PRONOUNS_MAX, blank=True)
    skills = models.JSONField(default=list, blank=True)
    links = models.JSONField(default=list, blank=True)
    time_zone = models.CharField(max_length=TIME_ZONE_MAX, blank=True)
    availability = models.CharField(max_length=AVAILABILITY_MAX, blank=True)
    joined_at = models.DateTimeField(auto_now_add=True)
    left_at = models.DateTimeField(null=True, blank=True)
    # Set when the member follows the link mailed to their address; trust level 1 asks it.
    email_verified_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True, help_text="May sign in (kept after leaving).")
    # Kept as columns (and ``is_superuser`` from PermissionsMixin) only so that no migration is
    # needed; they mean nothing in the product: nothing reads them and nothing sets them.
    is_staff = models.BooleanField(default=False)

    objects: ClassVar[MemberManager] = MemberManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["display_name"]

    class Meta:
        # Keyset pages (commonshare.paging) walk these from the cursor's row.
        indexes = [
            models.Index(fields=["display_name", "id"], name="member_name"),
        ]
        ordering = ["display_name", "id"]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The keys derive from the name alone, so they are kept with it here; the rule that
        # uses them is the services' (``check_display_name``).
        self.name_fold, self.name_look, self.name_shape = name_keys(self.display_name)
        fields = kwargs.get("update_fields")
        if fields is not None and "display_name" in fields:
            kwargs["update_fields"] = {*fields, "name_fold", "name_look", "name_shape"}
        super().save(*args, **kwargs)

    @property
    def is_current(self) -> bool:
        """Still in the community: can claim work and be drawn as a reviewer."""
        return self.left_at is None


class Avatar(models.Model):
    """A member's uploaded picture, as re-encoded by the server (never the uploaded bytes).

    Kept in the database, so it is served by the member's number, with no file path."""

    member = models.OneToOneField(Member, on_delete=models.CASCADE, related_name="avatar")
    image = models.BinaryField()
    content_type = models.CharField(max_length=32)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"avatar of member {self.member_id}"


class ApiToken(models.Model):
    """A bearer token for the API; only its SHA-256 is stored."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=TOKEN_NAME_MAX)
    digest = models.CharField(max_length=TOKEN_DIGEST_LENGTH, unique=True)
    prefix = models.CharField(max_length=TOKEN_PREFIX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # A member's tokens, newest first, by keyset (commonshare.paging).
        indexes = [
            models.Index(fields=["member", "-created_at", "-id"], name="token_member_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
