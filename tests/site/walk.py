"""Walk the demo site as one person: every page reachable by following links, GET only.

Used by the page tests (titles, wording) and the browser tests (layout at 375 px, axe-core),
so that a page added later is checked without anyone listing it.
"""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urldefrag, urlsplit

# Links that are not pages: downloads, the admin (Django's own pages), the API, signing out.
NOT_PAGES = re.compile(
    r"^/(api/|admin/|static/|accounts/logout)|\.(ics|csv|json)$|/export(/|$)|/calendar/feed/"
)
HREF = re.compile(r'<a\b[^>]*\bhref="([^"]+)"', re.IGNORECASE)


def links_of(html: str) -> list[str]:
    found = []
    for href in HREF.findall(html):
        href = urldefrag(unescape(href))[0]
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if not NOT_PAGES.search(parts.path):
            found.append(path)
    return found


def kind_of(path: str) -> str:
    """A page's kind: its path with the ids taken out (/dialogues/N/people/N/)."""
    return re.sub(r"\d+", "N", path)


def walk(
    client, start: str = "/", limit: int = 200, per_kind: int | None = None
) -> dict[str, object]:
    """Every HTML page reachable from `start` by a signed-in Django test client: {path: response}.
    With `per_kind`, at most that many pages of each kind (e.g. two people's pages, not thirty)."""
    seen: dict[str, object] = {}
    kinds: dict[str, int] = {}
    queue = [start]
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        if per_kind is not None:
            if kinds.get(kind_of(path), 0) >= per_kind:
                continue
            kinds[kind_of(path)] = kinds.get(kind_of(path), 0) + 1
        response = client.get(path)
        seen[path] = response
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            queue.extend(link for link in links_of(response.content.decode()) if link not in seen)
    return seen


def html_pages(visited):
    """The site's own pages: a downloaded export (an outcome document as HTML, say) is a
    standalone file under its own title, not a page of the site."""
    return {
        path: r
        for path, r in visited.items()
        if r.status_code == 200
        and r["Content-Type"].startswith("text/html")
        and not r.get("Content-Disposition", "").startswith("attachment")
    }
