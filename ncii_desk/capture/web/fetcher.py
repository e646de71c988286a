"""The fetcher: address checks, redirects, content encodings, and errors in plain words."""

from __future__ import annotations

import http.cookiejar
import re
import ssl
import urllib.request
import zlib
from collections.abc import Iterator

import httpcore
import httpx

from ncii_desk.capture.web.exchange import (
    ALLOWED_SCHEMES,
    MEDIA_ACCEPT,
    PAGE_ACCEPT,
    READ_CHUNK,
    REDIRECT_CODES,
    Exchange,
    Expect,
    Fetched,
    FetchOptions,
    _size_text,
    certificate_info,
    utcnow,
)
from ncii_desk.capture.web.network import (
    AddressRefused,
    _Clock,
    _DeadlineExceeded,
    _GuardedBackend,
    _LookupTimeout,
    _NameNotFound,
    _NoCookies,
    _Transport,
)
from ncii_desk.errors import CaptureError
from ncii_desk.media.loader import media_kind
from ncii_desk.media.sniff import SNIFF_BYTES, sniff_mime

# --- errors in plain words --------------------------------------------------------------------


def _host(url: str) -> str:
    try:
        return httpx.URL(url).host or url
    except httpx.InvalidURL:
        return url


def _cause_chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        yield cur
        cur = cur.__cause__ or cur.__context__


def _explain(exc: BaseException, url: str, options: FetchOptions) -> CaptureError:
    """Turn a network failure into the plain-language error for this address."""
    host = _host(url)
    if isinstance(exc, CaptureError):
        return exc
    if isinstance(exc, _DeadlineExceeded):
        return CaptureError(
            "deadline",
            f"The download from {host} took longer than the limit of "
            f"{options.total_timeout:g} seconds, so it was stopped and nothing of it was kept.",
            "The server is very slow or sends data deliberately slowly. Try again later; the "
            "other addresses of the batch are not affected.",
        )
    if isinstance(exc, _NameNotFound):
        return CaptureError(
            "dns",
            f"The website name '{exc.host}' could not be found (the name lookup failed).",
            "Check the address for typing mistakes and that this computer is online. A site "
            "that was taken down may have no name any more: note the time of this attempt.",
        )
    if isinstance(exc, _LookupTimeout):
        return CaptureError(
            "dns",
            f"Looking up the website name '{exc.host}' took too long.",
            "Check that this computer is online, then try again.",
        )
    for link in _cause_chain(exc):
        if isinstance(link, ssl.SSLCertVerificationError):
            detail = link.verify_message or link.reason or "not trusted"
            return CaptureError(
                "tls",
                f"The security certificate of {host} could not be verified ({detail}).",
                "Someone may be intercepting the connection, or the site uses a self-made or "
                "expired certificate. Only if you trust this network, capture again with "
                "--insecure-tls; that choice is recorded with the capture.",
            )
        if isinstance(link, ssl.SSLError):
            return CaptureError(
                "tls",
                f"A secure (TLS) connection to {host} could not be set up ({link.reason or link}).",
                "The site's security settings may be outdated or the connection is being "
                "interfered with. Try again later or from another network.",
            )
    if isinstance(exc, httpcore.ConnectTimeout):
        return CaptureError(
            "connect-timeout",
            f"The server at {host} did not answer within {options.connect_timeout:g} seconds.",
            "The site may be down or blocked on this network. Try again later.",
        )
    if isinstance(exc, httpcore.ReadTimeout | httpcore.WriteTimeout | httpcore.PoolTimeout):
        return CaptureError(
            "read-timeout",
            f"The server at {host} stopped sending data for more than "
            f"{options.read_timeout:g} seconds.",
            "The site may be overloaded. Try again later.",
        )
    if isinstance(exc, httpcore.ConnectError):
        detail = next(
            (
                link.strerror
                for link in _cause_chain(exc)
                if isinstance(link, OSError) and link.strerror
            ),
            str(exc) or "the connection failed",
        )
        return CaptureError(
            "unreachable",
            f"The server at {host} could not be reached ({detail}).",
            "The site may be down, or blocked on this network. Try again later and note the "
            "time of this attempt.",
        )
    if isinstance(exc, httpcore.ProtocolError | httpcore.NetworkError | httpx.HTTPError):
        return CaptureError(
            "network",
            f"The connection to {host} broke off ({type(exc).__name__}: {exc or 'no detail'}).",
            "Try again later; if it keeps happening the server may be misbehaving on purpose.",
        )
    return CaptureError(
        "network",
        f"The connection to {host} failed ({type(exc).__name__}).",
        "Try again later.",
    )


_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):(?!\d)")


def normalise_address(text: str) -> str:
    """An address as typed or pasted; ``www.site.com/x`` gets the ``https://`` it lacks."""
    text = text.strip()
    if text.startswith("//"):
        return "https:" + text
    if _SCHEME.match(text) is None and text and not text.startswith("/"):
        return "https://" + text
    return text


def check_url(url: str) -> httpx.URL:
    """The address as httpx reads it, if it is a web address NCII Desk may fetch."""
    text = url.strip()
    found = _SCHEME.match(text)
    scheme = found.group(1).lower() if found else ""
    if scheme not in ALLOWED_SCHEMES:
        shown = f"'{scheme}:' addresses" if scheme else "Addresses without http:// or https://"
        raise CaptureError(
            "scheme",
            f"{shown} cannot be captured; only web addresses (http:// or https://) can.",
            "Copy the address from the browser's address bar; it starts with https://.",
        )
    try:
        parsed = httpx.URL(text)
    except httpx.InvalidURL as exc:
        raise CaptureError(
            "bad-url",
            f"'{text[:200]}' is not a web address NCII Desk can read ({exc}).",
            "Copy the address from the browser's address bar; it starts with https://.",
        ) from None
    if parsed.scheme not in ALLOWED_SCHEMES or not parsed.host:
        raise CaptureError(
            "bad-url",
            f"'{text[:200]}' is not a complete web address.",
            "Copy the address from the browser's address bar; it starts with https://.",
        )
    return parsed.copy_with(fragment=None)


# --- content encodings ------------------------------------------------------------------------


def _decode_body(raw: bytes, encoding: str | None, limit: int) -> bytes:
    """Undo gzip/deflate (as a browser does) with a cap against decompression bombs."""
    if not encoding:
        return raw
    data = raw
    for enc in reversed([e.strip().lower() for e in encoding.split(",") if e.strip()]):
        if enc in ("identity", ""):
            continue
        if enc in ("gzip", "x-gzip", "deflate"):
            wbits = zlib.MAX_WBITS | 32 if enc != "deflate" else zlib.MAX_WBITS
            try:
                data = _inflate(data, wbits, limit)
            except zlib.error:
                if enc != "deflate":
                    raise
                data = _inflate(data, -zlib.MAX_WBITS, limit)  # raw deflate, seen in the wild
            continue
        raise CaptureError(
            "encoding",
            f"The server packed the content in a way NCII Desk cannot unpack ('{enc}').",
            "The raw response is still in the capture's WARC file.",
        )
    return data


def _inflate(data: bytes, wbits: int, limit: int) -> bytes:
    d = zlib.decompressobj(wbits)
    out = bytearray()
    chunk = data
    while chunk:
        out += d.decompress(chunk, limit + 1 - len(out))
        if len(out) > limit:
            raise CaptureError(
                "too-large",
                f"Unpacked, the content is larger than the limit of {_size_text(limit)}, so it "
                "was not kept.",
                "Raise the size limit (--max-bytes) if this content is needed.",
            )
        chunk = d.unconsumed_tail
    out += d.flush()
    return bytes(out)


def _looks_like_media(sniffed: str) -> bool:
    return media_kind(sniffed) is not None


# --- the fetcher -------------------------------------------------------------------------------


class Fetcher:
    """Fetches addresses one after the other under :class:`FetchOptions`; use as a context."""

    def __init__(self, options: FetchOptions | None = None) -> None:
        self.options = options = options or FetchOptions()
        self._clock = _Clock()
        backend = _GuardedBackend(
            self._clock,
            allow_private=options.allow_private_addresses,
            allowed=options.allowed_networks,
        )
        proxy_backend = _GuardedBackend(self._clock)
        if options.verify_tls:
            context = httpx.create_ssl_context(verify=True, trust_env=options.trust_env)
        else:
            context = httpx.create_ssl_context(verify=False)
        proxies = urllib.request.getproxies() if options.trust_env else {}
        self._transport = _Transport(context, backend, proxies, proxy_backend)
        jar = http.cookiejar.CookieJar(
            policy=http.cookiejar.DefaultCookiePolicy() if options.cookies else _NoCookies()
        )
        self._client = httpx.Client(
            transport=self._transport,
            follow_redirects=False,
            trust_env=False,  # proxies are chosen by the transport; ~/.netrc is never read
            cookies=jar,
            timeout=httpx.Timeout(
                connect=options.connect_timeout,
                read=options.read_timeout,
                write=options.read_timeout,
                pool=options.connect_timeout,
            ),
            headers={
                "User-Agent": options.user_agent,
                "Accept-Language": "en-US,en;q=0.9",
                "Accept-Encoding": "gzip, deflate",
            },
        )

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def fetch(self, url: str, *, expect: Expect = "any", referer: str | None = None) -> Fetched:
        """Fetch one address (following redirects); errors are returned, never raised."""
        opts = self.options
        result = Fetched(
            requested_url=url,
            started_at=utcnow(),
            tls_verified=opts.verify_tls,
            user_agent=opts.user_agent,
        )
        self._clock.start(opts.total_timeout)
        try:
            current = check_url(url)
            seen = {str(current)}
            while True:
                result.proxy = _without_credentials(self._transport.proxy_for(current))
                ex = self._exchange(current, expect, referer, result)
                location = ex.header("location")
                if ex.status in REDIRECT_CODES and location:
                    current = self._next_hop(current, location, seen, result)
                    continue
                break
            self._finish(result, ex, expect)
        except Exception as exc:  # every failure becomes this address's own error
            if isinstance(exc, MemoryError):
                raise
            result.error = _explain(exc, url, opts)
            result.body = None
        finally:
            result.ended_at = utcnow()
            self._clock.deadline = float("inf")
        return result

    def _next_hop(
        self, current: httpx.URL, location: str, seen: set[str], result: Fetched
    ) -> httpx.URL:
        hops = len(result.exchanges)
        try:
            nxt = current.join(location.strip())
        except httpx.InvalidURL:
            raise CaptureError(
                "bad-redirect",
                f"The server redirected to an address that cannot be read ('{location[:200]}').",
                "Open the address in a browser to see where it leads, and capture that one.",
            ) from None
        if nxt.scheme not in ALLOWED_SCHEMES:
            raise CaptureError(
                "scheme",
                f"The server redirected to a '{nxt.scheme}:' address, which is not a web page "
                "and is not followed.",
                "Open the address in a browser to see where it leads.",
            )
        nxt = nxt.copy_with(fragment=None)
        if str(nxt) in seen:
            raise CaptureError(
                "redirect-loop",
                f"The address redirects in a loop (back to an address already visited after "
                f"{hops} step(s)) and never reaches any content.",
                "The site may be broken or may be refusing automated visits. Try again later, "
                "or open it in a browser.",
            )
        if hops > self.options.max_redirects:
            raise CaptureError(
                "too-many-redirects",
                f"The address redirected more than {self.options.max_redirects} times without "
                "reaching any content.",
                "Open the address in a browser to see where it leads, and capture that one.",
            )
        seen.add(str(nxt))
        return nxt

    def _exchange(
        self, url: httpx.URL, expect: Expect, referer: str | None, result: Fetched
    ) -> Exchange:
        headers = {"Accept": MEDIA_ACCEPT if expect == "media" else PAGE_ACCEPT}
        if referer:
            headers["Referer"] = referer
        request = self._client.build_request("GET", url, headers=headers)
        ex = Exchange(
            url=str(url),
            request_line=f"GET {request.url.raw_path.decode('ascii')} HTTP/1.1",
            request_headers=[
                (k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw
            ],
            started_at=utcnow(),
        )
        result.exchanges.append(ex)
        try:
            response = self._client.send(request, stream=True)
        except AddressRefused as refused:
            ex.refused = refused.message
            ex.server_address, ex.server_port = refused.address, url.port
            ex.ended_at = utcnow()
            raise
        try:
            ex.status = response.status_code
            ex.reason = response.reason_phrase
            ex.http_version = response.http_version
            ex.response_headers = [
                (k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw
            ]
            stream = response.extensions.get("network_stream")
            if stream is not None:
                addr = stream.get_extra_info("server_addr")
                if addr:
                    ex.server_address, ex.server_port = str(addr[0]), int(addr[1])
                if url.scheme == "https":
                    ex.tls = certificate_info(stream.get_extra_info("ssl_object"))
            ex.raw_body = self._read_capped(response, ex)
            ex.complete = True
        finally:
            response.close()
            ex.ended_at = utcnow()
        return ex

    def _read_capped(self, response: httpx.Response, ex: Exchange) -> bytes:
        limit = self.options.max_bytes
        declared = ex.header("content-length")
        if declared and declared.strip().isdigit() and int(declared) > limit:
            raise self._too_large(int(declared), ex.url)
        body = bytearray()
        for chunk in response.iter_raw(READ_CHUNK):
            body += chunk
            if len(body) > limit:
                raise self._too_large(None, ex.url)
        return bytes(body)

    def _too_large(self, declared: int | None, url: str) -> CaptureError:
        size = f" (it says {_size_text(declared)})" if declared else ""
        return CaptureError(
            "too-large",
            f"The content at this address is larger than the limit of "
            f"{_size_text(self.options.max_bytes)}{size}; the download was stopped and "
            "nothing of it was kept.",
            "If the content is needed, capture it again with a higher --max-bytes.",
        )

    def _finish(self, result: Fetched, ex: Exchange, expect: Expect) -> None:
        assert ex.status is not None
        if not 200 <= ex.status < 300:
            raise CaptureError(
                "http-status",
                f"The server answered {ex.status} {ex.reason} instead of the content.".replace(
                    "  ", " "
                ),
                "404 and 410 mean the content is not (or no longer) there; 403 or 429 can mean "
                "the site refuses automated visits. Check the address in a browser.",
            )
        result.content_encoding = ex.header("content-encoding")
        body = _decode_body(ex.raw_body, result.content_encoding, self.options.max_bytes)
        result.sniffed_type = sniff_mime(body[:SNIFF_BYTES])
        if expect == "media":
            if not body:
                raise CaptureError(
                    "not-media",
                    "An image or video was expected here, but the server sent nothing.",
                    "The picture may have been removed. The other resources of the page are "
                    "not affected.",
                )
            if not _looks_like_media(result.sniffed_type):
                what = _describe_content(body, result.sniffed_type, result.declared_type)
                raise CaptureError(
                    "not-media",
                    f"An image or video was expected here, but the server sent {what}.",
                    "The picture may have been removed or replaced by a page; the other "
                    "resources of the page are not affected.",
                )
        result.body = body


def _describe_content(body: bytes, sniffed: str, declared: str | None) -> str:
    if sniffed == "text/html" or body.lstrip()[:1] == b"<":
        kind = "a web page"
    elif sniffed != "application/octet-stream":
        kind = f"a file of type {sniffed}"
    else:
        kind = "content that is not a picture or video"
    if declared:
        kind += f" (labelled '{declared.split(';')[0].strip()}')"
    return kind


def _without_credentials(proxy: str | None) -> str | None:
    if not proxy:
        return None
    try:
        url = httpx.URL(proxy if "://" in proxy else f"http://{proxy}")
    except httpx.InvalidURL:
        return "(unreadable proxy setting)"
    return str(url.copy_with(username=None, password=None))
