"""Real HTTP and HTTPS servers on 127.0.0.1 for the capture tests.

Each test sets the routes it needs: fixed responses, redirects, a body dripped a few bytes
at a time, a server that never answers, gzip and chunked bodies. Every request that reaches
a server is logged, so a test can show exactly what was asked of it (and that nothing else
was contacted). The HTTPS server uses a self-signed certificate made in the test.
"""

from __future__ import annotations

import gzip
import io
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import certkit
import numpy as np
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from PIL import Image


@dataclass
class Route:
    """What the server sends for one path."""

    body: bytes = b""
    status: int = 200
    content_type: str | None = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)
    #: Send the body a few bytes at a time with this pause between them (a slow-drip server).
    drip_s: float | None = None
    #: Wait this long before answering at all.
    delay_s: float = 0.0
    chunked: bool = False
    gzip: bool = False
    #: Declare this Content-Length instead of the real one (a lying server).
    declared_length: int | None = None


@dataclass
class Logged:
    method: str
    path: str
    headers: dict[str, str]
    client: str
    host_header: str


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output quiet; requests are in server.log

    def do_GET(self) -> None:
        self.server.log.append(
            Logged(
                "GET",
                self.path,
                {k.lower(): v for k, v in self.headers.items()},
                self.client_address[0],
                self.headers.get("Host", ""),
            )
        )
        route = self.server.routes.get(self.path) or self.server.routes.get(
            self.path.split("?", 1)[0]
        )
        if route is None and self.server.fallback is not None:
            route = self.server.fallback(self.path)
        if route is None:
            route = Route(b"<html><body>not here</body></html>", status=404)
        try:
            self._send(route)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            self.close_connection = True

    def _send(self, route: Route) -> None:
        if route.delay_s:
            time.sleep(route.delay_s)
        body = gzip.compress(route.body) if route.gzip else route.body
        self.send_response(route.status)
        if route.content_type is not None:
            self.send_header("Content-Type", route.content_type)
        if route.gzip:
            self.send_header("Content-Encoding", "gzip")
        for key, value in route.headers:
            self.send_header(key, value)
        if route.chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            length = route.declared_length if route.declared_length is not None else len(body)
            self.send_header("Content-Length", str(length))
        self.end_headers()
        if route.chunked:
            for i in range(0, len(body), 1000):
                part = body[i : i + 1000]
                self.wfile.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        elif route.drip_s is not None:
            for i in range(0, len(body), 4):
                self.wfile.write(body[i : i + 4])
                self.wfile.flush()
                time.sleep(route.drip_s)
        else:
            self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict[str, Route] = {}
        self.log: list[Logged] = []
        self.fallback: Callable[[str], Route | None] | None = None


@dataclass
class LocalServer:
    """A running server: set ``routes``, read ``log``; ``url(path)`` gives its address."""

    server: _Server
    scheme: str
    thread: threading.Thread

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def routes(self) -> dict[str, Route]:
        return self.server.routes

    @property
    def log(self) -> list[Logged]:
        return self.server.log

    def url(self, path: str = "/") -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}{path}"

    def set_fallback(self, fn: Callable[[str], Route | None]) -> None:
        self.server.fallback = fn

    def paths(self) -> list[str]:
        return [entry.path for entry in self.log]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def start_server(ssl_context: ssl.SSLContext | None = None) -> LocalServer:
    server = _Server()
    if ssl_context is not None:
        server.socket = ssl_context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    return LocalServer(server, "https" if ssl_context else "http", thread)


def self_signed_context(folder: Path, common_name: str = "NCII Desk test server") -> ssl.SSLContext:
    """A server TLS context with a fresh self-signed certificate for 127.0.0.1."""
    key = certkit.new_key()
    san = x509.SubjectAlternativeName(
        [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    )
    cert = certkit.certificate(certkit.name(common_name), key, extensions=[(san, False)])
    folder.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certkit.pem(cert))
    key_path.write_bytes(certkit.pem_key(key))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    context.cert_der = cert.public_bytes(serialization.Encoding.DER)  # type: ignore[attr-defined]
    return context


# --- fixtures (registered for every test by tests/conftest.py) ------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    """One HTTP server on 127.0.0.1 for the whole test module."""
    srv = start_server()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    """One HTTPS server with a self-signed certificate for the whole test module."""
    srv = start_server(self_signed_context(tmp_path_factory.mktemp("cert")))
    yield srv
    srv.stop()


@pytest.fixture
def web(server: LocalServer) -> LocalServer:
    """The module's HTTP server with no routes, an empty log and no fallback."""
    server.routes.clear()
    server.log.clear()
    server.set_fallback(lambda path: None)
    return server


def closed_port() -> int:
    """A port on 127.0.0.1 with nothing listening (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def image_bytes(seed: int, size: tuple[int, int] = (96, 72), fmt: str = "PNG") -> bytes:
    """A small benign generated picture (smooth colour gradients with a few shapes)."""
    rng = np.random.default_rng(seed)
    w, h = size
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    a, b, c = rng.uniform(0.02, 0.2, 3)
    pixels = np.stack(
        [
            127 + 120 * np.sin(a * x + seed),
            127 + 120 * np.cos(b * y + 2 * seed),
            127 + 120 * np.sin(c * (x + y)),
        ],
        axis=-1,
    )
    for _ in range(3):
        x0, y0 = int(rng.integers(0, w - 10)), int(rng.integers(0, h - 10))
        pixels[y0 : y0 + 10, x0 : x0 + 10] = rng.integers(0, 255, 3)
    buf = io.BytesIO()
    Image.fromarray(pixels.clip(0, 255).astype(np.uint8)).save(buf, fmt)
    return buf.getvalue()


def photo_bytes(pixels: Any, fmt: str = "JPEG", quality: int = 90) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(pixels)).save(buf, fmt, quality=quality)
    return buf.getvalue()


def page(body: str, title: str = "Test page", head: str = "") -> bytes:
    return (
        f"<!DOCTYPE html><html><head><title>{title}</title>{head}</head><body>{body}</body></html>"
    ).encode()
