"""Finding the pictures and videos a web page shows or links to.

The page comes from the open internet, so it is read with the standard library's
forgiving HTML parser (unclosed tags, stray quotes and broken markup do not stop it) and
never rendered or run. What counts as a media reference:

* ``img`` ``src`` / ``srcset`` (and the lazy-loading ``data-src`` / ``data-srcset`` forms),
  ``picture`` > ``source`` ``srcset``, ``video`` ``src`` and ``poster``, ``video`` >
  ``source`` ``src``, ``input type=image``;
* ``og:image``, ``og:video``, ``twitter:image`` (and their variants) in ``meta`` tags,
  ``link rel=image_src``;
* ``url(...)`` in ``style`` attributes and ``<style>`` blocks (background images);
* ``a href`` pointing at a file whose name ends like a picture or video.

Only http(s) addresses are kept (``data:``, ``javascript:`` and friends are dropped),
relative ones are resolved against the page address (or its ``<base href>``), duplicates
are removed, and the list is capped: a page with thousands of links yields the first
``max_links`` of them and the count of the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

MEDIA_EXTENSIONS = frozenset(
    {
        ".jpg", ".jpeg", ".jfif", ".png", ".gif", ".webp", ".bmp", ".tif", ".tiff",
        ".heic", ".heif", ".avif", ".mp4", ".m4v", ".mov", ".webm", ".mkv", ".avi",
    }
)  # fmt: skip
META_MEDIA = frozenset(
    {
        "og:image", "og:image:url", "og:image:secure_url", "og:video", "og:video:url",
        "og:video:secure_url", "twitter:image", "twitter:image:src", "twitter:player:stream",
    }
)  # fmt: skip
DEFAULT_MAX_LINKS = 500
#: Phrases platforms show in place of removed content (checked by re-checks).
REMOVAL_PHRASES = (
    "content is no longer available",
    "content isn't available",
    "this content is not available",
    "page isn't available",
    "page is not available",
    "no longer available",
    "has been removed",
    "has been deleted",
    "was removed",
    "was deleted",
    "removed for violating",
    "account suspended",
    "account has been suspended",
    "video unavailable",
    "page not found",
    "this page doesn't exist",
    "content removed",
)
_CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]+))\s*\)""", re.IGNORECASE)
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
_TEXT_LIMIT = 20_000


@dataclass(frozen=True)
class MediaLink:
    url: str
    #: Where on the page it was found, e.g. "img srcset" or "meta og:image".
    via: str


@dataclass
class PageInfo:
    links: list[MediaLink] = field(default_factory=list)
    found: int = 0
    discarded: int = 0
    title: str = ""
    #: The start of the page's visible text, lower-cased and squeezed (for removal notices).
    text: str = ""
    base_url: str = ""

    def removal_signals(self) -> list[str]:
        haystack = f"{self.title.lower()} {self.text}"
        return [p for p in REMOVAL_PHRASES if p in haystack]


def parse_srcset(value: str) -> list[str]:
    """The image addresses of a ``srcset`` value (commas inside addresses are allowed)."""
    urls: list[str] = []
    pos, n = 0, len(value)
    while pos < n:
        while pos < n and (value[pos].isspace() or value[pos] == ","):
            pos += 1
        if pos >= n:
            break
        start = pos
        while pos < n and not value[pos].isspace():
            pos += 1
        url = value[start:pos]
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            depth = 0  # skip the descriptors up to the next comma outside parentheses
            while pos < n:
                ch = value[pos]
                if ch == "(":
                    depth += 1
                elif ch == ")" and depth:
                    depth -= 1
                elif ch == "," and not depth:
                    pos += 1
                    break
                pos += 1
        if url:
            urls.append(url)
    return urls


def css_urls(text: str) -> list[str]:
    return [next(g for g in m.groups() if g is not None) for m in _CSS_URL.finditer(text)]


def looks_like_media_address(url: str) -> bool:
    path = urlsplit(url).path.lower()
    dot = path.rfind(".")
    return dot != -1 and path[dot:] in MEDIA_EXTENSIONS


def page_charset(body: bytes, declared_type: str | None) -> str:
    if declared_type and "charset=" in declared_type.lower():
        value = declared_type.lower().split("charset=", 1)[1].split(";")[0].strip(" \"'")
        if value:
            return value
    if body.startswith(b"\xef\xbb\xbf"):
        return "utf-8"
    if body[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    found = _CHARSET.search(body[:4096])
    return found.group(1).decode("ascii") if found else "utf-8"


def decode_page(body: bytes, declared_type: str | None) -> str:
    charset = page_charset(body, declared_type)
    try:
        return body.decode(charset, errors="replace")
    except LookupError:  # an unknown charset name from the page itself
        return body.decode("utf-8", errors="replace")


class _Collector(HTMLParser):
    def __init__(self, page_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base = page_url
        self.base_set = False
        self.raw: list[tuple[str, str]] = []
        self.title_parts: list[str] = []
        self.text_parts: list[str] = []
        self.text_len = 0
        self._in: list[str] = []

    # tags ----------------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, attrs)
        if tag in ("title", "style", "script", "noscript", "template"):
            self._in.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._in:
            while self._in and self._in.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        where = self._in[-1] if self._in else ""
        if where == "style":
            self.raw.extend((u, "style block url()") for u in css_urls(data))
        elif where == "title":
            self.title_parts.append(data)
        elif where not in ("script", "noscript", "template") and self.text_len < _TEXT_LIMIT:
            self.text_parts.append(data)
            self.text_len += len(data)

    def _tag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a: dict[str, str] = {}
        for key, value in attrs:
            if value is not None:
                a.setdefault(key.lower(), value)  # as browsers do: the first one counts
        add = self.raw.append
        if tag == "base" and "href" in a and not self.base_set:
            self.base = urljoin(self.base, a["href"].strip())
            self.base_set = True
        is_image_input = tag == "input" and a.get("type", "").lower() == "image"
        if tag in ("img", "source", "video") or is_image_input:
            for key in ("src", "data-src", "data-lazy-src", "data-original"):
                if key in a:
                    add((a[key], f"{tag} {key}"))
            for key in ("srcset", "data-srcset"):
                if key in a:
                    self.raw.extend((u, f"{tag} {key}") for u in parse_srcset(a[key]))
            if "poster" in a:
                add((a["poster"], f"{tag} poster"))
        elif tag == "meta":
            name = (a.get("property") or a.get("name") or "").strip().lower()
            if name in META_MEDIA and a.get("content"):
                add((a["content"], f"meta {name}"))
        elif tag == "link":
            rels = a.get("rel", "").lower().split()
            if "image_src" in rels and "href" in a:
                add((a["href"], "link image_src"))
        elif tag == "a" and "href" in a and looks_like_media_address(a["href"].strip()):
            add((a["href"], "a href"))
        if "style" in a:
            self.raw.extend((u, f"{tag} style url()") for u in css_urls(a["style"]))


def parse_page(
    body: bytes, page_url: str, declared_type: str | None, max_links: int = DEFAULT_MAX_LINKS
) -> PageInfo:
    """The media a page references (at most ``max_links``), its title and visible text."""
    collector = _Collector(page_url)
    try:
        collector.feed(decode_page(body, declared_type))
        collector.close()
    except (AssertionError, ValueError):
        pass  # whatever was collected before the parser gave up still counts
    info = PageInfo(
        title=_SPACE.sub(" ", "".join(collector.title_parts)).strip(),
        text=_SPACE.sub(" ", " ".join(collector.text_parts)).strip().lower()[:_TEXT_LIMIT],
        base_url=collector.base,
    )
    seen: set[str] = set()
    for raw_url, via in collector.raw:
        url = _absolute(collector.base, raw_url)
        if url is None or url in seen or url == page_url:
            continue
        seen.add(url)
        info.found += 1
        if len(info.links) < max_links:
            info.links.append(MediaLink(url, via))
    info.discarded = info.found - len(info.links)
    return info


def _absolute(base: str, raw: str) -> str | None:
    text = raw.strip().replace("\n", "").replace("\r", "").replace("\t", "")
    if not text:
        return None
    try:
        url = urljoin(base, text)
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return parts._replace(fragment="").geturl()
