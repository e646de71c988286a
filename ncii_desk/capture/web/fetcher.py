"""Fetching one web address carefully, and recording everything a court may ask about it.

Why the fetcher is built the way it is:

* Redirects are followed here, one hop at a time, so every hop (address, status, headers,
  server address, time) is recorded and a loop is noticed instead of being walked for ever.
* httpx's timeouts bound each connect and each read, but a server that drips one byte a
  second never trips them. The connections therefore run through a network backend of our
  own that shortens every read and write to what is left of a total deadline per resource,
  and that also bounds the name lookup (the system resolver has no timeout of its own).
* Only ``http`` and ``https`` are fetched. Names under ``.invalid`` (RFC 6761) never reach a
  resolver at all.
* Non-public addresses are refused (server-side request forgery): every hop's name is
  resolved once, each resolved address is checked by ``address_problem`` (loopback, private,
  link-local incl. the cloud metadata address 169.254.169.254, multicast, reserved, 0.0.0.0,
  shared/CGNAT, documentation; IPv4-mapped IPv6 is judged as the IPv4 address it carries),
  and the connection is made to that same checked address, so a name cannot answer "public"
  to the check and "private" to the connect (DNS rebinding). A refused hop stays in the
  record with the reason. ``FetchOptions.allow_private_addresses`` turns the check off (the
  vault setting ``capture.allow_private_addresses``, or ``capture --allow-private``).
  A redirect to another port of a public host is followed (CDNs do it) and recorded like
  every hop. Through a proxy the proxy itself connects: the name is then resolved here and
  refused if any of its addresses is non-public, which cannot stop a proxy that resolves
  it differently.
* Proxies come from the environment (and, on Windows and macOS, the system settings) the
  way browsers use them; cookies are off unless asked for; ``~/.netrc`` is never read.
* TLS is verified unless the person explicitly turns it off for one capture; either way the
  certificate the server showed (subject, issuer, SHA-256 fingerprint) is recorded.
* Bodies are read as a stream under a size cap; a response over the cap is dropped whole.
"""

from __future__ import annotations

import http.cookiejar
import ipaddress
import re
import socket
import ssl
import threading
import time
import urllib.request
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version as metadata_version
from typing import Any, Literal

import httpcore
import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes

from ncii_desk import TOOL_NAME, __version__
from ncii_desk.errors import CaptureError
from ncii_desk.media.loader import media_kind
from ncii_desk.media.sniff import SNIFF_BYTES, sniff_mime

#: A current desktop browser: some sites serve other content (or nothing) to unknown tools.
DEFAULT_USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)
ALLOWED_SCHEMES = ("http", "https")
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
PAGE_ACCEPT = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
)
MEDIA_ACCEPT = "image/avif,image/webp,image/apng,image/*,video/*,*/*;q=0.8"
READ_CHUNK = 64 * 1024

Expect = Literal["any", "media"]


def utcnow() -> datetime:
    return datetime.now(UTC)


def _size_text(n: int) -> str:
    for unit, size in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} bytes"


@dataclass(frozen=True)
class FetchOptions:
    """Limits and choices of one capture; all of them are recorded with it."""

    connect_timeout: float = 15.0
    read_timeout: float = 30.0
    #: Whole resource, redirects included: stops a server that sends data drop by drop.
    total_timeout: float = 120.0
    max_bytes: int = 200 * 1024**2
    max_redirects: int = 10
    user_agent: str = DEFAULT_USER_AGENT
    verify_tls: bool = True
    cookies: bool = False
    #: Use the proxy settings of the environment / system, as a browser would.
    trust_env: bool = True
    #: Connect to loopback, private, link-local and other non-public addresses (refused by
    #: default: see ``address_problem``).
    allow_private_addresses: bool = False
    #: Non-public networks allowed all the same (CIDR text, e.g. an intranet "10.20.0.0/16"),
    #: while every other non-public address stays refused.
    allowed_networks: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "connect_timeout_s": self.connect_timeout,
            "read_timeout_s": self.read_timeout,
            "total_timeout_s": self.total_timeout,
            "max_bytes": self.max_bytes,
            "max_redirects": self.max_redirects,
            "verify_tls": self.verify_tls,
            "cookies": self.cookies,
            "proxy_from_environment": self.trust_env,
            "allow_private_addresses": self.allow_private_addresses,
            "allowed_networks": list(self.allowed_networks),
        }


def tool_versions() -> dict[str, str]:
    """Name and version of everything that took part in a capture (recorded with it)."""
    return {
        "tool": f"{TOOL_NAME} {__version__}",
        "httpx": httpx.__version__,
        "httpcore": httpcore.__version__,
        "warcio": metadata_version("warcio"),
        "openssl": ssl.OPENSSL_VERSION,
    }


# --- one request and response --------------------------------------------------------------


@dataclass
class Exchange:
    """One HTTP request and its response, as sent and as received."""

    url: str
    request_line: str
    request_headers: list[tuple[str, str]]
    started_at: datetime
    ended_at: datetime | None = None
    http_version: str = "HTTP/1.1"
    status: int | None = None
    reason: str = ""
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    #: The body as received: any content-encoding (gzip ...) is kept, chunking is not.
    raw_body: bytes = b""
    server_address: str | None = None
    server_port: int | None = None
    tls: dict[str, Any] = field(default_factory=dict)
    #: The whole response was received (an exchange cut off by a limit is not archived).
    complete: bool = False
    #: Why no connection was made for this hop (a non-public address), if it was refused.
    refused: str | None = None

    def header(self, name: str) -> str | None:
        name = name.lower()
        for key, value in self.response_headers:
            if key.lower() == name:
                return value
        return None

    def headers_dict(self) -> dict[str, Any]:
        """Response headers by name; a repeated header becomes a list of its values."""
        out: dict[str, Any] = {}
        for key, value in self.response_headers:
            if key in out:
                prev = out[key]
                out[key] = [*prev, value] if isinstance(prev, list) else [prev, value]
            else:
                out[key] = value
        return out

    def summary(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "status": self.status,
            "reason": self.reason,
            "location": self.header("location"),
            "server_address": self.server_address,
            "server_port": self.server_port,
            "started_at": _iso(self.started_at),
            "ended_at": _iso(self.ended_at),
            **({"refused": self.refused} if self.refused else {}),
        }


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


@dataclass
class Fetched:
    """The outcome of fetching one address: every hop, the final body, or the error."""

    requested_url: str
    started_at: datetime
    tls_verified: bool
    user_agent: str
    exchanges: list[Exchange] = field(default_factory=list)
    ended_at: datetime | None = None
    #: Final body with any content-encoding undone (what a browser would show or save).
    body: bytes | None = None
    sniffed_type: str | None = None
    content_encoding: str | None = None
    proxy: str | None = None
    error: CaptureError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.body is not None

    @property
    def final(self) -> Exchange | None:
        return self.exchanges[-1] if self.exchanges else None

    @property
    def final_url(self) -> str | None:
        return self.final.url if self.final else None

    @property
    def status(self) -> int | None:
        return self.final.status if self.final else None

    @property
    def declared_type(self) -> str | None:
        return self.final.header("content-type") if self.final else None

    @property
    def redirect_chain(self) -> list[dict[str, Any]]:
        """Every hop before the final response: where it pointed, when, with what status."""
        return [ex.summary() for ex in self.exchanges[:-1]] if self.exchanges else []

    @property
    def tls(self) -> dict[str, Any]:
        return self.final.tls if self.final else {}


# --- certificates ---------------------------------------------------------------------------


def certificate_info(ssl_object: Any) -> dict[str, Any]:
    """Subject, issuer, validity and SHA-256 fingerprint of the certificate the server showed."""
    if ssl_object is None:
        return {}
    info: dict[str, Any] = {}
    try:
        info["protocol"] = ssl_object.version()
        cipher = ssl_object.cipher()
        if cipher:
            info["cipher"] = cipher[0]
        der = ssl_object.getpeercert(True)
    except (ssl.SSLError, ValueError, OSError):
        return info
    if not der:
        return info
    info["certificate_sha256"] = hashes_sha256(der)
    try:
        cert = x509.load_der_x509_certificate(der)
    except ValueError:
        info["certificate_error"] = "the server's certificate could not be read"
        return info
    info["subject"] = cert.subject.rfc4514_string()
    info["issuer"] = cert.issuer.rfc4514_string()
    info["serial_number"] = format(cert.serial_number, "x")
    info["not_before"] = _iso(cert.not_valid_before_utc)
    info["not_after"] = _iso(cert.not_valid_after_utc)
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        info["subject_alt_names"] = [str(v) for v in san.value.get_values_for_type(x509.DNSName)]
    except x509.ExtensionNotFound:
        info["subject_alt_names"] = []
    return info


def hashes_sha256(der: bytes) -> str:
    digest = hashes.Hash(hashes.SHA256())
    digest.update(der)
    return digest.finalize().hex()


# --- network backend with a total deadline --------------------------------------------------


class _DeadlineExceeded(Exception):
    """The resource's total time ran out (raised from inside a read or write)."""


class _NameNotFound(Exception):
    def __init__(self, host: str, detail: str) -> None:
        super().__init__(detail)
        self.host = host
        self.detail = detail


class _LookupTimeout(Exception):
    def __init__(self, host: str) -> None:
        super().__init__(host)
        self.host = host


class _Clock:
    """The deadline of the resource being fetched now (one resource at a time per Fetcher)."""

    def __init__(self) -> None:
        self.deadline = float("inf")

    def start(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def bound(self, timeout: float | None) -> tuple[float, bool]:
        """(timeout to use, whether the deadline is what limits it)."""
        left = self.remaining()
        if left <= 0:
            raise _DeadlineExceeded
        if timeout is None or left < timeout:
            return left, True
        return timeout, False


class _GuardedStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, clock: _Clock) -> None:
        self._inner = inner
        self._clock = clock

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        limit, by_deadline = self._clock.bound(timeout)
        try:
            return self._inner.read(max_bytes, limit)
        except httpcore.ReadTimeout:
            if by_deadline:
                raise _DeadlineExceeded from None
            raise

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        limit, by_deadline = self._clock.bound(timeout)
        try:
            self._inner.write(buffer, limit)
        except httpcore.WriteTimeout:
            if by_deadline:
                raise _DeadlineExceeded from None
            raise

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        limit, by_deadline = self._clock.bound(timeout)
        try:
            inner = self._inner.start_tls(ssl_context, server_hostname, limit)
        except httpcore.ConnectTimeout:
            if by_deadline:
                raise _DeadlineExceeded from None
            raise
        return _GuardedStream(inner, self._clock)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


#: Non-public networks that ``ipaddress``'s flags do not all name by themselves.
_SHARED = ipaddress.ip_network("100.64.0.0/10")
_METADATA = ipaddress.ip_address("169.254.169.254")


def address_problem(address: str) -> str | None:
    """Why a connection to ``address`` (an IP address) is refused by default, in words; None
    for a public address."""
    try:
        ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(
            address.strip("[]").split("%", 1)[0]
        )
    except ValueError:
        return "not a valid network address"
    if isinstance(ip, ipaddress.IPv6Address):
        carried = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if carried is not None:
            inner = address_problem(str(carried))
            return None if inner is None else f"{inner}, written as IPv6"
    if ip.is_unspecified:
        return "the unspecified address (this computer)"
    if ip.is_loopback:
        return "a loopback address (this computer)"
    if ip == _METADATA:
        return "the cloud metadata address (link-local)"
    if ip.is_link_local:
        return "a link-local address (the local network segment)"
    if ip.is_multicast:
        return "a multicast address"
    if isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED:
        return "a shared (carrier-grade NAT) address"
    if ip.is_reserved:
        return "a reserved address"
    if ip.is_private:
        return "a private network address"
    if not ip.is_global:
        return "a reserved or non-public address"
    return None


def _same_address(host: str, address: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")) == ipaddress.ip_address(address)
    except ValueError:
        return False


class AddressRefused(CaptureError):
    """A hop resolved only to addresses the policy refuses (see ``address_problem``)."""

    def __init__(self, host: str, address: str, problem: str) -> None:
        shown = host if _same_address(host, address) else f"{host} ({address})"
        super().__init__(
            "private-address",
            f"{shown} is {problem}; NCII Desk does not fetch from such addresses unless asked "
            "to, so a web page cannot make it reach into this computer or its network.",
            "If this address really is the evidence (an intranet page, say), allow it with "
            "'ncii-desk settings set capture.allow_private_addresses true' or, for one "
            "capture, 'ncii-desk capture --allow-private'.",
        )
        self.host = host
        self.address = address
        self.problem = problem


def _is_reserved_invalid(host: str) -> bool:
    name = host.lower().rstrip(".")
    return name == "invalid" or name.endswith(".invalid")


class _GuardedBackend(httpcore.NetworkBackend):
    """httpcore's socket backend with a bounded name lookup and the total deadline."""

    def __init__(
        self, clock: _Clock, *, allow_private: bool = True, allowed: Iterable[str] = ()
    ) -> None:
        self._inner = httpcore.SyncBackend()
        self._clock = clock
        #: False: connect only to public addresses (the proxy's backend allows any).
        self.allow_private = allow_private
        self._allowed = [ipaddress.ip_network(n, strict=False) for n in allowed]

    def _permitted(self, address: str) -> bool:
        if address_problem(address) is None:
            return True
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        return any(ip.version == net.version and ip in net for net in self._allowed)

    def check_name(self, host: str, port: int, timeout: float | None) -> None:
        """Refuse ``host`` when the policy would (for requests a proxy connects)."""
        self.checked(host, port, self._clock.bound(timeout)[0])

    def checked(self, host: str, port: int, timeout: float) -> list[str]:
        """The addresses of ``host`` this backend may connect to; AddressRefused when the
        policy leaves none."""
        addresses = self._resolve(host, port, timeout)
        if self.allow_private:
            return addresses
        allowed = [ip for ip in addresses if self._permitted(ip)]
        if not allowed:
            problem = address_problem(addresses[0]) or "not allowed"
            raise AddressRefused(host, addresses[0], problem)
        return allowed

    def _resolve(self, host: str, port: int, timeout: float) -> list[str]:
        try:
            return [str(ipaddress.ip_address(host.strip("[]")))]
        except ValueError:
            pass
        if _is_reserved_invalid(host):
            raise _NameNotFound(host, "names under .invalid never exist")
        box: dict[str, Any] = {}
        done = threading.Event()

        def lookup() -> None:
            try:
                box["addrs"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            except OSError as exc:
                box["error"] = exc
            done.set()

        threading.Thread(target=lookup, name="ncii-desk-dns", daemon=True).start()
        if not done.wait(timeout):
            raise _LookupTimeout(host)
        if "error" in box:
            raise _NameNotFound(host, str(box["error"]))
        seen: list[str] = []
        for _family, _type, _proto, _canon, sockaddr in box["addrs"]:
            ip = str(sockaddr[0])
            if ip not in seen:
                seen.append(ip)
        return seen

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        limit, by_deadline = self._clock.bound(timeout)
        # Resolved once and checked; the connection goes to these very addresses.
        addresses = self.checked(host, port, limit)
        last: Exception | None = None
        for ip in addresses:
            limit, by_deadline = self._clock.bound(timeout)
            try:
                stream = self._inner.connect_tcp(
                    ip, port, limit, local_address, list(socket_options or [])
                )
            except httpcore.ConnectTimeout as exc:
                if by_deadline:
                    raise _DeadlineExceeded from None
                last = exc
                continue
            except httpcore.ConnectError as exc:
                last = exc
                continue
            return _GuardedStream(stream, self._clock)
        assert last is not None
        raise last

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("local sockets are not used for captures")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class _BodyStream(httpx.SyncByteStream):
    def __init__(self, inner: Iterable[bytes]) -> None:
        self._inner = inner

    def __iter__(self) -> Iterator[bytes]:
        yield from self._inner

    def close(self) -> None:
        close = getattr(self._inner, "close", None)
        if close is not None:
            close()


class _Transport(httpx.BaseTransport):
    """Direct connections, or through the proxy the environment names for the address."""

    def __init__(
        self,
        ssl_context: ssl.SSLContext,
        backend: _GuardedBackend,
        proxies: dict[str, str],
        proxy_backend: _GuardedBackend | None = None,
    ) -> None:
        self._ssl = ssl_context
        self._backend = backend
        self._proxy_backend = proxy_backend or backend
        self._proxies = proxies
        self._direct = httpcore.ConnectionPool(
            ssl_context=ssl_context, network_backend=backend, max_connections=4
        )
        self._via_proxy: dict[str, httpcore.HTTPProxy] = {}

    def proxy_for(self, url: httpx.URL) -> str | None:
        proxy = self._proxies.get(url.scheme) or self._proxies.get("all")
        if not proxy:
            return None
        if urllib.request.proxy_bypass(url.host):  # NO_PROXY, or the system exceptions
            return None
        return proxy

    def _pool(self, url: httpx.URL) -> httpcore.ConnectionPool | httpcore.HTTPProxy:
        proxy = self.proxy_for(url)
        if proxy is None:
            return self._direct
        if proxy not in self._via_proxy:
            purl = httpx.URL(proxy if "://" in proxy else f"http://{proxy}")
            if purl.scheme not in ("http", "https"):
                raise CaptureError(
                    "proxy",
                    f"The proxy set on this computer ({purl.scheme}://) is of a kind NCII Desk "
                    "cannot use.",
                    "Ask your technical support for an HTTP proxy address, or capture from a "
                    "network without a proxy.",
                )
            auth = (purl.username, purl.password) if purl.username else None
            self._via_proxy[proxy] = httpcore.HTTPProxy(
                proxy_url=httpcore.URL(
                    scheme=purl.raw_scheme,
                    host=purl.raw_host,
                    port=purl.port,
                    target=b"/",
                ),
                proxy_auth=auth,
                ssl_context=self._ssl,
                network_backend=self._proxy_backend,  # the proxy may be on the local network
                max_connections=4,
            )
        return self._via_proxy[proxy]

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.SyncByteStream)
        req = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        pool = self._pool(request.url)
        if pool is not self._direct and not self._backend.allow_private:
            # The proxy connects to the site: check what the name means here at least.
            timeout = request.extensions.get("timeout", {}).get("connect")
            self._backend.check_name(request.url.host, request.url.port or 443, timeout)
        resp = pool.handle_request(req)
        assert isinstance(resp.stream, Iterable)
        return httpx.Response(
            status_code=resp.status,
            headers=resp.headers,
            stream=_BodyStream(resp.stream),
            extensions=resp.extensions,
        )

    def close(self) -> None:
        self._direct.close()
        for pool in self._via_proxy.values():
            pool.close()


class _NoCookies(http.cookiejar.DefaultCookiePolicy):
    def set_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False

    def return_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False


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
