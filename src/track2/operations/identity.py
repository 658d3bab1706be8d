"""The site's identity: binds backups and key shares to the site they came from."""

from __future__ import annotations

from track2.operations.models import SiteIdentity


def site_id() -> str:
    identity = SiteIdentity.objects.order_by("pk").first()
    if identity is None:
        identity = SiteIdentity.objects.create()
    return str(identity.site_id)
