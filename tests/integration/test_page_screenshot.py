"""What the page looked like: a full-page screenshot drawn from the capture's WARC only.

A real HTTP server on 127.0.0.1 serves a long page with a known-coloured picture near its
bottom, a stylesheet and a frame that the capture does not archive. The screenshot (drawn
by the Qt WebEngine child process) must cover the whole scroll height, show the picture's
pixels, and never ask the server for anything: not the page again, not the resources that
are missing from the WARC.
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
from pathlib import Path

import numpy as np
import pytest
from capture_server import LocalServer, Route, image_bytes, page
from clikit import run_cli
from PIL import Image
from sqlalchemy import select

from conftest import PASSPHRASE, fast_kdf
from ncii_desk.capture.web import FetchOptions
from ncii_desk.services import capture as cs
from ncii_desk.services import cases, screenshots
from ncii_desk.vault import Vault
from ncii_desk.vault.models import AuditEvent, Blob, Capture
from ncii_desk.vault.store import CaseStore

pytest.importorskip("PySide6.QtWebEngineWidgets", exc_type=ImportError)

FETCH = FetchOptions(
    connect_timeout=2.0, read_timeout=2.0, total_timeout=5.0, max_bytes=2_000_000, trust_env=False
)
OPTS = cs.CaptureOptions(fetch=FETCH, hash_and_match=False)
MAGENTA = (255, 0, 255)
TALL = 4200  # px of filler above the picture: far taller than any first screen


def solid_png(colour: tuple[int, int, int], size: tuple[int, int] = (240, 160)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def long_page(web: LocalServer) -> None:
    """/long: a tall page with a magenta picture at the bottom; /style.css (a relative
    address) and /frame.html (an absolute http:// one) are offered by the server but are not
    pictures, so the capture does not archive them."""
    body = (
        f'<div style="height:{TALL}px;background:#dde7f0">top of the page</div>'
        '<img id="pic" src="/media/magenta.png" width="240" height="160">'
        f'<iframe src="{web.url("/frame.html")}" width="200" height="100"></iframe>'
        "<p>bottom of the page</p>"
    )
    head = '<link rel="stylesheet" href="/style.css">'
    web.routes["/long"] = Route(page(body, title="Long page", head=head))
    web.routes["/media/magenta.png"] = Route(solid_png(MAGENTA), content_type="image/png")
    web.routes["/style.css"] = Route(b"body{background:#00ff00}", content_type="text/css")
    web.routes["/frame.html"] = Route(page("frame"), content_type="text/html")


def stored_png(vault: Vault, capture_id: str) -> tuple[bytes, dict[str, object]]:
    with vault.session() as s:
        capture = s.get(Capture, capture_id)
        assert capture is not None
        shot = dict(capture.details["screenshot"])
        blob = s.get(Blob, shot["blob_id"])
        assert blob is not None
    return vault.read_blob(blob), shot


def test_screenshot_covers_the_scroll_height_from_the_warc_only(
    store: CaseStore, web: LocalServer
) -> None:
    case = cases.new_case(store, "Case shot")
    long_page(web)
    (result,) = cs.capture_urls(store, case.id, [web.url("/long")], options=OPTS).results
    assert result.ok and result.mode == "page"
    # The capture asked for the page and its picture, once each; the screenshot asked for
    # nothing (not the page again, not the stylesheet or frame the WARC lacks).
    assert sorted(web.paths()) == ["/long", "/media/magenta.png"]
    assert result.screenshot is not None and "note" not in result.screenshot
    png, shot = stored_png(store, str(result.capture_id))
    assert shot["made"] is True and shot["javascript"] is False
    assert shot["sha256"] == hashlib.sha256(png).hexdigest() == result.screenshot["sha256"]
    assert int(str(shot["not_in_warc"])) >= 2  # the stylesheet and the frame were refused
    picture = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    height, width, _ = picture.shape
    assert (width, height) == (shot["width"], shot["height"])
    assert height >= TALL + 160 and height == shot["page_height"] and shot["cut"] is False
    # The picture's pixels, from the WARC, are below the filler (page scrolled to the end).
    magenta = np.all(picture == MAGENTA, axis=-1)
    rows = np.flatnonzero(magenta.sum(axis=1) >= 200)
    assert rows.size >= 150 and rows.min() >= TALL
    # The stylesheet the WARC lacks was not applied (its green background is nowhere).
    assert not np.all(picture == (0, 255, 0), axis=-1).any()
    with store.session() as s:
        actions = list(
            s.scalars(select(AuditEvent.action).where(AuditEvent.object_id == result.capture_id))
        )
    assert actions.count("capture.screenshot") == 1


def test_a_tall_page_is_cut_at_the_limit_and_says_so(store: CaseStore, web: LocalServer) -> None:
    long_page(web)
    case = cases.new_case(store, "Case tall")
    (result,) = cs.capture_urls(
        store, case.id, [web.url("/long")], options=cs.CaptureOptions(FETCH, screenshot=False)
    ).results
    with store.session() as s:
        capture = s.get(Capture, result.capture_id)
        assert capture is not None and "screenshot" not in capture.details
        blob = s.get(Blob, capture.warc_blob_id)
        assert blob is not None
    warc = store.read_blob(blob)
    shot = screenshots.render_from_warc(warc, web.url("/long"), max_height=1000)
    assert shot.cut and shot.height == 1000 and shot.page_height > TALL
    assert Image.open(io.BytesIO(shot.png)).size == (shot.width, 1000)
    assert web.paths().count("/long") == 1  # drawn from the WARC, not fetched again


def test_screenshots_for_existing_captures_and_none_for_a_minor_case(
    store: CaseStore, web: LocalServer
) -> None:
    long_page(web)
    case = cases.new_case(store, "Case later")
    no_shot = cs.CaptureOptions(FETCH, hash_and_match=False, screenshot=False)
    (first,) = cs.capture_urls(store, case.id, [web.url("/long")], options=no_shot).results
    assert first.screenshot is None
    made = screenshots.make_screenshots(store, case.id)
    assert made.made == 1 and made.results[0].sha256
    png, shot = stored_png(store, str(first.capture_id))
    assert hashlib.sha256(png).hexdigest() == shot["sha256"] == made.results[0].sha256
    again = screenshots.make_screenshots(store, case.id)
    assert again.made == 0 and again.results[0].skipped == "already has a screenshot"
    # A possible minor: no WARC, no screenshot, and the command refuses.
    minor = cases.new_case(store, "Case minor", suspected_minor=True)
    (kept,) = cs.capture_urls(store, minor.id, [web.url("/long")], options=OPTS).results
    assert kept.ok and kept.screenshot is None
    with store.session() as s:
        capture = s.get(Capture, kept.capture_id)
        assert capture is not None and "screenshot" not in capture.details
    with pytest.raises(Exception, match="No screenshots are made for a case that may show"):
        screenshots.make_screenshots(store, minor.id)


def test_a_missing_renderer_leaves_a_note_and_the_capture_succeeds(
    store: CaseStore, web: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    long_page(web)
    case = cases.new_case(store, "Case no renderer")
    # The renderer module cannot be found, as when the package is not installed.
    monkeypatch.setattr(screenshots, "RENDERER_MODULE", "ncii_desk.gui.no_such_renderer")
    blobs_before = _blob_count(store)
    (result,) = cs.capture_urls(store, case.id, [web.url("/long")], options=OPTS).results
    assert result.ok and result.item_ids
    assert result.screenshot is not None
    assert str(result.screenshot["note"]).startswith("screenshot not made: ")
    with store.session() as s:
        capture = s.get(Capture, result.capture_id)
        assert capture is not None and capture.warc_blob_id is not None
        assert capture.details["screenshot"]["made"] is False
    # page, picture and WARC stored; no blob for a picture that was not made
    assert _blob_count(store) == blobs_before + 3


def test_the_renderer_refuses_a_warc_it_cannot_read() -> None:
    with pytest.raises(screenshots.ScreenshotNotMade, match="screenshot not made: the WARC"):
        screenshots.render_from_warc(b"not a warc at all\r\n\r\n", "http://127.0.0.1:9/")
    assert sys.executable  # the child runs with this interpreter


def _blob_count(vault: Vault) -> int:
    with vault.session() as s:
        return len(list(s.scalars(select(Blob.id))))


def test_marking_the_case_minor_removes_the_screenshot_with_the_warc(
    store: CaseStore, web: LocalServer
) -> None:
    from ncii_desk.services.minor import set_case_minor

    long_page(web)
    case = cases.new_case(store, "Case later minor")
    (result,) = cs.capture_urls(store, case.id, [web.url("/long")], options=OPTS).results
    png, shot = stored_png(store, str(result.capture_id))
    blob_id = str(shot["blob_id"])
    assert store.blobs.path_for(blob_id).exists()
    set_case_minor(store, case.id, True)
    assert not store.blobs.path_for(blob_id).exists()
    with store.session() as s:
        assert s.get(Blob, blob_id) is None
        capture = s.get(Capture, result.capture_id)
        assert capture is not None and capture.warc_blob_id is None
        kept = capture.details["screenshot"]
    assert kept["made"] is False and kept["removed"] is True and "blob_id" not in kept
    assert kept["sha256"] == hashlib.sha256(png).hexdigest()  # the record of what it was


def test_cli_capture_without_screenshot_then_capture_screenshot(
    tmp_path: Path,
    web: LocalServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = tmp_path / "vault"
    created, _ = Vault.create(root, PASSPHRASE, kdf=fast_kdf(), actor="cli-advocate")
    created.close()
    monkeypatch.setenv("NCII_DESK_VAULT", str(root))
    monkeypatch.setenv("NCII_DESK_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("NO_PROXY", "*")
    long_page(web)
    assert run_cli(capsys, "case", "new", "Case CLI shot").rc == 0
    rc, out, err = run_cli(
        capsys, "capture", "Case CLI shot", web.url("/long"), "--no-screenshot", "--json"
    )
    assert rc == 0, err
    (result,) = json.loads(out)["results"]
    assert result["screenshot"] is None
    rc, out, err = run_cli(capsys, "capture", "screenshot", "Case CLI shot")
    assert rc == 0, err
    assert f"OK      {result['capture_id'][:12]}" in out and "Made 1 screenshot(s)." in out
    rc, out, _ = run_cli(capsys, "capture", "show", result["capture_id"], "--json")
    shot = json.loads(out)["details"]["screenshot"]
    assert shot["made"] is True and len(shot["sha256"]) == 64 and shot["sha256"] in out
    rc, out, _ = run_cli(capsys, "capture", "screenshot", "Case CLI shot", "--json")
    assert rc == 0 and json.loads(out)["results"][0]["skipped"] == "already has a screenshot"


def test_packet_names_the_screenshot_and_seals_it_next_to_the_warc(
    store: CaseStore, web: LocalServer, tmp_path: Path
) -> None:
    import pypdf

    from ncii_desk.services import intake, matching, packets
    from ncii_desk.vault.models import Role

    case = cases.new_case(store, "Case packet shot", client_pseudonym="Client S")
    picture = image_bytes(31, size=(240, 160))
    original = tmp_path / "original.png"
    original.write_bytes(picture)
    added = intake.add_items(store, case.id, Role.ORIGINAL, [original])
    matching.hash_items(store, added.sources)
    long_page(web)
    web.routes["/media/magenta.png"] = Route(picture, content_type="image/png")  # a match
    options = cs.CaptureOptions(fetch=FETCH)
    (result,) = cs.capture_urls(store, case.id, [web.url("/long")], options=options).results
    assert result.ok and result.matches
    png, shot = stored_png(store, str(result.capture_id))
    out = tmp_path / "packet"
    packets.build_packet(store, case.id, out, sealed=True)
    sealed = sorted(p.name for p in (out / "sealed").iterdir())
    names = [n for n in sealed if n.endswith("-capture-screenshot.png")]
    assert len(names) == 1 and names[0].replace("-screenshot.png", ".warc") in sealed
    assert (out / "sealed" / names[0]).read_bytes() == png
    assert names[0] in (out / "sealed" / "manifest.csv").read_text()
    assert packets.verify_packet(out).ok
    reader = pypdf.PdfReader(str(out / "packet.pdf"))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "Page screenshot SHA-256" in text and str(shot["sha256"]) in text.replace(" ", "")
    assert f"sealed/{names[0]}" in text
    # The public volume shows no screenshot: only its small blurred exhibit thumbnails.
    for page_obj in reader.pages:
        xobjects = page_obj["/Resources"].get("/XObject") or {}
        for name in xobjects:
            image = xobjects[name].get_object()
            assert int(image.get("/Height", 0)) < 1000


def test_the_renderer_writes_nothing_to_disk(
    store: CaseStore, web: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """WARC in through a pipe, PNG out through a pipe: the home, cache, config, data and
    temporary folders the renderer is given stay empty."""
    long_page(web)
    case = cases.new_case(store, "Case disk")
    no_shot = cs.CaptureOptions(FETCH, hash_and_match=False, screenshot=False)
    (result,) = cs.capture_urls(store, case.id, [web.url("/long")], options=no_shot).results
    with store.session() as s:
        capture = s.get(Capture, result.capture_id)
        assert capture is not None
        blob = s.get(Blob, capture.warc_blob_id)
        assert blob is not None
    warc = store.read_blob(blob)
    folders = {
        name: tmp_path / name.lower()
        for name in ("HOME", "TMPDIR", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME")
    }
    for name, folder in folders.items():
        folder.mkdir()
        monkeypatch.setenv(name, str(folder))
    shot = screenshots.render_from_warc(warc, web.url("/long"))
    assert shot.png.startswith(b"\x89PNG") and shot.height > TALL
    left = {name: sorted(p.name for p in f.rglob("*")) for name, f in folders.items()}
    assert left == {name: [] for name in folders}
