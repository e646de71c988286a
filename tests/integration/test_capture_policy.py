"""Server-side request forgery policy of web captures (real servers on 127.0.0.1).

By default a capture refuses loopback, private, link-local (the cloud metadata address
included), multicast, reserved and other non-public addresses, for the first address and for
every redirect hop, judged on the address the name resolved to and connected to. The refusal
names the address class and the setting that allows it, and the refused hop is recorded with
the failed capture. tests/conftest.py allows private addresses for the rest of the suite;
every test here turns that default back off first.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from capture_server import LocalServer, Route, page
from clikit import Cli
from sqlalchemy import select

from conftest import PASSPHRASE, fast_kdf
from ncii_desk.capture.web import Fetcher, FetchOptions, address_problem
from ncii_desk.services import capture, cases, settings
from ncii_desk.vault import Vault
from ncii_desk.vault.models import AuditEvent, Capture
from ncii_desk.vault.store import CaseStore


@pytest.fixture(autouse=True)
def refuse_by_default(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The product's default: non-public addresses are refused."""
    monkeypatch.setattr(settings, "ALLOW_PRIVATE_DEFAULT", False)
    yield


OPTS = FetchOptions(trust_env=False, connect_timeout=3, read_timeout=3, total_timeout=8)
# Only 127.0.0.1 itself is allowed: a stand-in for "a public address" in these tests.
ONLY_HERE = FetchOptions(
    trust_env=False, connect_timeout=3, read_timeout=3, total_timeout=8,
    allowed_networks=("127.0.0.1/32",),
)  # fmt: skip


@pytest.mark.parametrize(
    ("address", "words"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("fd00::1", "private"),
        ("169.254.169.254", "metadata"),
        ("169.254.1.1", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("100.64.0.1", "carrier-grade"),
        ("240.0.0.1", "reserved"),
        ("192.0.2.10", "private network"),  # documentation range
        ("::ffff:127.0.0.1", "(this computer), written as IPv6"),
        ("::ffff:169.254.169.254", "metadata"),
        ("::ffff:10.0.0.1", "private network address, written as IPv6"),
        ("2002:7f00:1::", "(this computer), written as IPv6"),  # 6to4 carrying 127.0.0.1
    ],
)
def test_non_public_addresses_are_named(address: str, words: str) -> None:
    problem = address_problem(address)
    assert problem is not None and words in problem


@pytest.mark.parametrize("address", ["8.8.8.8", "93.184.216.34", "2606:4700:4700::1111"])
def test_public_addresses_pass(address: str) -> None:
    assert address_problem(address) is None


def test_default_refuses_loopback_before_connecting(web: LocalServer) -> None:
    web.routes["/p"] = Route(page("<p>hello</p>"))
    with Fetcher(OPTS) as f:
        got = f.fetch(web.url("/p"))
    assert got.error is not None and got.body is None
    assert got.error.reason == "private-address"
    assert "loopback" in got.error.message and "127.0.0.1" in got.error.message
    assert "capture.allow_private_addresses" in (got.error.hint or "")
    assert "--allow-private" in (got.error.hint or "")
    assert web.log == []  # nothing reached the server
    (hop,) = got.exchanges
    assert hop.refused is not None and hop.status is None
    assert hop.summary()["refused"] == hop.refused


def test_a_name_is_judged_by_the_address_it_resolves_to(web: LocalServer) -> None:
    web.routes["/p"] = Route(page("<p>hello</p>"))
    with Fetcher(OPTS) as f:
        got = f.fetch(f"http://localhost:{web.port}/p")
    assert got.error is not None and got.error.reason == "private-address"
    assert "localhost (" in got.error.message and "loopback" in got.error.message
    assert web.log == []


def test_allowed_setting_fetches_from_loopback(web: LocalServer) -> None:
    web.routes["/p"] = Route(page("<p>hello</p>"))
    with Fetcher(FetchOptions(trust_env=False, allow_private_addresses=True)) as f:
        got = f.fetch(web.url("/p"))
    assert got.ok and b"hello" in (got.body or b"")


@pytest.mark.parametrize(
    ("target", "words"),
    [
        ("http://169.254.169.254/latest/meta-data/", "cloud metadata"),
        ("http://127.0.0.2:{port}/p", "loopback"),
        ("http://[::ffff:127.0.0.2]:{port}/p", "(this computer), written as IPv6"),
        ("http://0.0.0.0:{port}/p", "unspecified"),
        ("http://10.255.255.1/admin", "private"),
    ],
)
def test_redirect_from_an_allowed_to_a_forbidden_address_is_refused(
    web: LocalServer, target: str, words: str
) -> None:
    location = target.format(port=web.port)
    web.routes["/start"] = Route(status=302, headers=[("Location", location)])
    with Fetcher(ONLY_HERE) as f:
        got = f.fetch(web.url("/start"))
    assert got.error is not None and got.error.reason == "private-address", got.error
    assert words in got.error.message
    assert [p for p in web.paths()] == ["/start"]  # the forbidden hop was never contacted
    first, refused = got.exchanges
    assert first.status == 302 and first.refused is None
    assert refused.url.startswith(location.split("/p")[0].split("/latest")[0].split("/admin")[0])
    assert refused.refused is not None and words in refused.refused
    assert got.redirect_chain[0]["status"] == 302


def test_redirect_to_another_port_of_an_allowed_host_is_followed_and_recorded(
    web: LocalServer, server: LocalServer
) -> None:
    from capture_server import start_server

    other = start_server()
    try:
        other.routes["/there"] = Route(page("<p>other port</p>"))
        web.routes["/start"] = Route(status=301, headers=[("Location", other.url("/there"))])
        with Fetcher(ONLY_HERE) as f:
            got = f.fetch(web.url("/start"))
        assert got.ok, got.error
        assert got.redirect_chain[0]["server_port"] == web.port
        assert got.final is not None and got.final.server_port == other.port
    finally:
        other.stop()


# --- through the service, the settings and the command line -------------------------------------


def test_capture_service_records_the_refusal_and_the_setting_allows(
    store: CaseStore, web: LocalServer
) -> None:
    case = cases.new_case(store, "Case SSRF")
    web.routes["/p"] = Route(page("<p>hello</p>"))
    options = capture.CaptureOptions(fetch=OPTS)
    refused = capture.capture_urls(store, case.id, [web.url("/p")], options=options)
    (result,) = refused.results
    assert result.error is not None and result.error["reason"] == "private-address"
    assert web.log == []
    with store.session() as s:
        (row,) = s.scalars(select(Capture).where(Capture.case_id == case.id))
        assert row.error is not None and "loopback" in row.error
        (hop,) = row.details["exchanges"]
        assert "loopback" in hop["refused"] and hop["server_address"] == "127.0.0.1"
        assert row.details["options"]["allow_private_addresses"] is False
        actions = list(s.scalars(select(AuditEvent.action)))
    assert "capture.failed" in actions

    assert settings.set_capture_allows_private(store, "true") is True
    assert settings.capture_allows_private(store)
    allowed = capture.capture_urls(store, case.id, [web.url("/p")], options=options)
    assert allowed.results[0].error is None
    with store.session() as s:
        rows = list(s.scalars(select(Capture).where(Capture.error.is_(None))))
        assert rows[0].details["options"]["allow_private_addresses"] is True
    with pytest.raises(Exception, match="not true or false"):
        settings.set_capture_allows_private(store, "maybe")


def test_service_records_a_refused_redirect_hop_in_the_capture(
    store: CaseStore, web: LocalServer
) -> None:
    case = cases.new_case(store, "Case hop")
    meta = "http://169.254.169.254/latest/meta-data/iam"
    web.routes["/post"] = Route(status=302, headers=[("Location", meta)])
    got = capture.capture_urls(
        store, case.id, [web.url("/post")], options=capture.CaptureOptions(fetch=ONLY_HERE)
    )
    assert got.results[0].error is not None
    with store.session() as s:
        (row,) = s.scalars(select(Capture).where(Capture.case_id == case.id))
        assert row.redirect_chain[0]["status"] == 302
        assert row.redirect_chain[0]["location"] == meta
        _first, hop = row.details["exchanges"]
        assert hop["url"] == meta and "cloud metadata" in hop["refused"]
        assert "cloud metadata" in json.dumps(row.details["error"])


def test_cli_refuses_by_default_and_allow_private_or_the_setting_allows(
    cli: Cli, web: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "v"
    vault, _ = Vault.create(folder, PASSPHRASE, kdf=fast_kdf(), actor="t")
    cases.new_case(vault, "Case C")
    vault.close()
    monkeypatch.setenv("NCII_DESK_VAULT", str(folder))
    monkeypatch.setenv("NCII_DESK_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("NO_PROXY", "*")
    monkeypatch.setenv("no_proxy", "*")
    web.routes["/p"] = Route(page("<p>hello</p>"))
    refused = cli("capture", "Case C", web.url("/p"), "--json")
    assert refused.json()["results"][0]["error"]["reason"] == "private-address"
    ok = cli("capture", "Case C", web.url("/p"), "--allow-private", "--json")
    assert ok.json()["results"][0]["error"] is None, ok.out
    assert cli("settings", "set", "capture.allow_private_addresses", "true").rc == 0
    again = cli("capture", "Case C", web.url("/p"), "--json")
    assert again.json()["results"][0]["error"] is None
