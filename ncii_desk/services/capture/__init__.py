"""Capturing suspect web addresses into a case, re-checking them, and an item's custody.

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

``recheck_case`` visits each captured address again and records a Recheck row: ``gone``
(404/410/451, a removal notice that was not on the captured page, a redirect to the site's
home page, or every captured picture/video gone), ``changed`` (different bytes), ``still_up``
or ``error`` (with the reason). The removal-request tracker reads these rows.

The work is split by what it does: ``addresses`` captures addresses into a case (fetch,
WARC, items, hashes and matches); ``records`` reads recorded captures and their WARC files;
``recheck`` visits captured addresses again; ``custody`` gives an item's chain of custody.
Every public name is importable from this package, as it was from the one module before.
"""

from ncii_desk.errors import NciiDeskError as NciiDeskError
from ncii_desk.services.capture.addresses import (
    CaptureBatch,
    CaptureOptions,
    ResourceResult,
    UrlCaptureResult,
    capture_urls,
)
from ncii_desk.services.capture.custody import CustodyView, custody
from ncii_desk.services.capture.recheck import (
    GONE_STATUSES,
    RECHECK_MEDIA_LIMIT,
    RecheckView,
    list_rechecks,
    recheck_case,
)
from ncii_desk.services.capture.records import (
    CaptureView,
    export_warc,
    find_capture,
    get_capture,
    list_captures,
    read_warc,
)

__all__ = [
    "GONE_STATUSES",
    "RECHECK_MEDIA_LIMIT",
    "CaptureBatch",
    "CaptureOptions",
    "CaptureView",
    "CustodyView",
    "NciiDeskError",
    "RecheckView",
    "ResourceResult",
    "UrlCaptureResult",
    "capture_urls",
    "custody",
    "export_warc",
    "find_capture",
    "get_capture",
    "list_captures",
    "list_rechecks",
    "read_warc",
    "recheck_case",
]
