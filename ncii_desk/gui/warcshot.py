"""A full-page screenshot of a captured page, drawn from its WARC only (a child process).

Run as ``python -m ncii_desk.gui.warcshot --url URL [--width PX] [--max-height PX]
[--javascript]`` with the capture's WARC file on standard input. It renders the page in an
offscreen Qt WebEngine view and writes to standard output one line of JSON (what was drawn)
followed by the PNG bytes. Nothing is written to disk: the WARC is read from the pipe, the
picture is made in memory and goes back through the pipe; the profile is off the record
(memory cache, no cookies kept).

Nothing leaves the machine: every http(s) request the page makes is redirected to a scheme
of our own (``nciiwarc-http`` / ``nciiwarc-https``) whose handler answers only from the
WARC's response records (an address the WARC lacks gets "not found"), and a request
interceptor blocks every other scheme. Chromium's own background traffic (DNS prefetch,
pings, component updates) is switched off and its proxy points at an address that cannot be
resolved, so anything that slipped past the interceptor still could not connect.

Scripts are off unless ``--javascript`` is given. The view is resized to the page's whole
scroll height, up to ``--max-height`` (the JSON says when the page was taller and the picture
was cut). Services start this module with ``sys.executable -m``: a process boundary, so Qt
stays in the GUI layer.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from dataclasses import dataclass, field
from typing import Any

SCHEME_PREFIX = "nciiwarc-"
DEFAULT_WIDTH = 1280
DEFAULT_MAX_HEIGHT = 20000
#: Seconds the whole rendering may take before the child gives up.
DEFAULT_TIMEOUT_S = 60.0
#: Chromium switches: no background network use of its own, and a proxy that cannot be
#: reached (no DNS answer for anything) behind the request interceptor.
CHROMIUM_FLAGS = (
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-domain-reliability",
    "--disable-sync",
    "--dns-prefetch-disable",
    "--no-pings",
    "--disable-features=NetworkPrediction,PreconnectToSearch",
    "--proxy-server=http://nowhere.invalid:9",
    "--proxy-bypass-list=<-loopback>",
    "--host-resolver-rules=MAP * ~NOTFOUND",
)
#: What the schemes' default ports are (a URL with the default port is written without it).
DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass
class Response:
    status: int
    content_type: str
    body: bytes
    location: str = ""


@dataclass
class Archive:
    """The WARC's response records by (normalised) address; the first record of each wins."""

    responses: dict[str, Response] = field(default_factory=dict)

    @classmethod
    def read(cls, data: bytes) -> Archive:
        from warcio.archiveiterator import ArchiveIterator

        out = cls()
        for record in ArchiveIterator(io.BytesIO(data)):
            if record.rec_type != "response" or record.http_headers is None:
                continue
            url = record.rec_headers.get_header("WARC-Target-URI") or ""
            key = normalise(url)
            if not key or key in out.responses:
                continue
            headers = record.http_headers
            try:
                status = int(headers.get_statuscode() or 0)
            except ValueError:
                status = 0
            body = record.content_stream().read()  # transfer and content coding removed
            out.responses[key] = Response(
                status=status,
                content_type=(headers.get_header("Content-Type") or "").split(";")[0].strip(),
                body=body,
                location=headers.get_header("Location") or "",
            )
        return out


def normalise(url: str) -> str:
    """``url`` in one spelling for lookups: no fragment, no default port, http(s) scheme."""
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return ""
    scheme = parts.scheme.lower().removeprefix(SCHEME_PREFIX)
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return ""
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


def to_local(url: str) -> str:
    """An http(s) address in our own scheme (same host, path and query)."""
    key = normalise(url)
    return SCHEME_PREFIX + key if key else ""


@dataclass
class Outcome:
    width: int = 0
    height: int = 0
    content_width: int = 0
    content_height: int = 0
    cut: bool = False
    javascript: bool = False
    loaded: bool = False
    served: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    renderer: str = ""
    error: str = ""

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _prepare_environment() -> None:
    """Offscreen, no GPU; Chromium's sandbox cannot run as root, so only then is it off."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"  # never a window, whatever the parent uses
    flags = " ".join(CHROMIUM_FLAGS)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        os.environ["QTWEBENGINE_DISABLE_SANDBOX"] = "1"
        flags += " --no-sandbox"
    os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = flags
    os.environ.setdefault("QT_LOGGING_RULES", "*.debug=false;qt.qpa.*=false;qt.rhi.*=false")


def render(
    archive: Archive,
    url: str,
    *,
    width: int = DEFAULT_WIDTH,
    max_height: int = DEFAULT_MAX_HEIGHT,
    javascript: bool = False,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> tuple[bytes, Outcome]:
    """PNG bytes of the page at ``url`` drawn from ``archive``, and what happened."""
    if not normalise(url):
        return b"", Outcome(error=f"'{url}' is not an http(s) address")
    if normalise(url) not in archive.responses:
        return b"", Outcome(error="the WARC holds no response for the page's address")
    _prepare_environment()
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QTimer, QUrl
    from PySide6.QtWebEngineCore import (
        QWebEnginePage,
        QWebEngineProfile,
        QWebEngineSettings,
        QWebEngineUrlRequestInfo,
        QWebEngineUrlRequestInterceptor,
        QWebEngineUrlRequestJob,
        QWebEngineUrlScheme,
        QWebEngineUrlSchemeHandler,
    )
    from PySide6.QtWebEngineWidgets import QWebEngineView
    from PySide6.QtWidgets import QApplication

    for name, port in DEFAULT_PORTS.items():
        scheme = QWebEngineUrlScheme((SCHEME_PREFIX + name).encode())
        scheme.setSyntax(QWebEngineUrlScheme.Syntax.HostAndPort)
        scheme.setDefaultPort(port)
        scheme.setFlags(
            QWebEngineUrlScheme.Flag.SecureScheme | QWebEngineUrlScheme.Flag.CorsEnabled
        )
        QWebEngineUrlScheme.registerScheme(scheme)
    app = QApplication.instance() or QApplication(["ncii-desk-warcshot"])
    outcome = Outcome(javascript=javascript, renderer=_renderer_name())

    class FromArchive(QWebEngineUrlSchemeHandler):
        def requestStarted(self, job: QWebEngineUrlRequestJob) -> None:
            key = normalise(job.requestUrl().toString())
            found = archive.responses.get(key)
            if found is None:
                outcome.missing.append(key)
                job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
                return
            outcome.served.append(key)
            if 300 <= found.status < 400 and found.location:
                from urllib.parse import urljoin

                target = to_local(urljoin(key, found.location))
                if target:
                    job.redirect(QUrl(target))
                    return
            buffer = QBuffer(parent=job)
            buffer.setData(QByteArray(found.body))
            buffer.open(QIODevice.OpenModeFlag.ReadOnly)
            kind = found.content_type or "application/octet-stream"
            job.reply(kind.encode("ascii", "replace"), buffer)

    class OnlyArchive(QWebEngineUrlRequestInterceptor):
        def interceptRequest(self, info: QWebEngineUrlRequestInfo) -> None:
            requested = info.requestUrl()
            scheme = requested.scheme().lower()
            if scheme.startswith(SCHEME_PREFIX) or scheme in ("data", "about"):
                return
            local = to_local(requested.toString()) if scheme in DEFAULT_PORTS else ""
            if local:
                info.redirect(QUrl(local))
                return
            outcome.blocked.append(requested.toString())
            info.block(True)

    profile = QWebEngineProfile()  # no storage name: off the record, nothing on disk
    profile.setHttpCacheType(QWebEngineProfile.HttpCacheType.MemoryHttpCache)
    profile.setPersistentCookiesPolicy(
        QWebEngineProfile.PersistentCookiesPolicy.NoPersistentCookies
    )
    handler = FromArchive()
    interceptor = OnlyArchive()
    for name in DEFAULT_PORTS:
        profile.installUrlSchemeHandler((SCHEME_PREFIX + name).encode(), handler)
    profile.setUrlRequestInterceptor(interceptor)
    page = QWebEnginePage(profile)
    settings = page.settings()
    attribute = QWebEngineSettings.WebAttribute
    settings.setAttribute(attribute.JavascriptEnabled, javascript)
    settings.setAttribute(attribute.PluginsEnabled, False)
    settings.setAttribute(attribute.LocalContentCanAccessRemoteUrls, False)
    settings.setAttribute(attribute.DnsPrefetchEnabled, False)
    settings.setAttribute(attribute.ShowScrollBars, False)
    settings.setAttribute(attribute.ScrollAnimatorEnabled, False)
    settings.setAttribute(attribute.AutoLoadIconsForPage, False)
    view = QWebEngineView()
    view.setPage(page)
    view.resize(width, 800)
    view.show()
    result: dict[str, bytes] = {}
    last: list[tuple[int, int]] = [(-1, -1)]
    steady = [0]

    def finish(error: str = "") -> None:
        if error and not outcome.error:
            outcome.error = error
        app.quit()

    def grab() -> None:
        try:
            take_picture()
        except Exception as exc:  # an error in a Qt callback would otherwise wait forever
            finish(f"the rendered page could not be read back ({type(exc).__name__})")

    def take_picture() -> None:
        image = view.grab().toImage()
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        saved = image.save(buffer, "PNG")  # type: ignore[call-overload]  # stub wants bytes
        if image.isNull() or not saved:
            finish("the rendered page could not be turned into a PNG picture")
            return
        outcome.width, outcome.height = image.width(), image.height()
        result["png"] = bytes(buffer.data().data())
        finish()

    def settle() -> None:
        # Wait until the page's size stops changing (pictures decoded, layout done).
        size = page.contentsSize().toSize()
        current = (size.width(), size.height())
        steady[0] = steady[0] + 1 if current == last[0] else 0
        last[0] = current
        if steady[0] < 2:
            QTimer.singleShot(100, settle)
            return
        outcome.content_width, outcome.content_height = current
        height = max(1, min(current[1], max_height))
        outcome.cut = current[1] > max_height
        view.resize(width, height)
        QTimer.singleShot(400, grab)

    def loaded(ok: bool) -> None:
        outcome.loaded = ok
        if not ok:
            finish("the page could not be drawn from its captured records")
            return
        QTimer.singleShot(100, settle)

    page.loadFinished.connect(loaded)
    QTimer.singleShot(int(timeout_s * 1000), lambda: finish("drawing the page took too long"))
    page.load(QUrl(to_local(url)))
    app.exec()
    view.close()
    page.deleteLater()
    view.deleteLater()
    return result.get("png", b""), outcome


def _renderer_name() -> str:
    from PySide6 import __version__ as pyside
    from PySide6.QtWebEngineCore import qWebEngineChromiumVersion, qWebEngineVersion

    def text(value: object) -> str:
        return value.decode() if isinstance(value, bytes) else str(value)

    engine, chromium = text(qWebEngineVersion()), text(qWebEngineChromiumVersion())
    return f"Qt WebEngine {engine} (Chromium {chromium}, PySide6 {pyside})"


def _output_stream() -> io.BufferedWriter:
    """Our own copy of standard output; fd 1 then points at stderr, so that nothing Qt or
    Chromium prints can mix with the PNG bytes."""
    sys.stdout.flush()
    private = os.dup(1)
    os.dup2(2, 1)
    return os.fdopen(private, "wb")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ncii_desk.gui.warcshot")
    parser.add_argument("--url", required=True, help="the captured page's address")
    parser.add_argument("--width", type=int, default=DEFAULT_WIDTH)
    parser.add_argument("--max-height", type=int, default=DEFAULT_MAX_HEIGHT)
    parser.add_argument("--javascript", action="store_true", help="let the page's scripts run")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S)
    args = parser.parse_args(argv)
    out = _output_stream()
    data = sys.stdin.buffer.read()
    try:
        archive = Archive.read(data)
    except Exception as exc:  # warcio raises several kinds for a damaged file
        outcome = Outcome(error=f"the WARC could not be read ({type(exc).__name__})")
        png = b""
    else:
        del data
        try:
            png, outcome = render(
                archive,
                args.url,
                width=args.width,
                max_height=args.max_height,
                javascript=args.javascript,
                timeout_s=args.timeout,
            )
        except ImportError as exc:
            missing = getattr(exc, "name", None) or "PySide6.QtWebEngineWidgets"
            outcome = Outcome(error=f"Qt WebEngine is not available ({missing} is missing)")
            png = b""
    out.write(json.dumps(outcome.as_dict()).encode("utf-8") + b"\n")
    out.write(png)
    out.flush()
    return 0 if png else 1


if __name__ == "__main__":
    sys.exit(main())
