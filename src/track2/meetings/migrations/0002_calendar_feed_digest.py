"""Calendar feed secrets are stored as their SHA-256 only (audit of accounts, finding 3).

Each secret stored in clear is replaced by its digest, so existing feed addresses keep working:
the digest of the token in the URL matches. Backwards, a digest cannot be turned back into its
secret: every feed is switched off, and people make a new address on their calendar page."""

import hashlib

from django.db import migrations

DIGEST_LENGTH = 64  # hex SHA-256; a clear secret (secrets.token_urlsafe(32)) is 43 characters


def _is_digest(value: str) -> bool:
    return len(value) == DIGEST_LENGTH and all(c in "0123456789abcdef" for c in value)


def digest_the_secrets(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    stored = User.objects.exclude(calendar_token="").values_list("pk", "calendar_token")
    for pk, token in stored:
        if not _is_digest(token):  # a run stopped half-way leaves some done: never hash twice
            digest = hashlib.sha256(token.encode("utf-8")).hexdigest()
            User.objects.filter(pk=pk).update(calendar_token=digest)


def switch_every_feed_off(apps, schema_editor):
    apps.get_model("accounts", "User").objects.exclude(calendar_token="").update(calendar_token="")


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0001_meetings_own_app"),
        ("accounts", "0004_passkeys_recovery_codes"),
    ]

    operations = [migrations.RunPython(digest_the_secrets, switch_every_feed_off, elidable=False)]
