"""Removal-request tracker: drafts per platform, sent time, 48-hour deadline, status, history.

A request is one letter to one platform for one route, listing the depictions of the person
on that platform: each suspect picture or video matched to the case's originals or reference
photos (a match not rejected by a reviewer) or named by the advocate, with its own address,
the page it appeared on, capture time and hashes; never a page's HTML or the unrelated files
captured with it. Captured pages without a matched picture stay out (and are named), pages
given as-is are listed whole, and what an open request of the same kind to the same platform
already lists is not asked again (``AlreadyRequested`` when nothing new is left). Its
documents are stored in the vault as ONE encrypted blob (``document_blob_id``): a ZIP holding
``<name>.pdf`` and the editable ``<name>.docx`` with the same content, so both always travel
together.

Status: draft → sent (sets sent_at, dates the letter then, and, for TAKE IT DOWN requests to a
site the advocate answered is a covered platform, deadline_at = sent_at + 48 h; a sent time
before the draft or in the future is refused, and a wrong one is corrected with a reason,
``correct_sent``) → acknowledged / removed / refused. Times are shown in the clinic's zone
(setting ``requests.time_zone``) with UTC beside them. "overdue" is never stored: a sent or
acknowledged request whose deadline has passed is shown as overdue (``RequestView.state``).
Every change is appended to the request's ``history`` and recorded as an audit event. Later
visits of the same addresses (Recheck rows of the capture work) are shown with each request,
and a re-check that finds an address of a sent request gone (or back up after that) adds a line
to its history (``note_recheck``); the status stays for the advocate to set.

DMCA notices list only copies matched by their pixels, and confirmed by a reviewer, to
originals individually marked as the client's (``EvidenceItem.taken_by`` /
``client_holds_copyright``); every other picture is left out with its reason and the TAKE IT
DOWN route is suggested (``dmca_filter``, ``NoDmcaCopies``). The client's legal name reaches
only platforms whose process requires it; other letters use the case's pseudonym.

Suspected-minor safety: in a case marked as possibly showing a person under 18, and for
addresses whose items are so marked, the only document made is a report sheet for NCMEC
(CyberTipline and Take It Down) with web addresses and hashes; never images.

Clinic details used on letters (name, contact, default signer) are one Setting row
("clinic"), set with ``set_clinic``.

The work is split by what it does: ``records`` (a request's view and how a change is
recorded), ``clinic`` (clinic details and time zone), ``depictions`` (what a case has to
request and what a letter may list), ``drafting``, ``documents`` (the stored PDF and DOCX,
reading and export), ``tracker`` (sent time, deadline, status, re-checks), ``followup`` and
``handout``. Every public name is importable from this package, as it was from the one
module before.
"""

from ncii_desk.documents import covered as covered
from ncii_desk.documents.clock import parse_local as parse_local
from ncii_desk.documents.clock import zone_label as zone_label
from ncii_desk.documents.clock import zone_named as zone_named
from ncii_desk.services.requests.clinic import (
    CLINIC_FIELDS,
    CLINIC_KEY,
    clinic_zone,
    get_clinic,
    required_details,
    set_clinic,
)
from ncii_desk.services.requests.depictions import (
    ALREADY_REQUESTED,
    COVERING_STATES,
    DMCA_FACE_ONLY,
    DMCA_NO_MATCH,
    DMCA_NOT_HELD,
    DMCA_PENDING,
    DMCA_REASONS,
    DMCA_REFERENCE_ONLY,
    DMCA_SUGGESTION,
    DMCA_TAKEN_BY_OTHER,
    DMCA_UNMARKED,
    MINOR_NEEDS_REPRESENTATIVE,
    MINOR_TEMPLATE,
    NO_ADDRESS,
    NO_MATCH,
    NOT_PIXEL_KINDS,
    AlreadyRequested,
    LeftOut,
    dmca_filter,
)
from ncii_desk.services.requests.documents import (
    LetterReading,
    export_documents,
    letter_for_reading,
    request_documents,
    write_files,
)
from ncii_desk.services.requests.drafting import (
    DraftPlan,
    DraftResult,
    NoDmcaCopies,
    PlannedLetter,
    UnmatchedPicture,
    describe_left_out,
    draft_requests,
    plan_drafts,
)
from ncii_desk.services.requests.followup import followup_letters
from ncii_desk.services.requests.handout import make_handout
from ncii_desk.services.requests.records import (
    DEADLINE_ROUTES,
    OPEN_STATES,
    SETTABLE,
    RecheckView,
    RequestNotFound,
    RequestStateError,
    RequestView,
    find_request,
)
from ncii_desk.services.requests.tracker import (
    CONTENT_EVENTS,
    correct_sent,
    get_request,
    list_requests,
    mark_sent,
    note_recheck,
    set_status,
    set_ticket,
)

__all__ = [
    "ALREADY_REQUESTED",
    "CLINIC_FIELDS",
    "CLINIC_KEY",
    "CONTENT_EVENTS",
    "COVERING_STATES",
    "DEADLINE_ROUTES",
    "DMCA_FACE_ONLY",
    "DMCA_NOT_HELD",
    "DMCA_NO_MATCH",
    "DMCA_PENDING",
    "DMCA_REASONS",
    "DMCA_REFERENCE_ONLY",
    "DMCA_SUGGESTION",
    "DMCA_TAKEN_BY_OTHER",
    "DMCA_UNMARKED",
    "MINOR_NEEDS_REPRESENTATIVE",
    "MINOR_TEMPLATE",
    "NOT_PIXEL_KINDS",
    "NO_ADDRESS",
    "NO_MATCH",
    "OPEN_STATES",
    "SETTABLE",
    "AlreadyRequested",
    "DraftPlan",
    "DraftResult",
    "LeftOut",
    "LetterReading",
    "NoDmcaCopies",
    "PlannedLetter",
    "RecheckView",
    "RequestNotFound",
    "RequestStateError",
    "RequestView",
    "UnmatchedPicture",
    "clinic_zone",
    "correct_sent",
    "covered",
    "describe_left_out",
    "dmca_filter",
    "draft_requests",
    "export_documents",
    "find_request",
    "followup_letters",
    "get_clinic",
    "get_request",
    "letter_for_reading",
    "list_requests",
    "make_handout",
    "mark_sent",
    "note_recheck",
    "parse_local",
    "plan_drafts",
    "request_documents",
    "required_details",
    "set_clinic",
    "set_status",
    "set_ticket",
    "write_files",
    "zone_label",
    "zone_named",
]
