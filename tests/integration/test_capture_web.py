"""The fetcher against real servers on 127.0.0.1: every bad case of a web capture.

Short limits keep these fast; no test sleeps longer than the limit it checks. Nothing
outside 127.0.0.1 is contacted: proxies are off (trust_env=False) except in the proxy test,
whose proxy is the local server, and names under .invalid never reach the resolver.
"""

from __future__ import annotations

import hashlib
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from capture_server import (
    LocalServer,
    Route,
    closed_port,
    image_bytes,
    page,
)

from ncii_desk.capture.web import (
    DEFAULT_USER_AGENT,
    Fetcher,
    FetchOptions,
    check_url,
    normalise_address,
)
from ncii_desk.errors import CaptureError

FAST = FetchOptions(
    allow_private_addresses=True,
    connect_timeout=2.0,
    read_timeout=0.5,
    total_timeout=1.0,
    max_bytes=50_000,
    trust_env=False,
)


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(FAST) as f:
        yield f


@pytest.fixture
def lookups(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every name handed to the system resolver during the test."""
    seen: list[str] = []
    real = socket.getaddrinfo

    def spy(host: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(str(host))
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", spy)
    return seen


# --- what a good fetch records ----------------------------------------------------------------


def test_redirect_chain_each_hop_recorded_with_status_headers_and_server(
    web: LocalServer, fetcher: Fetcher
) -> None:
    body = image_bytes(1)
    web.routes["/start"] = Route(status=301, headers=[("Location", "/middle?x=1")])
    web.routes["/middle"] = Route(status=302, headers=[("Location", web.url("/final.png"))])
    web.routes["/final.png"] = Route(
        body, content_type="image/png", headers=[("X-Evidence", "yes"), ("X-Evidence", "twice")]
    )
    got = fetcher.fetch(web.url("/start"))
    assert got.ok and got.error is None
    assert got.body == body and hashlib.sha256(got.body).digest() == hashlib.sha256(body).digest()
    assert [ex.status for ex in got.exchanges] == [301, 302, 200]
    assert got.final_url == web.url("/final.png")
    chain = got.redirect_chain
    assert [hop["url"] for hop in chain] == [web.url("/start"), web.url("/middle?x=1")]
    assert [hop["location"] for hop in chain] == ["/middle?x=1", web.url("/final.png")]
    assert all(hop["server_address"] == "127.0.0.1" for hop in chain)
    assert all(hop["server_port"] == web.port for hop in chain)
    assert all(hop["started_at"] <= hop["ended_at"] for hop in chain)
    headers = got.final.headers_dict() if got.final else {}
    assert headers["X-Evidence"] == ["yes", "twice"]
    assert headers["Content-Type"] == "image/png"
    assert got.sniffed_type == "image/png" and got.declared_type == "image/png"
    assert got.started_at <= got.exchanges[0].started_at <= got.ended_at  # type: ignore[operator]
    assert web.paths() == ["/start", "/middle?x=1", "/final.png"]


def test_browser_user_agent_by_default_and_overridable(web: LocalServer) -> None:
    web.routes["/ua"] = Route(page("hello"))
    with Fetcher(FAST) as f:
        f.fetch(web.url("/ua"))
    with Fetcher(
        FetchOptions(allow_private_addresses=True, trust_env=False, user_agent="Clinic capture 1.0")
    ) as f:
        f.fetch(web.url("/ua"))
    agents = [entry.headers["user-agent"] for entry in web.log]
    assert agents == [DEFAULT_USER_AGENT, "Clinic capture 1.0"]
    assert DEFAULT_USER_AGENT.startswith("Mozilla/5.0") and "Chrome/" in DEFAULT_USER_AGENT


def test_cookies_are_off_by_default_and_on_when_asked(web: LocalServer) -> None:
    web.routes["/login"] = Route(
        status=302, headers=[("Set-Cookie", "session=abc; Path=/"), ("Location", "/inside")]
    )
    web.routes["/inside"] = Route(page("inside"))
    with Fetcher(FAST) as f:
        assert f.fetch(web.url("/login")).ok
    assert "cookie" not in web.log[-1].headers
    with Fetcher(FetchOptions(allow_private_addresses=True, trust_env=False, cookies=True)) as f:
        assert f.fetch(web.url("/login")).ok
    assert web.log[-1].headers.get("cookie") == "session=abc"


def test_gzip_and_chunked_bodies_are_unpacked_and_raw_bytes_kept(
    web: LocalServer, fetcher: Fetcher
) -> None:
    html = page("<p>" + "compressible text " * 200 + "</p>")
    web.routes["/gz"] = Route(html, gzip=True, chunked=True)
    got = fetcher.fetch(web.url("/gz"))
    assert got.ok and got.body == html
    assert got.content_encoding == "gzip"
    assert got.final is not None and got.final.raw_body[:2] == b"\x1f\x8b"  # as received
    assert len(got.final.raw_body) < len(html)


# --- addresses that are refused before anything is contacted ---------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://files.example.invalid/photo.jpg",
        "javascript:alert(1)",
        "data:image/png;base64,iVBORw0KGgo=",
        "mailto:someone@example.invalid",
    ],
)
def test_non_web_schemes_are_refused_with_a_clear_error(
    url: str, fetcher: Fetcher, lookups: list[str]
) -> None:
    got = fetcher.fetch(url)
    assert got.error is not None and got.error.reason == "scheme"
    assert url.split(":")[0] in got.error.message and "https://" in got.error.hint
    assert got.exchanges == [] and got.body is None
    assert lookups == []


def test_typed_addresses_get_https_and_bad_ones_are_explained() -> None:
    assert normalise_address("  www.example.invalid/page ") == "https://www.example.invalid/page"
    assert normalise_address("//cdn.example.invalid/a.jpg") == "https://cdn.example.invalid/a.jpg"
    assert normalise_address("localhost:8080/x") == "https://localhost:8080/x"
    assert normalise_address("http://a.invalid/") == "http://a.invalid/"
    assert normalise_address("javascript:alert(1)") == "javascript:alert(1)"
    with pytest.raises(CaptureError) as info:
        check_url("https://")
    assert info.value.reason == "bad-url"
    assert str(check_url("https://a.invalid/p#frag")) == "https://a.invalid/p"


# --- network failures -----------------------------------------------------------------------


def test_dns_failure_under_invalid_is_immediate_and_never_asks_the_resolver(
    fetcher: Fetcher, lookups: list[str]
) -> None:
    got = fetcher.fetch("https://victim-photos.example.invalid/album/1")
    assert got.error is not None and got.error.reason == "dns"
    assert "victim-photos.example.invalid" in got.error.message
    assert "could not be found" in got.error.message
    assert lookups == []


def test_unreachable_host_is_a_clear_error(fetcher: Fetcher) -> None:
    got = fetcher.fetch(f"http://127.0.0.1:{closed_port()}/page")
    assert got.error is not None and got.error.reason == "unreachable"
    assert "could not be reached" in got.error.message
    assert got.body is None


def test_server_that_never_answers_hits_the_read_timeout(
    web: LocalServer, fetcher: Fetcher
) -> None:
    web.routes["/silent"] = Route(page("late"), delay_s=1.5)
    got = fetcher.fetch(web.url("/silent"))
    assert got.error is not None and got.error.reason == "read-timeout"
    assert "0.5 seconds" in got.error.message


def test_slow_drip_server_is_cut_off_at_the_total_deadline(
    web: LocalServer, fetcher: Fetcher
) -> None:
    # Four bytes every 0.2 s never trips the 0.5 s read timeout: only the total deadline
    # (1 s) stops it, long before the 5,000-byte body would finish (about 250 s).
    web.routes["/drip"] = Route(b"x" * 5000, content_type="image/jpeg", drip_s=0.2)
    got = fetcher.fetch(web.url("/drip"))
    assert got.error is not None and got.error.reason == "deadline"
    assert "longer than the limit of 1 seconds" in got.error.message
    assert got.body is None
    assert got.final is not None and not got.final.complete
    assert got.ended_at is not None
    assert (got.ended_at - got.started_at).total_seconds() < 30  # cut off, not waited out


@pytest.mark.parametrize("chunked", [False, True], ids=["declared-length", "chunked"])
def test_response_over_the_size_cap_is_dropped_whole(
    web: LocalServer, fetcher: Fetcher, chunked: bool
) -> None:
    web.routes["/big"] = Route(
        b"\xff\xd8\xff" + b"x" * 60_000, content_type="image/jpeg", chunked=chunked
    )
    got = fetcher.fetch(web.url("/big"), expect="media")
    assert got.error is not None and got.error.reason == "too-large"
    assert "larger than the limit" in got.error.message and "--max-bytes" in got.error.hint
    assert got.body is None and got.final is not None and not got.final.complete


def test_lying_content_length_over_the_cap_is_refused_before_reading(
    web: LocalServer, fetcher: Fetcher
) -> None:
    web.routes["/claims-huge"] = Route(b"tiny", declared_length=10**9)
    got = fetcher.fetch(web.url("/claims-huge"))
    assert got.error is not None and got.error.reason == "too-large"
    assert "it says" in got.error.message


def test_gzip_bomb_is_stopped_at_the_cap(web: LocalServer, fetcher: Fetcher) -> None:
    web.routes["/bomb"] = Route(b"\x00" * 5_000_000, gzip=True)  # ~5 KB packed, 5 MB unpacked
    got = fetcher.fetch(web.url("/bomb"))
    assert got.error is not None and got.error.reason == "too-large"
    assert "Unpacked" in got.error.message


def test_redirect_loop_is_detected(web: LocalServer, fetcher: Fetcher) -> None:
    web.routes["/a"] = Route(status=302, headers=[("Location", "/b")])
    web.routes["/b"] = Route(status=307, headers=[("Location", "/c")])
    web.routes["/c"] = Route(status=302, headers=[("Location", "/a")])
    got = fetcher.fetch(web.url("/a"))
    assert got.error is not None and got.error.reason == "redirect-loop"
    assert "loop" in got.error.message
    assert web.paths() == ["/a", "/b", "/c"]  # stopped at the first repeat, not re-walked


def test_too_many_redirects_is_its_own_error(web: LocalServer) -> None:
    web.set_fallback(
        lambda path: (
            Route(status=302, headers=[("Location", f"/r{int(path[2:]) + 1}")])
            if path.startswith("/r")
            else None
        )
    )
    with Fetcher(FetchOptions(allow_private_addresses=True, trust_env=False, max_redirects=3)) as f:
        got = f.fetch(web.url("/r0"))
    assert got.error is not None and got.error.reason == "too-many-redirects"
    assert len(web.log) == 4


def test_redirect_to_a_non_web_scheme_is_not_followed(web: LocalServer, fetcher: Fetcher) -> None:
    web.routes["/go"] = Route(status=302, headers=[("Location", "file:///etc/passwd")])
    got = fetcher.fetch(web.url("/go"))
    assert got.error is not None and got.error.reason == "scheme"
    assert "redirected" in got.error.message
    assert web.paths() == ["/go"]


def test_error_status_is_reported_with_the_code(web: LocalServer, fetcher: Fetcher) -> None:
    got = fetcher.fetch(web.url("/nothing-here"))
    assert got.error is not None and got.error.reason == "http-status"
    assert got.status == 404 and "404" in got.error.message


# --- content that is not what it claims ------------------------------------------------------


def test_media_type_is_decided_by_content_not_by_the_label(
    web: LocalServer, fetcher: Fetcher
) -> None:
    png = image_bytes(7)
    web.routes["/disguised"] = Route(png, content_type="text/html")
    web.routes["/fake.jpg"] = Route(page("a page pretending"), content_type="image/jpeg")
    web.routes["/text.jpg"] = Route(b"just some text", content_type="image/jpeg")
    got = fetcher.fetch(web.url("/disguised"), expect="media")
    assert got.ok and got.body == png
    assert (got.sniffed_type, got.declared_type) == ("image/png", "text/html")
    for path, what in (("/fake.jpg", "a web page"), ("/text.jpg", "not a picture")):
        bad = fetcher.fetch(web.url(path), expect="media")
        assert bad.error is not None and bad.error.reason == "not-media", path
        assert what in bad.error.message and "image/jpeg" in bad.error.message
        assert bad.body is None


# --- TLS ------------------------------------------------------------------------------------


def test_self_signed_certificate_fails_verification(tls_server: LocalServer) -> None:
    tls_server.routes["/p"] = Route(page("secure"))
    with Fetcher(FAST) as f:
        got = f.fetch(tls_server.url("/p"))
    assert got.error is not None and got.error.reason == "tls"
    assert "certificate" in got.error.message and "--insecure-tls" in got.error.hint
    assert got.tls_verified is True


def test_insecure_override_captures_and_records_the_certificate(
    tls_server: LocalServer, tmp_path: Path
) -> None:
    tls_server.routes["/p"] = Route(page("secure"))
    with Fetcher(
        FetchOptions(allow_private_addresses=True, trust_env=False, verify_tls=False)
    ) as f:
        got = f.fetch(tls_server.url("/p"))
    assert got.ok and got.tls_verified is False
    tls = got.tls
    served = tls_server.server.socket.context.cert_der  # type: ignore[attr-defined]
    assert tls["certificate_sha256"] == hashlib.sha256(served).hexdigest()
    assert tls["subject"] == "CN=NCII Desk test server" == tls["issuer"]
    assert tls["subject_alt_names"] == ["localhost"]
    assert tls["protocol"].startswith("TLS") and tls["not_before"] < tls["not_after"]


# --- proxies --------------------------------------------------------------------------------


def test_proxy_from_the_environment_is_used_and_recorded(
    web: LocalServer, monkeypatch: pytest.MonkeyPatch, lookups: list[str]
) -> None:
    # The local server plays the clinic's proxy: it receives the absolute address.
    web.set_fallback(lambda path: Route(page("via proxy")) if path.startswith("http://") else None)
    monkeypatch.setenv("http_proxy", f"http://user:secret@127.0.0.1:{web.port}")
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    with Fetcher(FetchOptions(allow_private_addresses=True, trust_env=True)) as f:
        got = f.fetch("http://site.example.invalid/page")
    assert got.ok and b"via proxy" in (got.body or b"")
    assert web.paths() == ["http://site.example.invalid/page"]
    assert web.log[0].headers.get("proxy-authorization", "").startswith("Basic ")
    assert got.proxy == f"http://127.0.0.1:{web.port}"  # recorded without the password
    assert set(lookups) <= {"127.0.0.1"}  # only the proxy; the site name is left to it
    with Fetcher(FetchOptions(allow_private_addresses=True, trust_env=False)) as f:
        direct = f.fetch("http://site.example.invalid/page")
    assert direct.error is not None and direct.error.reason == "dns"
    assert len(web.log) == 1
