"""The WebAuthn relying-party id, derived from the allowed hosts (no Django import: settings use it)."""

from __future__ import annotations

import ipaddress


def relying_party_id(allowed_hosts: list[str] | tuple[str, ...]) -> str:
    """The first allowed host that is a domain name; "localhost" when there is none.

    WebAuthn refuses IP addresses as RP IDs, and a wildcard names no domain. A leading dot
    (".example.org", Django's "this domain and its subdomains") gives the domain itself, so a
    passkey made at example.org also works at www.example.org.
    """
    for host in allowed_hosts:
        name = host.strip().lstrip(".").strip("[]").lower()
        if not name or "*" in name:
            continue
        try:
            ipaddress.ip_address(name)
        except ValueError:
            return name
    return "localhost"
