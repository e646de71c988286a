"""Capturing suspect web addresses into a case.

One address is one unit of work. The page (or the picture or video the address points at
directly) and every media resource the page references are fetched with the same careful
fetcher (capture/web/); each stored resource becomes its own suspect item linked to the
Capture record, and a WARC file of every complete request and response is stored as an
encrypted blob. All blobs are written first, then one transaction records the capture, its
items and their audit events, so an address is either captured whole or not at all. An
address that fails is recorded as a failed attempt (Capture with ``error``, no items): the
time of a failed visit can matter too. The batch always goes on.

Every stored picture and video is hashed from memory right away and the case is matched,
so a capture shows which of its images matched which of the victim's originals.

Suspected-minor cases: items are recorded by hashes only and no WARC is kept (it would hold
the pixels); the same holds for bytes recorded hash-only before.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

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
from ncii_desk.errors import CaptureError
from ncii_desk.media.loader import media_kind
from ncii_desk.media.sniff import SNIFF_BYTES, sniff_mime
from ncii_desk.services import access, intake, screenshots
from ncii_desk.services.capture.records import _capture_matches
from ncii_desk.services.cases import find_case
from ncii_desk.services.items import safe_filename
from ncii_desk.services.jobs import Job, ProgressFn
from ncii_desk.services.views import iso
from ncii_desk.vault.models import Capture, Role, Source, new_id
from ncii_desk.vault.store import CaseStore


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
        vault: CaseStore,
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
                self.vault, body, case_id=self.case_id, minor=self.minor, hash_only=self.hash_only
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


def _with_address_policy(vault: CaseStore, options: CaptureOptions) -> CaptureOptions:
    """``options`` with non-public addresses allowed when the vault setting says so (the
    options asked for it already, or the setting is off: unchanged)."""
    from ncii_desk.services.settings import capture_allows_private

    if options.fetch.allow_private_addresses or not capture_allows_private(vault):
        return options
    return replace(options, fetch=replace(options.fetch, allow_private_addresses=True))


def capture_urls(
    vault: CaseStore,
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
    access.require(vault, case_id, access.Action.CAPTURE_ADD)
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
    vault: CaseStore,
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
            cap.screenshot = screenshots.prepare(
                vault, cap.warc_bytes, page_url, case_id=cap.case_id
            )
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
    blob = cap.vault.case_blobs(cap.case_id).put_bytes(data)
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
    vault: CaseStore,
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


def _store_hashes(vault: CaseStore, cap: _AddressCapture) -> None:
    from ncii_desk.services.matching import store_hashes as store

    for st in cap.stored:
        if st.hashes is None or st.hashes.error or st.resource.item_id is None:
            continue
        store(vault, st.resource.item_id, st.hashes)
