"""sitemap.xml: every HTML page but the 404, as paths under `base_path`.

The sitemap protocol wants absolute URLs, but okrsite does not know the host, so
each <loc> is the page's absolute path (`base_path` + URL); a crawler resolves it
against the sitemap's own address.
"""

from __future__ import annotations

from urllib.parse import quote
from xml.sax.saxutils import escape

from okrsite import urls

SAFE = "/-._~!$'()*+,;=:@"  # kept as is in a URL path; the rest is percent-encoded


def sitemap(page_urls: list[str], base_path: str) -> bytes:
    base = base_path if base_path.startswith("/") else "/" + base_path
    if not base.endswith("/"):
        base += "/"
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for url in sorted({u for u in page_urls if u.endswith(".html") and u != urls.NOT_FOUND}):
        loc = escape(quote(base + url, safe=SAFE))
        lines.append(f"  <url><loc>{loc}</loc></url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")
