"""HTML to print-quality PDF, one small step shared by every report that offers a PDF.

WeasyPrint lays out the HTML and CSS itself (no browser): HarfBuzz shapes Arabic and other joined
scripts, the Unicode bidirectional algorithm orders right-to-left runs, and fontconfig falls back
to the Noto fonts Debian installs (fonts-noto-core, fonts-noto-cjk) for Cyrillic, Arabic and CJK.
Nothing is fetched from the network: only URLs under `base_url` on the local disk resolve, so a
document's text cannot make the server request an outside address.
"""

from __future__ import annotations

import functools
from pathlib import Path

# The font families tried in order; fontconfig picks, glyph by glyph, the first that covers it.
FONT_STACK = (
    '"Noto Sans", "Noto Sans Arabic", "Noto Sans Hebrew", "Noto Sans CJK SC", '
    '"Noto Sans CJK JP", "DejaVu Sans", sans-serif'
)


class PdfRefused(ValueError):
    """The HTML asked for a resource the PDF step does not fetch (anything but a local file)."""


@functools.cache
def _weasyprint():
    """WeasyPrint, imported on the first PDF: importing it takes about a second, which every
    `track2` command and server process paid at start although few of them make a PDF."""
    from weasyprint import HTML, URLFetcher
    from weasyprint.urls import FatalURLFetchingError

    class LocalOnly(URLFetcher):
        """Fetches data: URLs and files under one folder; anything else stops the rendering."""

        def __init__(self, base: Path | None):
            super().__init__(allowed_protocols={"file", "data"}, fail_on_errors=True)
            self._base = base

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if self._base is not None and url.startswith("file://"):
                target = Path(url.removeprefix("file://").split("?")[0]).resolve()
                if target.is_relative_to(self._base):
                    return super().fetch(url, headers)
            raise PdfRefused(f"not fetched while making a PDF: {url[:200]}")

    return HTML, LocalOnly, FatalURLFetchingError


def render_pdf(html: str, base_url: str | Path | None = None) -> bytes:
    """The PDF of `html`; relative URLs resolve under `base_url` (a local folder), nothing else
    loads. Raises PdfRefused when the HTML asks for anything else."""
    HTML, LocalOnly, FatalURLFetchingError = _weasyprint()
    base = Path(base_url).resolve() if base_url is not None else None
    document = HTML(
        string=html,
        base_url=str(base) + "/" if base is not None else None,
        url_fetcher=LocalOnly(base),
    )
    try:
        return document.write_pdf()
    except FatalURLFetchingError as refused:
        raise PdfRefused(str(refused.__cause__ or refused)) from None
