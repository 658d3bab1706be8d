"""Accounts: who can sign in. Identity details about people live in `people`, not here."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

# Imported here too because migration 0001 names it by this path.
from track2.time_zones import validate_time_zone


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields: object) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields: object) -> User:
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> User:
        fields["is_staff"] = True
        fields["is_superuser"] = True
        return self._create(email, password, **fields)


class User(AbstractUser):
    """A person who can sign in. Signs in with an e-mail address, not a user name."""

    username = None  # type: ignore[assignment]  # e-mail is the sign-in name
    email = models.EmailField(_("e-mail address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=200, blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    # Base32 TOTP secret; empty when two-factor sign-in is off.
    totp_secret = models.CharField(max_length=64, blank=True, editable=False)
    # The last accepted TOTP time step, so one code cannot be used twice.
    totp_last_step = models.BigIntegerField(default=0, editable=False)
    # SHA-256 (hex) of the secret in the private iCalendar feed URL, which is shown once; empty
    # while the feed is off (meetings.actions).
    calendar_token = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    # Changed by "sign out everywhere": every session signed with the old value stops working.
    session_epoch = models.CharField(max_length=32, blank=True, editable=False)
    # Set when a day's wrong 6-digit codes reached the limit (someone holds the password and is
    # guessing): codes are refused until a password reset clears it. Recovery codes and passkeys,
    # which cannot be guessed, still work.
    codes_refused_at = models.DateTimeField(null=True, blank=True, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()  # type: ignore[misc]  # e-mail sign-in needs its own manager; stubs want the username one

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.display_name or self.email

    @property
    def has_two_factor(self) -> bool:
        return bool(self.totp_secret)

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        # Django ends sessions when this hash changes (it covers the password hash). Mixing in the
        # epoch lets "sign out everywhere" end them without a password change; an empty epoch
        # gives Django's own hash, so sessions of before this field keep working.
        if not self.session_epoch:
            return super()._get_session_auth_hash(secret=secret)
        return salted_hmac(
            "track2.accounts.User.session_auth_hash",
            f"{self.password}|{self.session_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 digest is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    # The first characters after the "t2_" marker: lets a user recognise a token in a list
    # and lets us find the row without comparing digests of every token.
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} (t2_{self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class SignInAttempt(models.Model):
    """One counted password, code or reset attempt, kept for its window (accounts.throttle).

    Keys are keyed digests, never an address or an e-mail in clear."""

    class Kind(models.TextChoices):
        ACCOUNT = "account"
        ACCOUNT_ADDRESS = "account-address"
        ADDRESS = "address"
        SECOND_STEP = "second-step"
        RESET_ACCOUNT = "reset-account"
        RESET_ADDRESS = "reset-address"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    key_digest = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["kind", "key_digest", "at"], name="accounts_lo_kind_544485_idx")
        ]

    def __str__(self) -> str:
        return f"{self.kind} attempt at {self.at:%Y-%m-%d %H:%M}"


class AttemptLock(models.Model):
    """One row per throttled key: updating it serialises the reservations of that key."""

    kind = models.CharField(max_length=16, choices=SignInAttempt.Kind.choices)
    key_digest = models.CharField(max_length=64)
    touched_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "key_digest"], name="one_lock_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.kind} lock"


class RecoveryCode(models.Model):
    """A one-time code for the second sign-in step when the phone or passkey is lost.

    Only a SHA-256 digest is kept. A fast hash is enough here, unlike for passwords: each code
    carries 80 random bits from the operating system, so guessing it from a stolen digest
    means about 2^79 hashes on average, beyond any attacker's budget; Argon2's slowness only
    buys time for secrets people choose, which have far less entropy.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "digest"])]

    def __str__(self) -> str:
        return f"recovery code of {self.user_id} ({'used' if self.used_at else 'unused'})"


class Passkey(models.Model):
    """A WebAuthn credential (passkey or security key) registered by its owner."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="passkeys")
    name = models.CharField(max_length=100)
    # base64url of the credential id the authenticator chose (at most 1,023 bytes by the spec).
    credential_id = models.CharField(max_length=1400, unique=True)
    # COSE-encoded public key, as the authenticator gave it at registration.
    public_key = models.BinaryField()
    sign_count = models.PositiveBigIntegerField(default=0)
    # The WebAuthn user handle: random, the same for every passkey of one account, so that
    # an authenticator never learns the e-mail address or the database id.
    user_handle = models.CharField(max_length=100)
    transports = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.name
