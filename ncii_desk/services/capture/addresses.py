"""Capturing suspect web addresses into a case, re-checking them, and an item's custody.

One address is one unit of work. The page (or the picture or video the address points at
directly) and every media resource the page references are fetched with the same careful
fetcher (capture/web.py); each stored resource becomes its own suspect item linked to the
Capture record, and a WARC file of every complete request and response is stored as an
encrypted blob. All blobs are written first, then one transaction records the capture, its
items and their audit events, so an address is either captured whole or not at all. An
address that fails is recorded as a failed attempt (Capture with ``error``, no items): the
time of a failed visit can matter too. The batch always goes on.

Every stored picture and video is hashed from memory right away and the case is matched,
so a capture shows which of its images matched which of the victim's originals.

Suspected-minor cases: items are recorded by hashes only and no WARC is kept (it would hold
the pixels); the same holds for bytes recorded hash-only before.

``recheck_case`` visits each captured address again and records a Recheck row: ``gone``
(404/410/451, a removal notice that was not on the captured page, a redirect to the site's
home page, or every captured picture/video gone), ``changed`` (different bytes), ``still_up``
or ``error`` (with the reason). The removal-request tracker reads these rows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ncii_desk import TOOL_NAME, __version__
from ncii_desk.capture.page import DEFAULT_MAX_LINKS, MediaLink, PageInfo, parse_page
from ncii_desk.capture.warc import WarcBuilder
from ncii_desk.capture.web import (
    Fetched,
    Fetcher,
    FetchOptions,
    normalise_address,
    tool_versions,
    utcnow,
)
from ncii_desk.errors import (
    CaptureError,
    NciiDeskError,
    NotFound,
)
from ncii_desk.media.loader import media_kind
from ncii_desk.media.sniff import SNIFF_BYTES, sniff_mime
from ncii_desk.services import intake, screenshots
from ncii_desk.services.cases import find_case
from ncii_desk.services.items import export_blob, find_item, safe_filename
from ncii_desk.services.jobs import Job, ProgressFn
from ncii_desk.services.lookup import by_id
from ncii_desk.services.views import ItemView, event_view, iso
from ncii_desk.vault import Vault
from ncii_desk.vault.models import (
    AuditEvent,
    Blob,
    Capture,
    EvidenceItem,
    Match,
    Recheck,
    RecheckOutcome,
    Role,
    Source,
    new_id,
)

#: Statuses that say the content is not (or no longer) there.
GONE_STATUSES = frozenset({404, 410, 451})
#: Captured pictures/videos of one page fetched again by a re-check (the rest are listed).
RECHECK_MEDIA_LIMIT = 100


@dataclass(frozen=True)
class CaptureOptions:
    fetch: FetchOptions = field(default_factory=FetchOptions)
    #: Media links of one page fetched at most; the rest are counted and reported.
    max_media_links: int = DEFAULT_MAX_LINKS
    #: All resources of one address together (the WARC of a capture is built in memory).
    max_capture_bytes: int = 1024**3
    #: Hash stored pictures/videos and match the case right after each capture.
    hash_and_match: bool = True
    #: Draw a full-page screenshot of each captured page from its WARC (services/screenshots).
    screenshot: bool = True

    def as_dict(self) -> dict[str, Any]:
        return self.fetch.as_dict() | {
            "max_media_links": self.max_media_links,
            "max_capture_bytes": self.max_capture_bytes,
            "user_agent": self.fetch.user_agent,
            "screenshot": self.screenshot,
        }


# --- results --------------------------------------------------------------------------------


@dataclass
class ResourceResult:
    """One thing fetched for an address: the page itself or one media resource of it."""

    url: str
    via: str
    final_url: str | None = None
    http_status: int | None = None
    declared_type: str | None = None
    sniffed_type: str | None = None
    size: int | None = None
    sha256: str | None = None
    item_id: str | None = None
    duplicate_of: str | None = None
    pixels_kept: bool | None = None
    redirects: int = 0
    server_address: str | None = None
    error: dict[str, str] | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class UrlCaptureResult:
    url: str
    capture_id: str | None = None
    #: page (HTML with media), media (the address is a picture/video) or document.
    mode: str | None = None
    final_url: str | None = None
    http_status: int | None = None
    main: ResourceResult | None = None
    resources: list[ResourceResult] = field(default_factory=list)
    links_found: int = 0
    links_discarded: int = 0
    warc_sha256: str | None = None
    warc_size: int | None = None
    matches: list[dict[str, Any]] = field(default_factory=list)
    hashing_errors: list[dict[str, str]] = field(default_factory=list)
    #: The page's screenshot: its SHA-256, size and height, or a "screenshot not made" note.
    screenshot: dict[str, Any] | None = None
    error: dict[str, str] | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def item_ids(self) -> list[str]:
        found = [self.main, *self.resources]
        return [r.item_id for r in found if r is not None and r.item_id is not None]

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        data["item_ids"] = self.item_ids
        return data


@dataclass
class CaptureBatch:
    results: list[UrlCaptureResult] = field(default_factory=list)
    cancelled: bool = False
    new_matches: int = 0
    #: Stored thresholds that were not valid (their defaults were used for matching).
    warnings: list[str] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return sum(1 for r in self.results if not r.ok)

    def as_dict(self) -> dict[str, Any]:
        return {
            "results": [r.as_dict() for r in self.results],
            "captured": len(self.results) - self.failed,
            "failed": self.failed,
            "new_matches": self.new_matches,
            "cancelled": self.cancelled,
            "warnings": self.warnings,
        }


@dataclass(frozen=True)
class CaptureView:
    id: str
    case_id: str
    kind: str
    url: str
    final_url: str | None
    redirect_chain: list[Any]
    http_status: int | None
    headers: dict[str, Any]
    server_address: str | None
    tls: dict[str, Any]
    tls_verified: bool
    tool_name: str
    tool_version: str
    user_agent: str
    operator: str
    started_at: str | None
    ended_at: str | None
    warc_blob_id: str | None
    warc_sha256: str | None
    warc_size: int | None
    error: str | None
    details: dict[str, Any]
    item_ids: list[str]
    #: Which captured item matched which original (or hash-list entry).
    matches: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


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


# --- hashing from memory -------------------------------------------------------------------


def _hash_bytes(data: bytes, name: str, role: Literal["scan", "suspect"]) -> Any:
    """The hashing pipeline's result for bytes in memory (pictures and videos only)."""
    from ncii_desk.hashing import pipeline

    if media_kind(sniff_mime(data[:SNIFF_BYTES])) is None:
        return None
    return pipeline.hash_bytes(data, name, role)


# --- capturing -------------------------------------------------------------------------------


class _Cancelled(Exception):
    pass


@dataclass
class _Stored:
    """A fetched body waiting for the capture's transaction."""

    resource: ResourceResult
    prepared: intake.PreparedBytes
    name: str
    details: dict[str, Any]
    hashes: Any = None


def _name_for(url: str, fallback: str) -> str:
    parts = urlsplit(url)
    segment = unquote(parts.path.rstrip("/").rsplit("/", 1)[-1]) if parts.path else ""
    return safe_filename(segment or parts.hostname or "", fallback)[:200]


def _is_html(fetched: Fetched) -> bool:
    body = fetched.body or b""
    if fetched.sniffed_type == "text/html":
        return True
    if fetched.sniffed_type != "application/octet-stream":
        return False
    declared = (fetched.declared_type or "").lower()
    start = body.lstrip()[:1]
    return "html" in declared or start == b"<"


def _mode_of(fetched: Fetched) -> str:
    if fetched.sniffed_type and media_kind(fetched.sniffed_type):
        return "media"
    return "page" if _is_html(fetched) else "document"


def _resource(fetched: Fetched, via: str) -> ResourceResult:
    final = fetched.final
    return ResourceResult(
        url=fetched.requested_url,
        via=via,
        final_url=fetched.final_url,
        http_status=fetched.status,
        declared_type=fetched.declared_type,
        sniffed_type=fetched.sniffed_type,
        size=len(fetched.body) if fetched.body is not None else None,
        redirects=max(0, len(fetched.exchanges) - 1),
        server_address=final.server_address if final else None,
        error=fetched.error.as_dict() if fetched.error else None,
    )


class _AddressCapture:
    """Everything of one address until its transaction: blobs written, WARC in memory."""

    def __init__(
        self,
        vault: Vault,
        case_id: str,
        options: CaptureOptions,
        minor: bool,
        hash_only: set[str],
        job: Job,
    ) -> None:
        self.vault = vault
        self.case_id = case_id
        self.options = options
        self.minor = minor
        self.hash_only = hash_only
        self.job = job
        self.capture_id = new_id()
        self.warc = None if minor else WarcBuilder()
        self.not_archived: list[str] = []
        self.stored: list[_Stored] = []
        self.prepared: list[intake.PreparedBytes] = []
        self.bytes_taken = 0
        #: The finished WARC until the screenshot is drawn from it, and that screenshot.
        self.warc_bytes = b""
        self.screenshot: screenshots.Prepared | None = None

    def take(self, fetched: Fetched, via: str, page_url: str | None) -> ResourceResult:
        """Archive the exchanges, store the body as a blob and hash it; then drop the bytes."""
        res = _resource(fetched, via)
        body = fetched.body
        hidden = self.minor
        if body is not None:
            res.sha256 = hashlib.sha256(body).hexdigest()
            hidden = hidden or res.sha256 in self.hash_only
        if self.warc is not None and not hidden:
            for ex in fetched.exchanges:
                self.warc.add_exchange(ex)
        elif self.warc is not None:
            self.not_archived.append(fetched.requested_url)
        if body is not None:
            prepared = intake.prepare_bytes(
                self.vault, body, minor=self.minor, hash_only=self.hash_only
            )
            self.prepared.append(prepared)
            res.pixels_kept = not prepared.minor
            name = _name_for(res.final_url or res.url, f"capture-{self.capture_id[:8]}")
            details = {
                "url": res.url,
                "final_url": res.final_url,
                "via": via,
                "page_url": page_url,
                "http_status": res.http_status,
                "declared_type": res.declared_type,
                "sniffed_type": res.sniffed_type,
                "content_encoding": fetched.content_encoding,
                "server_address": res.server_address,
                "redirects": res.redirects,
                "fetched_at": iso(fetched.started_at),
            }
            stored = _Stored(res, prepared, name, details)
            if self.options.hash_and_match:
                stored.hashes = _hash_bytes(body, name, "scan" if prepared.minor else "suspect")
            self.stored.append(stored)
            self.bytes_taken += len(body)
        fetched.body = None
        for ex in fetched.exchanges:
            ex.raw_body = b""
        return res

    def release(self) -> None:
        intake.release_unused_blobs(self.vault, self.prepared)
        screenshots.release(self.vault, self.screenshot)


def _page_resources(
    cap: _AddressCapture, fetcher: Fetcher, info: PageInfo, page_url: str
) -> list[ResourceResult]:
    out: list[ResourceResult] = []
    total = len(info.links)
    for n, link in enumerate(info.links, 1):
        if cap.job.cancelled:
            raise _Cancelled
        cap.job.progress(n - 1, total, "fetching pictures and videos of the page")
        if cap.bytes_taken >= cap.options.max_capture_bytes:
            out.append(_over_capture_limit(link, cap.options.max_capture_bytes))
            continue
        fetched = fetcher.fetch(link.url, expect="media", referer=page_url)
        out.append(cap.take(fetched, link.via, page_url))
    cap.job.progress(total, total, "fetching pictures and videos of the page")
    return out


def _over_capture_limit(link: MediaLink, limit: int) -> ResourceResult:
    err = CaptureError(
        "capture-limit",
        f"Not fetched: this page's resources already reached the limit of {limit // 1024**2} "
        "MB for one capture.",
        "Capture this picture's own address separately if it is needed.",
    )
    return ResourceResult(url=link.url, via=link.via, error=err.as_dict())


def _with_address_policy(vault: Vault, options: CaptureOptions) -> CaptureOptions:
    """``options`` with non-public addresses allowed when the vault setting says so (the
    options asked for it already, or the setting is off: unchanged)."""
    from ncii_desk.services.settings import capture_allows_private

    if options.fetch.allow_private_addresses or not capture_allows_private(vault):
        return options
    return replace(options, fetch=replace(options.fetch, allow_private_addresses=True))


def capture_urls(
    vault: Vault,
    case_ref: str,
    urls: Sequence[str],
    job: Job | None = None,
    options: CaptureOptions | None = None,
) -> CaptureBatch:
    """Capture each address into the case; one result per address, in order."""
    job = job or Job()
    options = _with_address_policy(vault, options or CaptureOptions())
    with vault.session() as s:
        case = find_case(s, case_ref)
        case_id, minor = case.id, case.suspected_minor
    hash_only = intake.hash_only_digests(vault)
    batch = CaptureBatch()
    total = len(urls)
    for n, url in enumerate(urls):
        if job.cancelled:
            batch.cancelled = True
            break
        label = f"capturing address {n + 1} of {total}"
        job.progress(n, total, label)
        sub = Job(on_progress=_within_step(job, n, total, label), token=job.token)
        result = _capture_one(vault, case_id, url, options, minor, hash_only, sub)
        batch.results.append(result)
        if result.error and result.error.get("reason") == "cancelled":
            batch.cancelled = True
            break
    job.progress(len(batch.results), total, "capturing addresses")
    if options.hash_and_match and any(r.item_ids for r in batch.results):
        from ncii_desk.services.matching import match_case
        from ncii_desk.services.settings import thresholds

        stored = thresholds(vault)  # the vault's thresholds decide, as for files added
        batch.warnings = stored.warnings
        batch.new_matches = len(match_case(vault, case_id, pdq_threshold=stored.pdq_distance))
        with vault.session() as s:
            for result in batch.results:
                if result.capture_id is not None:
                    result.matches = _capture_matches(s, result.item_ids)
    return batch


def _within_step(job: Job, step: int, total: int, label: str) -> ProgressFn:
    """Progress of a page's resources, shown inside the step of its address."""

    def report(done: int, of: int, what: str) -> None:
        job.progress(step, total, f"{label}: {what} {done}/{of}")

    return report


def _capture_one(
    vault: Vault,
    case_id: str,
    typed: str,
    options: CaptureOptions,
    minor: bool,
    hash_only: set[str],
    job: Job,
) -> UrlCaptureResult:
    address = normalise_address(typed)
    result = UrlCaptureResult(url=address)
    cap = _AddressCapture(vault, case_id, options, minor, hash_only, job)
    try:
        with Fetcher(options.fetch) as fetcher:
            main = fetcher.fetch(address)
            result.final_url, result.http_status = main.final_url, main.status
            if not main.ok:
                assert main.error is not None
                _record_failure(vault, case_id, cap.capture_id, typed, address, main, options)
                result.capture_id, result.error = cap.capture_id, main.error.as_dict()
                return result
            result.mode = _mode_of(main)
            summary = _fetch_summary(main)
            info = None
            if result.mode == "page":
                assert main.body is not None
                info = parse_page(
                    main.body, summary["final_url"], main.declared_type, options.max_media_links
                )
            result.main = cap.take(main, "address", None)
            if info is not None:
                result.resources = _page_resources(cap, fetcher, info, summary["final_url"])
                result.links_found, result.links_discarded = info.found, info.discarded
        ended = utcnow()
        warc = _warc_blob(cap, address, summary, result, info, ended)
        if warc is not None and result.mode == "page" and options.screenshot:
            job.progress(0, 1, "drawing a screenshot of the page from its WARC")
            page_url = summary["final_url"] or address
            cap.screenshot = screenshots.prepare(vault, cap.warc_bytes, page_url)
        cap.warc_bytes = b""
        _commit(cap, typed, address, summary, result, info, warc, ended)
    except _Cancelled:
        result.error = {
            "error": "Cancelled",
            "reason": "cancelled",
            "message": "Cancelled before this address was fully captured; nothing of it was kept.",
            "hint": "Capture the address again.",
        }
        return result
    finally:
        cap.release()
    result.capture_id = cap.capture_id
    _store_hashes(vault, cap)
    return result


def _fetch_summary(fetched: Fetched) -> dict[str, Any]:
    final = fetched.final
    assert final is not None
    return {
        "final_url": fetched.final_url,
        "redirect_chain": fetched.redirect_chain,
        "http_status": fetched.status,
        "headers": final.headers_dict(),
        "server_address": final.server_address,
        "server_port": final.server_port,
        "tls": final.tls,
        "declared_type": fetched.declared_type,
        "sniffed_type": fetched.sniffed_type,
        "content_encoding": fetched.content_encoding,
        "proxy": fetched.proxy,
        "started_at": fetched.started_at,
        "requested_at": iso(fetched.started_at),
    }


def _warc_blob(
    cap: _AddressCapture,
    address: str,
    summary: dict[str, Any],
    result: UrlCaptureResult,
    info: PageInfo | None,
    ended: datetime,
) -> intake.PreparedBytes | None:
    if cap.warc is None:
        return None
    cap.warc.add_metadata(
        f"urn:ncii-desk:capture:{cap.capture_id}",
        ended,
        {
            "capture_id": cap.capture_id,
            "requested_url": address,
            "final_url": summary["final_url"],
            "started_at": summary["requested_at"],
            "ended_at": iso(ended),
            "operator": cap.vault.actor,
            "tools": tool_versions(),
            "options": cap.options.as_dict(),
            "redirect_chain": summary["redirect_chain"],
            "http_status": summary["http_status"],
            "server_address": summary["server_address"],
            "tls": summary["tls"],
            "proxy": summary["proxy"],
            "page_title": info.title if info else None,
            "links_found": result.links_found,
            "links_discarded": result.links_discarded,
            "resources": [r.as_dict() for r in [result.main, *result.resources] if r],
            "not_archived_hash_only": cap.not_archived,
        },
    )
    data = _with_warcinfo(cap, address)
    cap.warc_bytes = data
    blob = cap.vault.blobs.put_bytes(data)
    prepared = intake.PreparedBytes(
        len(data),
        blob.sha256,
        hashlib.md5(data, usedforsecurity=False).hexdigest(),
        "application/warc",
        False,
        blob,
    )
    cap.prepared.append(prepared)
    return prepared


def _with_warcinfo(cap: _AddressCapture, address: str) -> bytes:
    """The warcinfo record goes first: it is written last (it names the finished capture)."""
    assert cap.warc is not None
    head = WarcBuilder()
    versions = tool_versions()
    head.add_warcinfo(
        f"capture-{cap.capture_id}.warc",
        {
            "software": f"{versions['tool']} (httpx {versions['httpx']}, warcio "
            f"{versions['warcio']})",
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iso.org/standard/68004.html",
            "operator": cap.vault.actor,
            "description": f"Evidence capture {cap.capture_id} of {address}",
            "http-header-user-agent": cap.options.fetch.user_agent,
            "robots": "ignore",
        },
    )
    return head.getvalue() + cap.warc.getvalue()


def _commit(
    cap: _AddressCapture,
    typed: str,
    address: str,
    summary: dict[str, Any],
    result: UrlCaptureResult,
    info: PageInfo | None,
    warc: intake.PreparedBytes | None,
    ended: datetime,
) -> None:
    vault = cap.vault
    hashing_errors = [
        {"url": st.resource.url, "error": st.hashes.error, "hint": st.hashes.hint or ""}
        for st in cap.stored
        if st.hashes is not None and st.hashes.error
    ]
    result.hashing_errors = hashing_errors
    with vault.transaction() as s:
        capture = Capture(
            id=cap.capture_id,
            case_id=cap.case_id,
            url=address,
            final_url=summary["final_url"],
            redirect_chain=summary["redirect_chain"],
            http_status=summary["http_status"],
            headers=summary["headers"],
            server_address=summary["server_address"],
            tls=summary["tls"],
            tls_verified=cap.options.fetch.verify_tls,
            tool_name=TOOL_NAME,
            tool_version=__version__,
            user_agent=cap.options.fetch.user_agent,
            operator=vault.actor,
            started_at=summary["started_at"],
            ended_at=ended,
        )
        if warc is not None and warc.info is not None:
            vault.store_blob(s, warc.info)
            capture.warc_blob_id = warc.info.blob_id
            result.warc_sha256, result.warc_size = warc.sha256, warc.size
        s.add(capture)
        s.flush()
        vault.audit(
            s,
            "capture.created",
            cap.capture_id,
            {
                "case_id": cap.case_id,
                "mode": result.mode,
                "http_status": summary["http_status"],
                "items": len(cap.stored),
                "resources_failed": sum(1 for r in result.resources if r.error),
                "links_discarded": result.links_discarded,
                "warc_sha256": warc.sha256 if warc is not None else None,
                "tls_verified": cap.options.fetch.verify_tls,
            },
        )
        for st in cap.stored:
            item = intake.record_item(
                vault,
                s,
                cap.case_id,
                Role.SUSPECT,
                Source.URL,
                st.prepared,
                name=st.name,
                capture_id=cap.capture_id,
                details=st.details,
            )
            st.resource.item_id = item.id
            st.resource.duplicate_of = item.duplicate_of
        assert result.main is not None
        capture.details = {
            "kind": "web",
            "mode": result.mode,
            "typed": typed if typed.strip() != address else None,
            "declared_type": summary["declared_type"],
            "sniffed_type": summary["sniffed_type"],
            "content_encoding": summary["content_encoding"],
            "server_port": summary["server_port"],
            "proxy": summary["proxy"],
            "options": cap.options.as_dict(),
            "tools": tool_versions(),
            "main_item_id": result.main.item_id,
            "main_sha256": result.main.sha256,
            "page": None
            if info is None
            else {
                "title": info.title,
                "links_found": info.found,
                "links_fetched": len(result.resources),
                "links_discarded": info.discarded,
                "removal_signals": info.removal_signals(),
            },
            "resources": [r.as_dict() for r in result.resources],
            "warc": {"sha256": warc.sha256, "size": warc.size, "records": _records(cap)}
            if warc is not None
            else {"kept": False, "why": "suspected minor: only hashes are kept"},
            "not_archived_hash_only": cap.not_archived,
            "hashing_errors": hashing_errors,
        }
        if cap.screenshot is not None:
            shot = screenshots.record(vault, s, cap.capture_id, cap.screenshot)
            capture.details = {**capture.details, "screenshot": shot}
            result.screenshot = {
                k: shot[k] for k in ("sha256", "height", "cut", "note") if k in shot
            }


def _records(cap: _AddressCapture) -> int:
    return 1 + (cap.warc.records if cap.warc is not None else 0)


def _record_failure(
    vault: Vault,
    case_id: str,
    capture_id: str,
    typed: str,
    address: str,
    fetched: Fetched,
    options: CaptureOptions,
) -> None:
    """A failed attempt is recorded too (with its reason); nothing of its content is kept."""
    assert fetched.error is not None
    final = fetched.final
    with vault.transaction() as s:
        s.add(
            Capture(
                id=capture_id,
                case_id=case_id,
                url=address,
                final_url=fetched.final_url,
                redirect_chain=fetched.redirect_chain,
                http_status=fetched.status,
                headers=final.headers_dict() if final else {},
                server_address=final.server_address if final else None,
                tls=final.tls if final else {},
                tls_verified=options.fetch.verify_tls,
                tool_name=TOOL_NAME,
                tool_version=__version__,
                user_agent=options.fetch.user_agent,
                operator=vault.actor,
                started_at=fetched.started_at,
                ended_at=fetched.ended_at,
                error=fetched.error.message,
                details={
                    "kind": "web",
                    "typed": typed if typed.strip() != address else None,
                    "error": fetched.error.as_dict(),
                    "proxy": fetched.proxy,
                    "options": options.as_dict(),
                    "tools": tool_versions(),
                    "exchanges": [ex.summary() for ex in fetched.exchanges],
                },
            )
        )
        s.flush()
        vault.audit(
            s,
            "capture.failed",
            capture_id,
            {"case_id": case_id, "reason": fetched.error.reason, "http_status": fetched.status},
        )


def _store_hashes(vault: Vault, cap: _AddressCapture) -> None:
    from ncii_desk.services.matching import store_hashes as store

    for st in cap.stored:
        if st.hashes is None or st.hashes.error or st.resource.item_id is None:
            continue
        store(vault, st.resource.item_id, st.hashes)


def _capture_matches(s: Session, item_ids: Sequence[str]) -> list[dict[str, Any]]:
    if not item_ids:
        return []
    rows = s.scalars(
        select(Match)
        .where(Match.suspect_item_id.in_(list(item_ids)))
        .order_by(Match.created_at, Match.id)
    )
    urls = {
        i.id: (i.details or {}).get("url")
        for i in s.scalars(select(EvidenceItem).where(EvidenceItem.id.in_(list(item_ids))))
    }
    return [
        {
            "match_id": m.id,
            "item_id": m.suspect_item_id,
            "url": urls.get(m.suspect_item_id),
            "original_item_id": m.target_item_id,
            "hash_list_entry": m.target_external,
            "kind": m.kind,
            "distance": m.distance,
            "score": m.score,
            "threshold": m.threshold,
            "review_state": m.review_state.value,
        }
        for m in rows
    ]


# --- reading captures ------------------------------------------------------------------------


def find_capture(session: Session, ref: str) -> Capture:
    """A capture by id or unique id prefix (6+ characters)."""
    missing = NotFound(
        f"No capture has the id '{ref.strip()}'.",
        "List the captures with 'ncii-desk capture list CASE'.",
    )
    return by_id(session, Capture, ref, what="capture", missing=missing)


def _view(s: Session, c: Capture) -> CaptureView:
    blob = s.get(Blob, c.warc_blob_id) if c.warc_blob_id else None
    item_ids = list(
        s.scalars(
            select(EvidenceItem.id)
            .where(EvidenceItem.capture_id == c.id)
            .order_by(EvidenceItem.intake_at, EvidenceItem.id)
        )
    )
    return CaptureView(
        id=c.id,
        case_id=c.case_id,
        kind=str(c.details.get("kind", "web")),
        url=c.url,
        final_url=c.final_url,
        redirect_chain=c.redirect_chain,
        http_status=c.http_status,
        headers=c.headers,
        server_address=c.server_address,
        tls=c.tls,
        tls_verified=c.tls_verified,
        tool_name=c.tool_name,
        tool_version=c.tool_version,
        user_agent=c.user_agent,
        operator=c.operator,
        started_at=iso(c.started_at),
        ended_at=iso(c.ended_at),
        warc_blob_id=c.warc_blob_id,
        warc_sha256=blob.sha256 if blob else None,
        warc_size=blob.size if blob else None,
        error=c.error,
        details=c.details,
        item_ids=item_ids,
        matches=_capture_matches(s, item_ids),
    )


def list_captures(vault: Vault, case_ref: str, *, include_files: bool = False) -> list[CaptureView]:
    """The case's web captures (failed attempts included), oldest first."""
    with vault.session() as s:
        case = find_case(s, case_ref)
        rows = s.scalars(
            select(Capture)
            .where(Capture.case_id == case.id)
            .order_by(Capture.started_at, Capture.id)
        )
        return [_view(s, c) for c in rows if include_files or c.details.get("kind", "web") == "web"]


def get_capture(vault: Vault, ref: str) -> CaptureView:
    with vault.session() as s:
        return _view(s, find_capture(s, ref))


def read_warc(vault: Vault, ref: str) -> bytes:
    """The capture's WARC file (authenticated in full before it is returned)."""
    with vault.session() as s:
        capture = find_capture(s, ref)
        blob = s.get(Blob, capture.warc_blob_id) if capture.warc_blob_id else None
        if blob is None:
            raise _no_warc(capture)
    return vault.read_blob(blob)


def _no_warc(capture: Capture) -> NciiDeskError:
    if capture.error:
        why = "the capture failed, so nothing of the address was kept"
    elif capture.details.get("kind") == "file":
        why = "it records a file taken in from this computer, not a web address"
    else:
        why = "the case is marked as possibly showing a person under 18, so only hashes are kept"
    return NciiDeskError(
        f"This capture has no WARC file: {why}.",
        "List the case's captures with 'ncii-desk capture list CASE'.",
    )


def export_warc(
    vault: Vault, ref: str, dest: Path, *, reason: str = "", overwrite: bool = False
) -> Path:
    """Write the capture's WARC file to ``dest`` (a file, or a folder to put it in).

    The bytes are authenticated in full before the file appears; the export is an audit
    event with the SHA-256 of the file, so the copy can be checked against the record.
    """
    with vault.session() as s:
        capture = find_capture(s, ref)
        blob = s.get(Blob, capture.warc_blob_id) if capture.warc_blob_id else None
        if blob is None:
            raise _no_warc(capture)
        capture_id = capture.id
    dest = dest.expanduser()
    target = (dest / f"capture-{capture_id[:12]}.warc" if dest.is_dir() else dest).resolve()
    details = {"what": "warc", "sha256": blob.sha256, "reason": reason}
    return export_blob(vault, blob, target, overwrite, ("capture.exported", capture_id, details))


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
    vault: Vault,
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


def list_rechecks(vault: Vault, case_ref: str) -> list[RecheckView]:
    with vault.session() as s:
        case = find_case(s, case_ref)
        rows = s.scalars(
            select(Recheck)
            .where(Recheck.case_id == case.id)
            .order_by(Recheck.checked_at, Recheck.id)
        )
        return [RecheckView.of(r) for r in rows]


# --- chain of custody ----------------------------------------------------------------------


@dataclass(frozen=True)
class CustodyView:
    item: dict[str, Any]
    capture: dict[str, Any] | None
    #: Every audit event about the item, its capture and its matches, oldest first.
    events: list[dict[str, Any]]
    audit_chain_ok: bool
    audit_events_total: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def custody(vault: Vault, item_ref: str) -> CustodyView:
    """An item's chain of custody: how it came in (capture or file intake record), and every
    recorded event since (hashing, matches and their review, exports, re-checks), with the
    audit chain verified."""
    with vault.session() as s:
        item = find_item(s, item_ref)
        capture = s.get(Capture, item.capture_id) if item.capture_id else None
        match_ids = list(
            s.scalars(
                select(Match.id).where(
                    or_(Match.suspect_item_id == item.id, Match.target_item_id == item.id)
                )
            )
        )
        objects = [item.id, *([capture.id] if capture else []), *match_ids]
        events = [
            event_view(e)
            for e in s.scalars(
                select(AuditEvent).where(AuditEvent.object_id.in_(objects)).order_by(AuditEvent.seq)
            )
        ]
        item_data = ItemView.of(item).as_dict() | {
            "capture_id": item.capture_id,
            "details": item.details,
        }
        capture_data = _view(s, capture).as_dict() if capture else None
    chain = vault.verify_audit()
    return CustodyView(item_data, capture_data, events, chain.ok, chain.events)
