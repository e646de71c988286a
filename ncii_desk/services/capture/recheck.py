"""Re-checking captured addresses.

``recheck_case`` visits each captured address again and records a Recheck row: ``gone``
(404/410/451, a removal notice that was not on the captured page, a redirect to the site's
home page, or every captured picture/video gone), ``changed`` (different bytes), ``still_up``
or ``error`` (with the reason). The removal-request tracker reads these rows.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from ncii_desk import TOOL_NAME, __version__
from ncii_desk.capture.page import parse_page
from ncii_desk.capture.web import Fetched, Fetcher, utcnow
from ncii_desk.media.loader import media_kind
from ncii_desk.services import access
from ncii_desk.services.capture.addresses import CaptureOptions, _with_address_policy
from ncii_desk.services.cases import find_case
from ncii_desk.services.jobs import Job
from ncii_desk.services.views import iso
from ncii_desk.vault.models import Capture, Recheck, RecheckOutcome
from ncii_desk.vault.store import CaseStore

#: Statuses that say the content is not (or no longer) there.
GONE_STATUSES = frozenset({404, 410, 451})
#: Captured pictures/videos of one page fetched again by a re-check (the rest are listed).
RECHECK_MEDIA_LIMIT = 100


@dataclass(frozen=True)
class RecheckView:
    id: str
    case_id: str
    capture_id: str
    url: str
    checked_at: str | None
    outcome: str
    http_status: int | None
    content_sha256: str | None
    operator: str
    details: dict[str, Any]

    @classmethod
    def of(cls, r: Recheck) -> RecheckView:
        return cls(
            r.id,
            r.case_id,
            r.capture_id,
            r.url,
            iso(r.checked_at),
            r.outcome.value,
            r.http_status,
            r.content_sha256,
            r.operator,
            r.details,
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- re-checks -------------------------------------------------------------------------------


def _latest_per_address(s: Session, case_id: str) -> list[Capture]:
    rows = s.scalars(
        select(Capture)
        .where(Capture.case_id == case_id, Capture.error.is_(None))
        .order_by(Capture.started_at.desc(), Capture.id)
    )
    latest: dict[str, Capture] = {}
    for c in rows:
        if c.details.get("kind") == "web" and c.url not in latest:
            latest[c.url] = c
    return sorted(latest.values(), key=lambda c: (c.started_at, c.id))


@dataclass
class _Verdict:
    outcome: RecheckOutcome
    reason: str
    status: int | None = None
    sha256: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


def _gone_or_error(fetched: Fetched) -> _Verdict:
    assert fetched.error is not None
    status = fetched.status
    if fetched.error.reason == "http-status" and status in GONE_STATUSES:
        return _Verdict(RecheckOutcome.GONE, f"the server answered {status}", status)
    return _Verdict(
        RecheckOutcome.ERROR,
        fetched.error.message,
        status,
        details={"error": fetched.error.as_dict()},
    )


def _check_media(fetcher: Fetcher, url: str, sha256: str, referer: str | None) -> str:
    fetched = fetcher.fetch(url, expect="media", referer=referer)
    if fetched.error is not None:
        if fetched.error.reason == "not-media" or (
            fetched.error.reason == "http-status" and fetched.status in GONE_STATUSES
        ):
            return "gone"
        return "error"
    body = fetched.body or b""
    return "still_up" if hashlib.sha256(body).hexdigest() == sha256 else "changed"


def _judge(fetcher: Fetcher, capture: Capture) -> _Verdict:
    fetched = fetcher.fetch(capture.url)
    if fetched.error is not None:
        return _gone_or_error(fetched)
    body = fetched.body or b""
    sha = hashlib.sha256(body).hexdigest()
    before = capture.details.get("main_sha256")
    mode = capture.details.get("mode")
    base = {
        "final_url": fetched.final_url,
        "redirect_chain": fetched.redirect_chain,
        "server_address": fetched.final.server_address if fetched.final else None,
        "sniffed_type": fetched.sniffed_type,
    }
    verdict = _Verdict(RecheckOutcome.STILL_UP, "the same content is still there")
    if mode == "media" and not (fetched.sniffed_type and media_kind(fetched.sniffed_type)):
        verdict = _Verdict(
            RecheckOutcome.GONE, "the address now shows a page instead of the picture or video"
        )
    elif _now_home_page(capture, fetched):
        verdict = _Verdict(RecheckOutcome.GONE, "the address now leads to the site's home page")
    elif mode == "page":
        verdict = _judge_page(fetcher, capture, fetched, body, sha != before)
    elif sha != before:
        verdict = _Verdict(RecheckOutcome.CHANGED, "the content is different")
    verdict.status, verdict.sha256 = fetched.status, sha
    verdict.details = base | verdict.details
    return verdict


def _now_home_page(capture: Capture, fetched: Fetched) -> bool:
    before = urlsplit(capture.final_url or capture.url).path or "/"
    now = urlsplit(fetched.final_url or "").path or "/"
    return before not in ("", "/") and now == "/" and bool(fetched.redirect_chain)


def _judge_page(
    fetcher: Fetcher, capture: Capture, fetched: Fetched, body: bytes, page_changed: bool
) -> _Verdict:
    info = parse_page(body, fetched.final_url or capture.url, fetched.declared_type, 0)
    page = capture.details.get("page") or {}
    new_signals = sorted(set(info.removal_signals()) - set(page.get("removal_signals", [])))
    if new_signals:
        return _Verdict(
            RecheckOutcome.GONE,
            "the page now shows a removal notice",
            details={"removal_signals": new_signals},
        )
    stored = [
        r
        for r in capture.details.get("resources", [])
        if r.get("item_id") and r.get("sha256") and not r.get("error")
    ]
    media: dict[str, str] = {}
    for r in stored[:RECHECK_MEDIA_LIMIT]:
        media[r["url"]] = _check_media(fetcher, r["url"], r["sha256"], fetched.final_url)
    details: dict[str, Any] = {
        "media": media,
        "media_not_rechecked": max(0, len(stored) - RECHECK_MEDIA_LIMIT),
    }
    states = list(media.values())
    if states and all(state == "gone" for state in states):
        return _Verdict(
            RecheckOutcome.GONE,
            "every picture and video captured from the page has been removed",
            details=details,
        )
    gone = states.count("gone")
    changed = states.count("changed")
    if page_changed or gone or changed:
        parts = ["the page is different"] if page_changed else []
        if gone:
            parts.append(f"{gone} captured picture(s)/video(s) removed")
        if changed:
            parts.append(f"{changed} captured picture(s)/video(s) different")
        return _Verdict(RecheckOutcome.CHANGED, "; ".join(parts), details=details)
    return _Verdict(RecheckOutcome.STILL_UP, "the same content is still there", details=details)


def recheck_case(
    vault: CaseStore,
    case_ref: str,
    job: Job | None = None,
    options: CaptureOptions | None = None,
) -> list[RecheckView]:
    """Visit every captured address of the case again (the newest capture of each) and
    record what is there now; sent removal requests naming an address get a history line
    when it is found gone (or back)."""
    from ncii_desk.services.requests import note_recheck  # the tracker pulls in documents/

    job = job or Job()
    options = _with_address_policy(vault, options or CaptureOptions())
    with vault.session() as s:
        case = find_case(s, case_ref)
        case_id = case.id
        captures = _latest_per_address(s, case_id)
    access.require(vault, case_id, access.Action.CAPTURE_ADD)
    out: list[RecheckView] = []
    total = len(captures)
    job.progress(0, total, "re-checking addresses")
    for n, capture in enumerate(captures, 1):
        if job.cancelled:
            break
        fetch_options = replace(
            options.fetch, verify_tls=capture.tls_verified, user_agent=capture.user_agent
        )
        started = utcnow()
        with Fetcher(fetch_options) as fetcher:
            verdict = _judge(fetcher, capture)
        details = verdict.details | {
            "reason": verdict.reason,
            "previous_sha256": capture.details.get("main_sha256"),
            "tls_verified": fetch_options.verify_tls,
            "started_at": iso(started),
            "ended_at": iso(utcnow()),
            "tool": f"{TOOL_NAME} {__version__}",
        }
        with vault.transaction() as s:
            row = Recheck(
                case_id=case_id,
                capture_id=capture.id,
                url=capture.url,
                checked_at=started,
                outcome=verdict.outcome,
                http_status=verdict.status,
                content_sha256=verdict.sha256,
                operator=vault.actor,
                details=details,
            )
            s.add(row)
            s.flush()
            vault.audit(
                s,
                "capture.rechecked",
                capture.id,
                {
                    "recheck_id": row.id,
                    "outcome": verdict.outcome.value,
                    "http_status": verdict.status,
                    "content_sha256": verdict.sha256,
                },
            )
            note_recheck(s, vault, row)
            out.append(RecheckView.of(row))
        job.progress(n, total, "re-checking addresses")
    return out


def list_rechecks(vault: CaseStore, case_ref: str) -> list[RecheckView]:
    with vault.session() as s:
        case = find_case(s, case_ref)
        rows = s.scalars(
            select(Recheck)
            .where(Recheck.case_id == case.id)
            .order_by(Recheck.checked_at, Recheck.id)
        )
        return [RecheckView.of(r) for r in rows]
