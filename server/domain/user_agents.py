"""A browser and its system in a few words ("Chrome on Linux"), from a User-Agent header, for
the sessions page. A handful of ordered checks is all a person needs to recognise their own
devices; a full parser (ua-parser's regex database) would be a dependency for detail nobody
reads here. Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari", iOS
also says "Mac OS X", Android also says "Linux".
"""

from __future__ import annotations

import re

UNKNOWN = "Unknown browser"

BROWSERS = (
    (("Edg/", "EdgA/", "EdgiOS/"), "Edge"),
    (("OPR/", "Opera"), "Opera"),
    (("SamsungBrowser/",), "Samsung Internet"),
    (("Firefox/", "FxiOS/"), "Firefox"),
    (("CriOS/", "Chrome/", "HeadlessChrome/"), "Chrome"),
    (("Chromium/",), "Chromium"),
)
SYSTEMS = (
    (("iPhone", "iPad", "iPod"), "iOS"),
    (("Android",), "Android"),
    (("CrOS",), "ChromeOS"),
    (("Windows",), "Windows"),
    (("Macintosh", "Mac OS X"), "macOS"),
    (("Linux", "X11"), "Linux"),
)
# A program that is no browser names itself first: "curl/8.5.0", "python-httpx/0.28.1".
PRODUCT = re.compile(r"^([A-Za-z][A-Za-z0-9._-]{0,39})/")


def _first(header: str, table) -> str | None:
    for needles, name in table:
        if any(needle in header for needle in needles):
            return name
    return None


def describe(header: str | None) -> str:
    """ "Firefox on Windows", "Safari on iOS", "curl"... or "Unknown browser"."""
    if not header:
        return UNKNOWN
    browser = _first(header, BROWSERS)
    if browser is None and "Safari/" in header and "Version/" in header:
        browser = "Safari"
    system = _first(header, SYSTEMS)
    if browser is None:
        if system is None:
            product = PRODUCT.match(header)
            return product.group(1) if product and product.group(1) != "Mozilla" else UNKNOWN
        browser = "A browser"
    return f"{browser} on {system}" if system else browser
