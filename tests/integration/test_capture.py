"""Capturing web addresses into a case: stored bytes, WARC, matches, failures, re-checks,
custody and the file-intake record.

Real servers on 127.0.0.1 (tests/capture_server.py) serve generated benign pictures and
scikit-image sample photos. Every test checks that nothing outside 127.0.0.1 was contacted.
"""

from __future__ import annotations

import hashlib
import io
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from capture_server import (
    LocalServer,
    Route,
    closed_port,
    image_bytes,
    page,
    photo_bytes,
    start_server,
)
from sqlalchemy import func, select
from storekit import blob_files, store_folder
from warcio.archiveiterator import ArchiveIterator

from ncii_desk.capture.web import FetchOptions
from ncii_desk.errors import NciiDeskError
from ncii_desk.services import capture as cs
from ncii_desk.services import cases, intake, items, matching
from ncii_desk.services.jobs import Job
from ncii_desk.vault import Vault
from ncii_desk.vault.models import (
    AuditEvent,
    Blob,
    Capture,
    EvidenceItem,
    HashRecord,
    Recheck,
    Role,
    Source,
)
from ncii_desk.vault.store import CaseStore

skdata = pytest.importorskip("skimage.data")

FETCH = FetchOptions(
    connect_timeout=2.0, read_timeout=0.5, total_timeout=1.5, max_bytes=300_000, trust_env=False
)
OPTS = cs.CaptureOptions(fetch=FETCH)


@pytest.fixture(autouse=True)
def connections(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Every address connected to and every name looked up; all must stay on 127.0.0.1."""
    seen: list[Any] = []
    real_connect, real_lookup = socket.create_connection, socket.getaddrinfo

    def connect(address: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(("connect", address[0]))
        return real_connect(address, *args, **kwargs)

    def lookup(host: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(("lookup", host))
        return real_lookup(host, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", connect)
    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    yield seen
    assert all(host == "127.0.0.1" for _kind, host in seen), seen  # no names, no other hosts


@pytest.fixture
def case_id(store: CaseStore) -> str:
    return cases.new_case(store, "Case capture", client_pseudonym="Robin").id


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _stored(vault: Vault, item_id: str) -> bytes:
    with vault.session() as s:
        item = s.get(EvidenceItem, item_id)
        assert item is not None and item.blob_id is not None
        blob = s.get(Blob, item.blob_id)
        assert blob is not None
    return vault.read_blob(blob)


def _blob_ids_on_disk(vault: Vault) -> set[str]:
    return {p.name for p in blob_files(vault)}


def _blob_rows(vault: Vault) -> set[str]:
    with vault.session() as s:
        return set(s.scalars(select(Blob.id)))


def _count(vault: Vault, model: Any) -> int:
    with vault.session() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _actions(vault: Vault, object_id: str) -> list[str]:
    with vault.session() as s:
        rows = s.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.object_id == object_id)
            .order_by(AuditEvent.seq)
        )
        return list(rows)


def _warc_records(data: bytes) -> list[dict[str, Any]]:
    out = []
    for rec in ArchiveIterator(io.BytesIO(data), check_digests=True):
        body = rec.content_stream().read()
        out.append(
            {
                "type": rec.rec_type,
                "uri": rec.rec_headers.get_header("WARC-Target-URI"),
                "id": rec.rec_headers.get_header("WARC-Record-ID"),
                "concurrent": rec.rec_headers.get_header("WARC-Concurrent-To"),
                "ip": rec.rec_headers.get_header("WARC-IP-Address"),
                "digest_ok": rec.digest_checker.passed,
                "status": rec.http_headers.get_statuscode() if rec.http_headers else None,
                "body": body,
                "headers": rec.http_headers,
            }
        )
    return out


# --- a page with its pictures -----------------------------------------------------------------


def _gallery(web: LocalServer) -> dict[str, bytes]:
    """A page reached through a redirect, referencing media in every common way."""
    served = {
        "/media/a.png": image_bytes(1),
        "/media/a-2x.png": image_bytes(2),
        "/media/og.jpg": image_bytes(3, fmt="JPEG"),
        "/media/bg.png": image_bytes(4),
        "/media/full.jpg": image_bytes(5, fmt="JPEG"),
        "/media/poster.png": image_bytes(6),
        "/media/disguised": image_bytes(7),  # a PNG the server labels text/html
    }
    html = page(
        '<img src="/media/a.png" srcset="/media/a.png 1x, /media/a-2x.png 2x">'
        '<div style="background:url(/media/bg.png)"></div>'
        '<a href="/media/full.jpg">full size</a><video poster="/media/poster.png"></video>'
        '<img src="/media/disguised"><a href="/about.html">about</a>',
        head='<meta property="og:image" content="/media/og.jpg">',
    )
    web.routes["/p/123"] = Route(status=302, headers=[("Location", "/gallery/post")])
    web.routes["/gallery/post"] = Route(html, headers=[("X-Gallery", "test")], gzip=True)
    for path, data in served.items():
        kind = "text/html" if path.endswith("disguised") else None
        mime = kind or ("image/jpeg" if path.endswith(".jpg") else "image/png")
        web.routes[path] = Route(data, content_type=mime)
    served["/gallery/post"] = html
    return served


def test_page_and_every_picture_stored_byte_for_byte_with_a_replayable_warc(
    store: CaseStore, case_id: str, web: LocalServer
) -> None:
    served = _gallery(web)
    batch = cs.capture_urls(store, case_id, [web.url("/p/123")], options=OPTS)
    assert not batch.cancelled and batch.failed == 0
    (result,) = batch.results
    assert result.ok and result.mode == "page"
    assert result.final_url == web.url("/gallery/post") and result.http_status == 200
    assert result.links_found == 7 and result.links_discarded == 0

    # every resource is its own item, holding exactly the bytes that were served
    by_path = {r.url.split(str(web.port), 1)[1]: r for r in result.resources}
    assert set(by_path) == set(served) - {"/gallery/post"}
    assert result.main is not None and result.main.item_id is not None
    assert _stored(store, result.main.item_id) == served["/gallery/post"]
    for path, res in by_path.items():
        assert res.error is None and res.item_id is not None, path
        assert res.sha256 == _sha(served[path])
        assert _stored(store, res.item_id) == served[path], path
    assert by_path["/media/a-2x.png"].via == "img srcset"
    assert by_path["/media/og.jpg"].via == "meta og:image"
    assert by_path["/media/bg.png"].via == "div style url()"
    assert by_path["/media/full.jpg"].via == "a href"
    disguised = by_path["/media/disguised"]
    assert (disguised.declared_type, disguised.sniffed_type) == ("text/html", "image/png")

    with store.session() as s:
        cap = s.get(Capture, result.capture_id)
        assert cap is not None
        rows = list(s.scalars(select(EvidenceItem).where(EvidenceItem.capture_id == cap.id)))
        assert len(rows) == 8
        assert all(i.role == Role.SUSPECT and i.source == Source.URL for i in rows)
        assert {i.id for i in rows} == set(result.item_ids)
        main = s.get(EvidenceItem, result.main.item_id)
        assert main is not None and main.mime == "text/html" and main.original_filename == "post"
        item = s.get(EvidenceItem, disguised.item_id)
        assert item is not None and item.mime == "image/png"
        assert item.details["declared_type"] == "text/html"
        assert item.details["page_url"] == web.url("/gallery/post")
        # the capture record: where, when, how
        assert cap.url == web.url("/p/123") and cap.final_url == web.url("/gallery/post")
        assert [(h["status"], h["url"], h["location"]) for h in cap.redirect_chain] == [
            (302, web.url("/p/123"), "/gallery/post")
        ]
        assert cap.http_status == 200 and cap.error is None
        assert cap.headers["X-Gallery"] == "test"
        assert cap.headers["Content-Encoding"] == "gzip"
        assert cap.server_address == "127.0.0.1" and cap.details["server_port"] == web.port
        assert cap.tool_name == "NCII Desk" and cap.tool_version
        assert cap.operator == "test-advocate" and cap.user_agent == FETCH.user_agent
        assert cap.tls_verified is True and cap.tls == {}
        assert cap.ended_at is not None and cap.started_at <= cap.ended_at
        assert cap.details["options"]["max_bytes"] == 300_000
        assert cap.details["options"]["cookies"] is False
        assert cap.details["page"]["title"] == "Test page"
        assert cap.details["main_sha256"] == _sha(served["/gallery/post"])
        warc_blob = s.get(Blob, cap.warc_blob_id)
        assert warc_blob is not None and warc_blob.sha256 == result.warc_sha256

    # the WARC: digests check, every exchange is there and replays the served bytes
    warc = cs.read_warc(store, result.capture_id or "")
    assert _sha(warc) == result.warc_sha256 and len(warc) == result.warc_size
    records = _warc_records(warc)
    assert all(r["digest_ok"] is not False for r in records)
    assert records[0]["type"] == "warcinfo" and records[-1]["type"] == "metadata"
    responses = {r["uri"]: r for r in records if r["type"] == "response"}
    requests = [r for r in records if r["type"] == "request"]
    assert set(responses) == {web.url(p) for p in served} | {web.url("/p/123")}
    assert responses[web.url("/p/123")]["status"] == "302"
    for path, data in served.items():
        replay = responses[web.url(path)]
        assert replay["body"] == data, path
        assert replay["ip"] == "127.0.0.1"
    assert {r["concurrent"] for r in requests} == {r["id"] for r in responses.values()}
    gz = responses[web.url("/gallery/post")]["headers"]
    assert gz.get_header("Content-Encoding") == "gzip"
    meta = json.loads(records[-1]["body"])
    assert meta["capture_id"] == result.capture_id and meta["operator"] == "test-advocate"
    assert meta["redirect_chain"][0]["status"] == 302

    # the page was also drawn from its WARC (through the redirect and the gzip body)
    assert _actions(store, result.capture_id or "") == ["capture.created", "capture.screenshot"]
    assert _blob_ids_on_disk(store) == _blob_rows(store)
    assert store.check().ok


def test_captured_pictures_are_matched_to_the_victims_originals(
    store: CaseStore, case_id: str, web: LocalServer, tmp_path: Path
) -> None:
    astronaut = np.ascontiguousarray(skdata.astronaut())
    (tmp_path / "orig").mkdir()
    (tmp_path / "orig" / "astronaut.jpg").write_bytes(photo_bytes(astronaut))
    added = intake.add_items(store, case_id, Role.ORIGINAL, [tmp_path / "orig"])
    matching.hash_items(store, added.sources, workers=1)
    original_id = added.added[0].id

    web.routes["/post"] = Route(page('<img src="/repost.jpg"><img src="/other.jpg">'))
    web.routes["/repost.jpg"] = Route(
        photo_bytes(astronaut[:, ::-1], quality=70), content_type="image/jpeg"
    )
    web.routes["/other.jpg"] = Route(
        photo_bytes(np.ascontiguousarray(skdata.coffee())), content_type="image/jpeg"
    )
    batch = cs.capture_urls(store, case_id, [web.url("/post")], options=OPTS)
    (result,) = batch.results
    repost = next(r for r in result.resources if r.url.endswith("/repost.jpg"))
    other = next(r for r in result.resources if r.url.endswith("/other.jpg"))
    assert batch.new_matches == 1
    assert [(m["item_id"], m["original_item_id"]) for m in result.matches] == [
        (repost.item_id, original_id)
    ]
    assert result.matches[0]["url"] == web.url("/repost.jpg")
    assert result.matches[0]["distance"] <= result.matches[0]["threshold"]
    view = cs.get_capture(store, result.capture_id or "")
    assert [m["match_id"] for m in view.matches] == [m["match_id"] for m in result.matches]
    for res in (repost, other):
        assert res.item_id is not None
        assert _actions(store, res.item_id) == ["item.added", "item.hashed"]
    with store.session() as s:
        pdq = s.scalars(
            select(HashRecord).where(HashRecord.item_id == other.item_id, HashRecord.kind == "pdq")
        ).first()
        assert pdq is not None and len(pdq.value) == 64


# --- bad input: each address fails alone, nothing half-stored ---------------------------------


def test_bad_addresses_fail_one_by_one_and_the_batch_goes_on(
    store: CaseStore, case_id: str, web: LocalServer, tls_server: LocalServer
) -> None:
    good = image_bytes(11)
    web.routes["/good.png"] = Route(good, content_type="image/png")
    web.routes["/loop"] = Route(status=302, headers=[("Location", "/loop")])
    web.routes["/drip"] = Route(b"x" * 4000, drip_s=0.2)
    web.routes["/huge.jpg"] = Route(b"\xff\xd8\xff" + b"x" * 400_000, content_type="image/jpeg")
    web.routes["/silent"] = Route(page("too late"), delay_s=1.2)
    tls_server.routes["/secure"] = Route(page("secure page"))
    urls = [
        web.url("/good.png"),
        "https://pictures.example.invalid/a.jpg",
        f"http://127.0.0.1:{closed_port()}/x",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "ftp://127.0.0.1/x.jpg",
        web.url("/loop"),
        web.url("/drip"),
        web.url("/silent"),
        web.url("/huge.jpg"),
        web.url("/missing"),
        tls_server.url("/secure"),
        web.url("/good.png"),
    ]
    batch = cs.capture_urls(store, case_id, urls, options=OPTS)
    reasons = [r.error["reason"] if r.error else "ok" for r in batch.results]
    assert reasons == [
        "ok",
        "dns",
        "unreachable",
        "scheme",
        "scheme",
        "scheme",
        "redirect-loop",
        "deadline",
        "read-timeout",
        "too-large",
        "http-status",
        "tls",
        "ok",
    ]
    assert batch.failed == 11
    for r in batch.results[1:-1]:
        assert r.error and r.error["message"] and r.error["hint"]
        assert r.item_ids == [] and r.capture_id is not None
    # the second capture of the same bytes is linked to the first, stored once
    first, again = batch.results[0], batch.results[-1]
    assert first.main and again.main and again.main.duplicate_of == first.main.item_id
    assert _stored(store, again.main.item_id or "") == good
    # failed attempts are recorded (time, reason), with no content and no WARC
    with store.session() as s:
        failed = list(s.scalars(select(Capture).where(Capture.error.is_not(None))))
        assert len(failed) == 11
        assert all(c.warc_blob_id is None and c.details["error"]["reason"] for c in failed)
        loop = next(c for c in failed if c.url.endswith("/loop"))
        assert loop.http_status == 302 and loop.details["exchanges"][0]["status"] == 302
        assert s.scalar(select(func.count()).select_from(EvidenceItem)) == 2
    assert [a for r in batch.results[1:-1] for a in _actions(store, r.capture_id or "")] == [
        "capture.failed"
    ] * 11
    assert _blob_ids_on_disk(store) == _blob_rows(store)
    assert len(_blob_rows(store)) == 3  # one picture + two WARC files
    assert store.check().ok


def test_resources_of_a_page_fail_alone_and_are_listed(
    store: CaseStore, case_id: str, web: LocalServer
) -> None:
    ok = image_bytes(21)
    web.routes["/page"] = Route(
        page(
            '<img src="/ok.png"><img src="/404.png"><img src="/fake.jpg"><img src="/big.png">'
            '<img src="/drip.png">'
        )
    )
    web.routes["/ok.png"] = Route(ok, content_type="image/png")
    web.routes["/fake.jpg"] = Route(page("sorry, not an image"), content_type="image/jpeg")
    web.routes["/big.png"] = Route(b"\x89PNG\r\n\x1a\n" + bytes(400_000), content_type="image/png")
    web.routes["/drip.png"] = Route(
        b"\x89PNG\r\n\x1a\n" * 500, content_type="image/png", drip_s=0.2
    )
    (result,) = cs.capture_urls(store, case_id, [web.url("/page")], options=OPTS).results
    assert result.ok
    outcome = {
        r.url.rsplit("/", 1)[1]: (r.error or {}).get("reason", "stored") for r in result.resources
    }
    assert outcome == {
        "ok.png": "stored",
        "404.png": "http-status",
        "fake.jpg": "not-media",
        "big.png": "too-large",
        "drip.png": "deadline",
    }
    assert len(result.item_ids) == 2
    view = cs.get_capture(store, result.capture_id or "")
    listed = {r["url"].rsplit("/", 1)[1]: r for r in view.details["resources"]}
    assert listed["fake.jpg"]["error"]["reason"] == "not-media"
    assert listed["ok.png"]["item_id"] in view.item_ids
    # complete answers are archived (the 404 and the page posing as an image are evidence
    # too); responses cut off by a limit are not
    responses = {
        r["uri"].rsplit("/", 1)[1]: r
        for r in _warc_records(cs.read_warc(store, view.id))
        if r["type"] == "response"
    }
    assert set(responses) == {"page", "ok.png", "404.png", "fake.jpg"}
    assert responses["ok.png"]["body"] == ok
    assert _blob_ids_on_disk(store) == _blob_rows(store)


def test_thousands_of_links_are_capped_with_the_count_reported(
    store: CaseStore, case_id: str, web: LocalServer
) -> None:
    tiny = image_bytes(5, size=(16, 16))
    web.set_fallback(
        lambda path: Route(tiny, content_type="image/png") if path.startswith("/t/") else None
    )
    web.routes["/wall"] = Route(page("".join(f'<img src="/t/{i}.png">' for i in range(2500))))
    options = cs.CaptureOptions(fetch=FETCH, max_media_links=25, hash_and_match=False)
    (result,) = cs.capture_urls(store, case_id, [web.url("/wall")], options=options).results
    assert result.ok
    assert (result.links_found, result.links_discarded) == (2500, 2475)
    assert len(result.resources) == 25
    assert len([p for p in web.paths() if p.startswith("/t/")]) == 25
    page_details = cs.get_capture(store, result.capture_id or "").details["page"]
    assert page_details["links_found"] == 2500 and page_details["links_discarded"] == 2475
    # the same bytes 25 times: 25 items (each is where it was found), one stored copy
    assert len(result.item_ids) == 26
    assert len(_blob_rows(store)) == 4  # page, one picture, WARC, screenshot of the page


def test_malformed_page_labelled_as_an_image_is_still_read_as_a_page(
    store: CaseStore, case_id: str, web: LocalServer
) -> None:
    pic = image_bytes(31)
    broken = b"<div><p>unclosed <b>tags <img src=/pic.png <table><tr><td>text</div></span>"
    web.routes["/weird"] = Route(broken, content_type="image/jpeg")
    web.routes["/pic.png"] = Route(pic, content_type="image/png")
    (result,) = cs.capture_urls(store, case_id, [web.url("/weird")], options=OPTS).results
    assert result.ok and result.mode == "page"
    assert [r.sha256 for r in result.resources] == [_sha(pic)]
    view = cs.get_capture(store, result.capture_id or "")
    assert view.details["declared_type"] == "image/jpeg"
    assert view.details["sniffed_type"] == "application/octet-stream"


def test_insecure_tls_override_is_recorded_with_the_certificate(
    store: CaseStore, case_id: str, tls_server: LocalServer
) -> None:
    pic = image_bytes(41)
    tls_server.routes["/img.png"] = Route(pic, content_type="image/png")
    options = cs.CaptureOptions(fetch=FetchOptions(trust_env=False, verify_tls=False))
    (result,) = cs.capture_urls(
        store, case_id, [tls_server.url("/img.png")], options=options
    ).results
    assert result.ok and result.mode == "media" and result.main is not None
    assert _stored(store, result.main.item_id or "") == pic
    cert = tls_server.server.socket.context.cert_der  # type: ignore[attr-defined]
    view = cs.get_capture(store, result.capture_id or "")
    assert view.tls_verified is False
    assert view.tls["certificate_sha256"] == _sha(cert)
    assert view.tls["issuer"] == "CN=NCII Desk test server"
    assert view.details["options"]["verify_tls"] is False
    with store.session() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "capture.created")).one()
    assert json.loads(event.details)["tls_verified"] is False


# --- re-checks ---------------------------------------------------------------------------------


def test_recheck_detects_removal_change_and_errors(
    store: CaseStore, case_id: str, web: LocalServer, tls_server: LocalServer
) -> None:
    other = start_server()  # a site that will go offline
    try:
        pics = {f"/{n}.png": image_bytes(50 + i) for i, n in enumerate("abcdefgh")}
        for path, data in pics.items():
            web.routes[path] = Route(data, content_type="image/png")
        web.routes["/post-a"] = Route(page('<img src="/a.png">'))
        web.routes["/post-d"] = Route(page('<img src="/d.png">'))
        web.routes["/post-e"] = Route(page('<img src="/e.png"><img src="/f.png">'))
        web.routes["/post-f"] = Route(page('<img src="/g.png">'))
        web.routes["/post-i"] = Route(page('<img src="/h.png">'))
        tls_server.routes["/t.png"] = Route(image_bytes(70), content_type="image/png")
        other.routes["/o.png"] = Route(image_bytes(71), content_type="image/png")
        urls = {
            "page-404": web.url("/post-a"),
            "media-410": web.url("/b.png"),
            "media-changed": web.url("/c.png"),
            "notice": web.url("/post-d"),
            "media-removed": web.url("/post-e"),
            "unchanged": web.url("/post-f"),
            "home": web.url("/post-i"),
            "tls-override": tls_server.url("/t.png"),
            "offline": other.url("/o.png"),
        }
        insecure = cs.CaptureOptions(fetch=FetchOptions(trust_env=False, verify_tls=False))
        batch = cs.capture_urls(store, case_id, list(urls.values())[:-2], options=OPTS)
        batch2 = cs.capture_urls(store, case_id, list(urls.values())[-2:], options=insecure)
        assert batch.failed == batch2.failed == 0
        first = cs.recheck_case(store, case_id, options=OPTS)
        assert [r.outcome for r in first] == ["still_up"] * 9

        web.routes["/post-a"] = Route(page("gone"), status=404)
        web.routes["/b.png"] = Route(page("gone"), status=410)
        web.routes["/c.png"] = Route(image_bytes(99), content_type="image/png")
        web.routes["/post-d"] = Route(
            page('<img src="/d.png"><p>This content is no longer available.</p>')
        )
        web.routes["/e.png"] = Route(status=404)
        web.routes["/f.png"] = Route(page("removed"), content_type="image/png")
        web.routes["/post-i"] = Route(status=302, headers=[("Location", "/")])
        web.routes["/"] = Route(page("welcome to the site"))
        other.stop()
        second = {r.url: r for r in cs.recheck_case(store, case_id, options=OPTS)}
    finally:
        other.stop()
    outcome = {name: second[url].outcome for name, url in urls.items()}
    assert outcome == {
        "page-404": "gone",
        "media-410": "gone",
        "media-changed": "changed",
        "notice": "gone",
        "media-removed": "gone",
        "unchanged": "still_up",
        "home": "gone",
        "tls-override": "still_up",
        "offline": "error",
    }
    assert second[urls["page-404"]].http_status == 404
    assert second[urls["media-410"]].http_status == 410
    changed = second[urls["media-changed"]]
    assert changed.content_sha256 == _sha(image_bytes(99))
    assert changed.details["previous_sha256"] == _sha(pics["/c.png"])
    assert "removal notice" in second[urls["notice"]].details["reason"]
    assert second[urls["media-removed"]].details["media"] == {
        web.url("/e.png"): "gone",
        web.url("/f.png"): "gone",
    }
    assert second[urls["tls-override"]].details["tls_verified"] is False
    offline = second[urls["offline"]].details
    assert offline["error"]["reason"] == "unreachable" and offline["reason"]
    assert _count(store, Recheck) == 18
    rows = cs.list_rechecks(store, case_id)
    assert len(rows) == 18 and all(r.checked_at for r in rows)
    with store.session() as s:
        n = s.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "capture.rechecked")
        )
    assert n == 18


# --- custody -----------------------------------------------------------------------------------


def test_custody_lists_capture_hashing_recheck_and_exports_in_order(
    store: CaseStore, case_id: str, web: LocalServer, tmp_path: Path
) -> None:
    pic = image_bytes(81)
    web.routes["/post"] = Route(page('<img src="/p.png">'))
    web.routes["/p.png"] = Route(pic, content_type="image/png")
    (result,) = cs.capture_urls(store, case_id, [web.url("/post")], options=OPTS).results
    item_id = result.resources[0].item_id or ""
    cs.recheck_case(store, case_id, options=OPTS)
    out = cs.export_warc(store, result.capture_id or "", tmp_path, reason="for the court")
    items.export_item(store, item_id, tmp_path, reason="letter")
    view = cs.custody(store, item_id[:10])
    actions = [e["action"] for e in view.events]
    assert actions == [
        "capture.created",
        "item.added",
        "capture.screenshot",  # the page, drawn from the WARC
        "item.hashed",
        "capture.rechecked",
        "capture.exported",
        "item.exported",
    ]
    seqs = [e["seq"] for e in view.events]
    assert seqs == sorted(seqs)
    exported = view.events[5]["details"]
    assert exported["sha256"] == _sha(out.read_bytes()) and exported["reason"] == "for the court"
    assert view.audit_chain_ok and view.audit_events_total >= len(view.events)
    assert view.item["sha256"] == _sha(pic) and view.item["details"]["url"] == web.url("/p.png")
    assert view.capture is not None and view.capture["id"] == result.capture_id
    assert view.capture["server_address"] == "127.0.0.1"
    with pytest.raises(NciiDeskError):
        cs.export_warc(store, result.capture_id or "", out)  # exists, no overwrite


def test_file_intake_records_name_path_size_and_times_in_a_capture(
    store: CaseStore, case_id: str, tmp_path: Path
) -> None:
    folder = tmp_path / "found" / "phone"
    (folder / "2024").mkdir(parents=True)
    data = image_bytes(91)
    (folder / "2024" / "shot.png").write_bytes(data)
    (folder / "copy.png").write_bytes(data)
    # again: the copy is recorded too (by default it is reported as already in the case)
    result = intake.add_items(store, case_id, Role.SUSPECT, [folder], again=True)
    assert len(result.added) == 2
    with store.session() as s:
        rows = {
            i.original_filename: i
            for i in s.scalars(select(EvidenceItem).where(EvidenceItem.case_id == case_id))
        }
        caps = {c.id: c for c in s.scalars(select(Capture))}
    shot_item = rows["shot.png"]
    cap = caps[shot_item.capture_id or ""]
    assert cap.url == "file:phone/2024/shot.png"
    assert cap.details["kind"] == "file" and cap.details["source"] == "folder-scan"
    assert cap.details["relative_path"] == "phone/2024/shot.png"
    assert cap.details["name"] == "shot.png" and cap.details["size"] == len(data)
    assert cap.details["modified_at"] == shot_item.file_mtime.isoformat().replace("+00:00", "Z")
    assert "metadata_changed_at" in cap.details or "created_at" in cap.details
    assert cap.operator == "test-advocate" and cap.tool_name == "NCII Desk"
    assert cap.ended_at is not None and cap.started_at <= cap.ended_at
    first, dup = sorted(rows.values(), key=lambda i: i.duplicate_of is not None)
    assert (first.duplicate_of, dup.duplicate_of) == (None, first.id)
    assert dup.blob_id == first.blob_id and dup.capture_id != first.capture_id
    assert len(_blob_rows(store)) == 1
    assert cs.list_captures(store, case_id) == []  # web captures only by default
    assert len(cs.list_captures(store, case_id, include_files=True)) == 2
    view = cs.custody(store, shot_item.id)
    assert view.capture is not None and view.capture["kind"] == "file"
    assert [e["action"] for e in view.events] == ["item.added"]
    assert view.events[0]["details"]["capture_id"] == shot_item.capture_id
    with pytest.raises(NciiDeskError) as info:
        cs.export_warc(store, shot_item.capture_id or "", tmp_path)
    assert "file taken in" in info.value.message


# --- suspected minor, cancel -------------------------------------------------------------------


def test_suspected_minor_case_keeps_hashes_only_and_no_warc(
    store: CaseStore, web: LocalServer, tmp_path: Path
) -> None:
    case = cases.new_case(store, "Minor case", suspected_minor=True)
    pic = image_bytes(101)
    web.routes["/post"] = Route(page('<img src="/m.png">'))
    web.routes["/m.png"] = Route(pic, content_type="image/png")
    before = _blob_ids_on_disk(store)
    (result,) = cs.capture_urls(store, case.id, [web.url("/post")], options=OPTS).results
    assert result.ok and len(result.item_ids) == 2
    assert result.warc_sha256 is None
    assert _blob_ids_on_disk(store) == before == set()
    with store.session() as s:
        rows = list(s.scalars(select(EvidenceItem).where(EvidenceItem.case_id == case.id)))
        assert all(not i.pixels_kept and i.blob_id is None for i in rows)
        image = next(i for i in rows if i.mime == "image/png")
        assert image.sha256 == _sha(pic)
        kinds = set(s.scalars(select(HashRecord.kind).where(HashRecord.item_id == image.id)))
    assert "pdq" in kinds
    view = cs.get_capture(store, result.capture_id or "")
    assert view.warc_blob_id is None and view.details["warc"]["kept"] is False
    with pytest.raises(NciiDeskError) as info:
        cs.export_warc(store, view.id, tmp_path)
    assert "under 18" in info.value.message


def test_cancel_during_a_page_keeps_nothing_of_it_and_stops_the_batch(
    store: CaseStore, case_id: str, web: LocalServer
) -> None:
    job = Job()
    calls: list[tuple[int, int, str]] = []
    job.on_progress = lambda done, total, message: calls.append((done, total, message))

    def cancel_on_third(path: str) -> Route | None:
        if path == "/c2.png":
            job.token.cancel()  # the person presses Cancel while the page is being fetched
            return Route(image_bytes(112), content_type="image/png")
        return None

    web.set_fallback(cancel_on_third)
    web.routes["/post"] = Route(page("".join(f'<img src="/c{i}.png">' for i in range(5))))
    for i in (0, 1, 3, 4):
        web.routes[f"/c{i}.png"] = Route(image_bytes(110 + i), content_type="image/png")
    web.routes["/next"] = Route(page("next"))
    batch = cs.capture_urls(store, case_id, [web.url("/post"), web.url("/next")], job, OPTS)
    assert batch.cancelled
    (result,) = batch.results
    assert result.error is not None and result.error["reason"] == "cancelled"
    assert web.paths() == ["/post", "/c0.png", "/c1.png", "/c2.png"]
    assert _count(store, Capture) == 0 and _count(store, EvidenceItem) == 0
    assert _blob_ids_on_disk(store) == set()
    assert calls[0] == (0, 2, "capturing address 1 of 2")
    step = "capturing address 1 of 2: fetching pictures and videos of the page"
    assert [c for c in calls if c[2].startswith(step)] == [
        (0, 2, f"{step} {k}/5") for k in range(3)
    ]


def test_nothing_of_a_capture_is_readable_outside_the_vault(
    store: CaseStore, case_id: str, web: LocalServer, isolated_user_dirs: Path
) -> None:
    from test_vault_at_rest import scan

    marker = "NCIIMARK" + hashlib.sha256(b"capture").hexdigest()[:16].upper() + "ZQX"
    pic = image_bytes(301, fmt="JPEG") + marker.encode()  # trailing bytes after the JPEG end
    web.routes[f"/{marker}/post"] = Route(
        page(f'<img src="/{marker}.jpg"><p>{marker}</p>', title=marker)
    )
    web.routes[f"/{marker}.jpg"] = Route(pic, content_type="image/jpeg")
    (result,) = cs.capture_urls(store, case_id, [web.url(f"/{marker}/post")], options=OPTS).results
    assert result.ok and len(result.item_ids) == 2
    assert marker.encode() in cs.read_warc(store, result.capture_id or "")  # it was captured
    assert scan([store_folder(store), isolated_user_dirs], marker) == []
