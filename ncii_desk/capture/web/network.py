"""The guarded network backend: addresses refused, a total deadline per resource, no cookies."""

from __future__ import annotations

import http.cookiejar
import ipaddress
import socket
import ssl
import threading
import time
import urllib.request
from collections.abc import Iterable, Iterator
from typing import Any

import httpcore
import httpx

from ncii_desk.errors import CaptureError

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
