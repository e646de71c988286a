"""What the page looked like: a full-page screenshot of each page capture, from its WARC.

The picture is drawn from the capture's own WARC records, never from a second visit: the
renderer (``ncii_desk.gui.warcshot``, Qt WebEngine, offscreen) runs as a child process started
with ``sys.executable -m``, so Qt stays in the GUI layer. The WARC goes to it over standard
input (decrypted in memory, never written to a file) and the PNG comes back over standard
output; the PNG is stored as an encrypted vault blob and recorded in the capture's details
(``details["screenshot"]``: SHA-256, size, width and height, the page's full height and
whether the picture was cut at ``MAX_HEIGHT``) with a ``capture.screenshot`` audit event.
Scripts of the page are off.

A screenshot is never made for a suspected-minor case (no WARC is kept there either), and
switching a case or an item to hashes only removes it with the WARC
(``services.items.drop_pixels``). When the renderer is missing or fails, the capture still
succeeds and its details say "screenshot not made: <why>".
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ncii_desk.errors import NciiDeskError
from ncii_desk.services import access
from ncii_desk.services.cases import find_case
from ncii_desk.services.jobs import Job
from ncii_desk.services.views import iso
from ncii_desk.vault.blobs import BlobInfo
from ncii_desk.vault.models import Blob, Capture
from ncii_desk.vault.store import CaseStore

#: The child process that draws the picture (a module of the GUI layer).
RENDERER_MODULE = "ncii_desk.gui.warcshot"
WIDTH = 1280
#: Taller pages are cut at this height (the details say so).
MAX_HEIGHT = 20000
#: Seconds the renderer may take for one page (start-up included).
TIMEOUT_S = 180
SOURCE = "drawn from this capture's WARC records only; the page was not visited again"


class ScreenshotNotMade(NciiDeskError):
    """The renderer could not draw the page; the message starts "screenshot not made"."""


@dataclass(frozen=True)
class Rendered:
    png: bytes
    width: int
    height: int
    page_height: int
    cut: bool
    not_in_warc: list[str]
    blocked: list[str]
    javascript: bool
    renderer: str


def render_from_warc(
    warc: bytes,
    url: str,
    *,
    javascript: bool = False,
    width: int = WIDTH,
    max_height: int = MAX_HEIGHT,
    timeout_s: float = TIMEOUT_S,
) -> Rendered:
    """The page at ``url`` drawn from ``warc`` by the renderer process; ScreenshotNotMade
    (with the reason) when it cannot be."""
    command = [
        sys.executable,
        "-m",
        RENDERER_MODULE,
        "--url",
        url,
        "--width",
        str(width),
        "--max-height",
        str(max_height),
        "--timeout",
        str(max(10.0, timeout_s - 30)),
    ]
    if javascript:
        command.append("--javascript")
    try:
        done = subprocess.run(
            command, input=warc, capture_output=True, timeout=timeout_s, check=False
        )
    except subprocess.TimeoutExpired:
        raise _not_made(f"drawing the page took longer than {timeout_s:g} seconds") from None
    except OSError as exc:
        raise _not_made(f"the renderer could not be started ({exc.strerror or exc})") from None
    head, _, png = done.stdout.partition(b"\n")
    try:
        outcome = json.loads(head.decode("utf-8")) if head else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        outcome = None
    if not isinstance(outcome, dict):
        raise _not_made(f"the renderer stopped without an answer (exit code {done.returncode})")
    if outcome.get("error") or not png:
        raise _not_made(str(outcome.get("error") or "the renderer returned no picture"))
    return Rendered(
        png=png,
        width=int(outcome.get("width") or 0),
        height=int(outcome.get("height") or 0),
        page_height=int(outcome.get("content_height") or 0),
        cut=bool(outcome.get("cut")),
        not_in_warc=[str(u) for u in outcome.get("missing") or []],
        blocked=[str(u) for u in outcome.get("blocked") or []],
        javascript=bool(outcome.get("javascript")),
        renderer=str(outcome.get("renderer") or "Qt WebEngine"),
    )


def _not_made(why: str) -> ScreenshotNotMade:
    return ScreenshotNotMade(
        f"screenshot not made: {why}.",
        "The capture itself is complete. Install the renderer (pip install 'PySide6-Addons<6.12') "
        "if it is missing, then run 'ncii-desk capture screenshot CASE'.",
    )


@dataclass
class Prepared:
    """A screenshot drawn and written as a blob, waiting for its transaction (or a note)."""

    info: BlobInfo | None
    details: dict[str, Any]


def prepare(
    vault: CaseStore, warc: bytes, url: str, *, case_id: str, javascript: bool = False
) -> Prepared:
    """Draw the page and write the PNG as an encrypted blob of case ``case_id`` (before the
    transaction that records it); a failure gives a note instead, never an exception."""
    try:
        shot = render_from_warc(warc, url, javascript=javascript)
    except ScreenshotNotMade as exc:
        return Prepared(None, {"made": False, "note": exc.message})
    info = vault.case_blobs(case_id).put_bytes(shot.png)
    details: dict[str, Any] = {
        "made": True,
        "blob_id": info.blob_id,
        "sha256": info.sha256,
        "size": info.size,
        "mime": "image/png",
        "width": shot.width,
        "height": shot.height,
        "page_height": shot.page_height,
        "cut": shot.cut,
        "max_height": MAX_HEIGHT,
        "javascript": shot.javascript,
        "not_in_warc": len(shot.not_in_warc),
        "requests_blocked": len(shot.blocked),
        "renderer": shot.renderer,
        "source": SOURCE,
        "made_at": iso(datetime.now(UTC)),
    }
    if shot.cut:
        details["note"] = (
            f"The page is {shot.page_height} pixels tall; the screenshot shows the top "
            f"{shot.height} pixels."
        )
    return Prepared(info, details)


def record(vault: CaseStore, s: Session, capture_id: str, shot: Prepared) -> dict[str, Any]:
    """Inside the capture's transaction: the blob row and the audit event; the details to
    keep under ``details["screenshot"]``."""
    if shot.info is not None:
        vault.store_blob(s, shot.info)
        vault.audit(
            s,
            "capture.screenshot",
            capture_id,
            {
                "sha256": shot.details["sha256"],
                "size": shot.details["size"],
                "height": shot.details["height"],
                "cut": shot.details["cut"],
            },
        )
    return dict(shot.details)


def release(vault: CaseStore, shot: Prepared | None) -> None:
    """Delete the blob of a screenshot whose transaction did not commit."""
    if shot is None or shot.info is None:
        return
    with vault.session() as s:
        kept = s.get(Blob, shot.info.blob_id) is not None
    if not kept:
        vault.blobs.delete(shot.info.blob_id)


# --- screenshots for captures made before (or made with --no-screenshot) -------------------


@dataclass
class ScreenshotResult:
    capture_id: str
    url: str
    sha256: str | None = None
    height: int | None = None
    cut: bool = False
    note: str | None = None
    skipped: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ScreenshotBatch:
    results: list[ScreenshotResult] = field(default_factory=list)

    @property
    def made(self) -> int:
        return sum(1 for r in self.results if r.sha256)

    def as_dict(self) -> dict[str, Any]:
        return {"results": [r.as_dict() for r in self.results], "made": self.made}


def make_screenshots(
    vault: CaseStore,
    case_ref: str,
    *,
    redo: bool = False,
    javascript: bool = False,
    job: Job | None = None,
) -> ScreenshotBatch:
    """A screenshot for each page capture of the case that has a WARC and none yet (every one
    with ``redo``); one result per capture, the batch goes on past failures."""
    job = job or Job()
    with vault.session() as s:
        case = find_case(s, case_ref)
        access.require(vault, case.id, access.Action.CAPTURE_ADD)
        if case.suspected_minor:
            raise NciiDeskError(
                "No screenshots are made for a case that may show a person under 18.",
                "Only hashes and addresses are kept for such a case.",
            )
        rows = list(
            s.scalars(
                select(Capture)
                .where(Capture.case_id == case.id, Capture.warc_blob_id.is_not(None))
                .order_by(Capture.started_at, Capture.id)
            )
        )
        todo = [(c.id, c.final_url or c.url, c.warc_blob_id, dict(c.details or {})) for c in rows]
        case_id = case.id
    batch = ScreenshotBatch()
    total = len(todo)
    for n, (capture_id, url, warc_id, details) in enumerate(todo):
        job.raise_if_cancelled()
        job.progress(n, total, "drawing screenshots of captured pages")
        result = ScreenshotResult(capture_id, url)
        batch.results.append(result)
        if details.get("mode") != "page":
            result.skipped = "not a page (the address is a picture, video or document)"
            continue
        if (details.get("screenshot") or {}).get("made") and not redo:
            result.skipped = "already has a screenshot"
            continue
        with vault.session() as s:
            blob = s.get(Blob, warc_id)
            warc = vault.read_blob(blob) if blob is not None else b""
        if not warc:
            result.skipped = "its WARC is no longer stored"
            continue
        shot = prepare(vault, warc, url, case_id=case_id, javascript=javascript)
        del warc
        try:
            _store(vault, capture_id, shot, result)
        finally:
            release(vault, shot)
    job.progress(total, total, "drawing screenshots of captured pages")
    return batch


def _store(vault: CaseStore, capture_id: str, shot: Prepared, result: ScreenshotResult) -> None:
    with vault.transaction() as s:
        capture = s.get(Capture, capture_id)
        if capture is None or capture.warc_blob_id is None:  # removed meanwhile
            result.skipped = "its WARC is no longer stored"
            return
        details = dict(capture.details or {})
        if shot.info is None and (details.get("screenshot") or {}).get("made"):
            result.note = str(shot.details.get("note"))  # keep the earlier picture
            return
        details["screenshot"] = record(vault, s, capture_id, shot)
        capture.details = details
    result.sha256 = shot.details.get("sha256")
    result.height = shot.details.get("height")
    result.cut = bool(shot.details.get("cut"))
    result.note = shot.details.get("note") if shot.info is None else None


def read_screenshot(vault: CaseStore, capture: Capture) -> bytes | None:
    """The stored PNG of a capture (authenticated in full), or None when there is none."""
    blob_id = (capture.details or {}).get("screenshot", {}).get("blob_id")
    if not blob_id:
        return None
    with vault.session() as s:
        blob = s.get(Blob, blob_id)
        return vault.read_blob(blob) if blob is not None else None
