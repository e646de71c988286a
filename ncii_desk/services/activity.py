"""The audit log told as plain sentences, for the Activity screen.

Every kind of event the code base records has its own sentence here ("Sam revealed
beach.jpg for 15 s"): people by the name they go by, files by their names, platforms and
web addresses as they are, times in the computer's local zone. No JSON, no hex ids. One
place, so the GUI, a report or a test reads the same words.

``case_activity`` selects a case's events in SQL (its own id, or an id of one of its
items, matches, requests, captures or picked faces, or a ``case_id`` in the details), so
showing one case never reads the whole log.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, union_all
from sqlalchemy.orm import Session

from ncii_desk.vault import Vault
from ncii_desk.vault.models import (
    AuditEvent,
    Capture,
    Case,
    EvidenceItem,
    FaceReference,
    Match,
    RemovalRequest,
)


@dataclass(frozen=True)
class Names:
    """What an event's ids stand for, in words (filled from the vault for one case)."""

    items: Mapping[str, str] = field(default_factory=dict)
    requests: Mapping[str, str] = field(default_factory=dict)
    captures: Mapping[str, str] = field(default_factory=dict)
    matches: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    faces: Mapping[str, str] = field(default_factory=dict)
    cases: Mapping[str, str] = field(default_factory=dict)

    def item(self, item_id: object) -> str:
        return self.items.get(str(item_id or ""), "a file")


@dataclass(frozen=True)
class ActivityLine:
    """One event as the Activity screen shows it."""

    seq: int
    #: The stored UTC time (ISO 8601) and the same time in the local zone, as text.
    at: str
    when: str
    who: str
    action: str
    sentence: str
    #: Extra facts worth reading, already in words ("" when none).
    details: str = ""


def local_when(at: str) -> str:
    """An ISO 8601 UTC time as 'YYYY-MM-DD HH:MM' in this computer's time zone."""
    try:
        value = datetime.fromisoformat(at.replace("Z", "+00:00"))
    except ValueError:
        return at
    return value.astimezone().strftime("%Y-%m-%d %H:%M")


def _plural(n: object, word: str) -> str:
    count = n if isinstance(n, int) else 0
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _req(names: Names, oid: str) -> str:
    return names.requests.get(oid, "a platform")


def _match(names: Names, oid: str, d: Mapping[str, Any]) -> str:
    if oid in names.matches:
        a, b = names.matches[oid]
    else:
        a, b = names.item(d.get("suspect")), names.item(d.get("target"))
    return f"{a} and {b}"


def _status(d: Mapping[str, Any]) -> str:
    words = {"acknowledged": "acknowledged", "removed": "removed", "refused": "refused"}
    return words.get(str(d.get("status", "")), str(d.get("status", "changed")))


def _minor(who: str, d: Mapping[str, Any]) -> str:
    if d.get("value"):
        return f"{who} marked this case as possibly about someone under 18"
    return f"{who} cleared the possibly-under-18 mark on this case"


def _yes(flag: object, yes: str, no: str) -> str:
    return yes if flag else no


Sentence = Callable[[str, str, Mapping[str, Any], Names], str]

#: action -> sentence(who, object id, details, names). Every action the code base writes.
SENTENCES: dict[str, Sentence] = {
    "vault.created": lambda w, o, d, n: f"{w} created this vault",
    "vault.unlocked": lambda w, o, d, n: (
        f"{w} unlocked the vault with the {d.get('with', 'passphrase')}"
    ),
    "vault.checked": lambda w, o, d, n: (
        f"{w} checked the vault: "
        + _yes(d.get("ok"), "no problems found", _plural(d.get("problems"), "problem") + " found")
    ),
    "vault.passphrase_changed": lambda w, o, d, n: f"{w} changed the vault passphrase",
    "vault.permissions_tightened": lambda w, o, d, n: (
        f"{w}'s vault files were made private to this account ({_plural(d.get('count'), 'file')})"
    ),
    "vault.header_backup_repaired": lambda w, o, d, n: (
        "The spare copy of the vault's key file was damaged and was rewritten from the main one"
    ),
    "vault.header_restored_from_backup": lambda w, o, d, n: (
        "The vault's key file was damaged and was restored from its spare copy"
    ),
    "audit.tamper_detected": lambda w, o, d, n: (
        "The activity log did not match its "
        "saved check: someone may have changed or removed entries"
    ),
    "selftest.blob": lambda w, o, d, n: f"{w} ran the built-in self-test",
    "case.created": lambda w, o, d, n: f"{w} opened the case {n.cases.get(o, '')}".rstrip(),
    "case.suspected_minor_set": lambda w, o, d, n: _minor(w, d),
    "case.analyzed": lambda w, o, d, n: f"{w} checked all pictures of the case for faces and edits",
    "case.copies_hash_only": lambda w, o, d, n: (
        "A copy of a file was deleted here too "
        "because it is in a possibly-under-18 case; only its fingerprints are kept"
    ),
    "item.added": lambda w, o, d, n: f"{w} added {n.item(o)}",
    "item.hashed": lambda w, o, d, n: f"Fingerprints of {n.item(o)} were worked out for matching",
    "item.exported": lambda w, o, d, n: (
        f"{w} saved a copy of {n.item(o)} outside the vault as {d.get('file_name', 'a file')}"
    ),
    "item.reveal": lambda w, o, d, n: f"{w} revealed {n.item(o)} for {d.get('seconds', '?')} s",
    "item.source_set": lambda w, o, d, n: (
        f"{w} recorded where {n.item(o)} was found: {d.get('new') or 'not known'}"
    ),
    "item.faces_found": lambda w, o, d, n: (
        f"Looking for faces in {n.item(o)} found {_plural(d.get('faces'), 'face')}"
    ),
    "item.analyzed": lambda w, o, d, n: f"The file {n.item(o)} was checked for faces and edits",
    "item.analysis_skipped": lambda w, o, d, n: (
        f"The file {n.item(o)} could not be checked for "
        f"faces and edits ({d.get('reason', 'no reason given')})"
    ),
    "item.hash_only": lambda w, o, d, n: (
        f"The file {n.item(o)} was deleted because this case may be "
        "about someone under 18; only its fingerprints are kept"
    ),
    "item.copyright": lambda w, o, d, n: f"{w} changed who took {n.item(o)}",
    "face.picked": lambda w, o, d, n: f"{w} picked the client's face in {n.item(d.get('item'))}",
    "face.unpicked": lambda w, o, d, n: (
        f"{w} unpicked the client's face in {n.item(d.get('item'))}"
    ),
    "match.found": lambda w, o, d, n: f"Possible match found: {_match(n, o, d)}",
    "match.confirmed": lambda w, o, d, n: f"{w} confirmed the match {_match(n, o, d)}",
    "match.rejected": lambda w, o, d, n: f"{w} rejected the match {_match(n, o, d)}",
    "capture.created": lambda w, o, d, n: f"{w} captured {n.captures.get(o, 'a web page')}",
    "capture.failed": lambda w, o, d, n: (
        f"{w} tried to capture "
        f"{n.captures.get(o, d.get('url', 'a web page'))}, but it could not be captured"
    ),
    "capture.screenshot": lambda w, o, d, n: (
        f"A screenshot of {n.captures.get(o, 'a captured page')} was made"
    ),
    "capture.exported": lambda w, o, d, n: (
        f"{w} saved the web archive of "
        f"{n.captures.get(o, 'a captured page')} as {d.get('file_name', 'a file')}"
    ),
    "capture.rechecked": lambda w, o, d, n: (
        f"{w} checked again whether {n.captures.get(o, 'a captured page')} is still online"
    ),
    "request.drafted": lambda w, o, d, n: (
        f"{w} drafted a removal request to {d.get('platform') or _req(n, o)}"
    ),
    "request.sent": lambda w, o, d, n: f"{w} marked the removal request to {_req(n, o)} as sent",
    "request.sent_corrected": lambda w, o, d, n: (
        f"{w} corrected when the removal request to {_req(n, o)} was sent"
    ),
    "request.ticket": lambda w, o, d, n: (
        f"{w} recorded {_req(n, o)}'s reference number {d.get('ticket', '')}".rstrip()
    ),
    "request.status": lambda w, o, d, n: (
        f"{w} recorded that {_req(n, o)} {_status(d)} the removal request"
    ),
    "request.exported": lambda w, o, d, n: f"{w} saved the removal letter to {_req(n, o)}",
    "request.document": lambda w, o, d, n: (
        f"{w} recorded a document about the removal request to {_req(n, o)}"
    ),
    "request.followup_made": lambda w, o, d, n: f"{w} made a follow-up letter to {_req(n, o)}",
    "request.escalation_made": lambda w, o, d, n: (
        f"{w} made an escalation letter about {_req(n, o)}"
    ),
    "request.content_gone": lambda w, o, d, n: (
        f"The picture reported to {_req(n, o)} is no longer online"
    ),
    "request.content_back": lambda w, o, d, n: (
        f"The picture reported to {_req(n, o)} is back online"
    ),
    "handout.made": lambda w, o, d, n: f"{w} made the hand-out for the client",
    "packet.built": lambda w, o, d, n: (
        f"{w} built the evidence packet ({_plural(d.get('exhibits'), 'exhibit')})"
    ),
    "packet.signing_configured": lambda w, o, d, n: (
        f"{w} set up the signing certificate for evidence packets ({d.get('subject', '')})"
    ),
    "packet.signing_cleared": lambda w, o, d, n: f"{w} removed the signing certificate",
    "hashlist.imported": lambda w, o, d, n: (
        f"{w} imported the fingerprint list "
        f"{d.get('name', '')} ({_plural(d.get('entries'), 'entry')})"
    ),
    "hashlist.exported": lambda w, o, d, n: (
        f"{w} exported this case's fingerprints ({_plural(d.get('entries'), 'entry')})"
    ),
    "clinic.updated": lambda w, o, d, n: f"{w} changed the clinic details",
    "case.exported": lambda w, o, d, n: (
        f"{w} exported this case as an encrypted hand-over file"
        + (" (fingerprints only)" if d.get("hashes_only") else "")
    ),
    "case.imported": lambda w, o, d, n: (
        f"{w} imported this case from a hand-over file"
        + (
            f" sent by the vault with fingerprint {d['sender_fingerprint']}"
            if d.get("sender_fingerprint")
            else ""
        )
    ),
    "hashlist.index_rebuilt": lambda w, o, d, n: (
        "The search tables of a hash list were rebuilt (they were missing, damaged or in an "
        "older format)"
    ),
    "model.validated": lambda w, o, d, n: (
        f"{w} measured the picture check '{d.get('model', 'a classifier')}' on "
        f"{_plural(d.get('images'), 'labelled picture')} and kept the result"
    ),
    "setting.changed": lambda w, o, d, n: f"{w} changed a setting ({_setting(o)})",
    "setting.reset": lambda w, o, d, n: f"{w} put a setting back to its default ({_setting(o)})",
}

_SETTING_WORDS = {
    "thresholds": "when pictures count as a match",
    "gui.preferences": "screen preferences",
    "tsa": "time-stamp service",
    "capture": "web capture",
    "requests": "removal requests",
    "operator": "the name shown in the activity log",
    "appearance": "light or dark look",
}


def _setting(key: str) -> str:
    for prefix, words in _SETTING_WORDS.items():
        if key.startswith(prefix):
            return words
    return "other"


def sentence(
    action: str, who: str, object_id: str, details: Mapping[str, Any], names: Names
) -> str:
    """The plain sentence for one event (a readable fallback for an unknown kind)."""
    make = SENTENCES.get(action)
    if make is None:
        return f"{who}: {action.replace('.', ' ').replace('_', ' ')}"
    return make(who, object_id, details, names) + "."


def _pairs(s: Session, query: Any) -> dict[str, str]:
    return {str(a): str(b or "") for a, b in s.execute(query)}


def _names(s: Session, case_id: str) -> Names:
    items = {
        i: name or "a file"
        for i, name in s.execute(
            select(EvidenceItem.id, EvidenceItem.original_filename).where(
                EvidenceItem.case_id == case_id
            )
        )
    }
    requests = _pairs(
        s,
        select(RemovalRequest.id, RemovalRequest.platform).where(RemovalRequest.case_id == case_id),
    )
    captures = _pairs(s, select(Capture.id, Capture.url).where(Capture.case_id == case_id))
    matches = {
        m: (items.get(a, "a file"), items.get(b or "", ext or "a picture on a hash list"))
        for m, a, b, ext in s.execute(
            select(
                Match.id, Match.suspect_item_id, Match.target_item_id, Match.target_external
            ).where(Match.case_id == case_id)
        )
    }
    faces = _pairs(
        s,
        select(FaceReference.id, FaceReference.item_id).where(
            FaceReference.item_id.in_(
                select(EvidenceItem.id).where(EvidenceItem.case_id == case_id)
            )
        ),
    )
    cases = _pairs(s, select(Case.id, Case.label).where(Case.id == case_id))
    return Names(items, requests, captures, matches, faces, cases)


def _case_ids(case_id: str) -> Any:
    """SQL for every object id that belongs to the case (one UNION, no rows fetched)."""
    of_case = EvidenceItem.case_id == case_id
    return union_all(
        select(EvidenceItem.id).where(of_case),
        select(Match.id).where(Match.case_id == case_id),
        select(RemovalRequest.id).where(RemovalRequest.case_id == case_id),
        select(Capture.id).where(Capture.case_id == case_id),
        select(FaceReference.id).where(
            FaceReference.item_id.in_(select(EvidenceItem.id).where(of_case))
        ),
    )


def case_activity(vault: Vault, case_id: str, limit: int = 5000) -> list[ActivityLine]:
    """The events about this case and everything in it, newest first, as sentences."""
    with vault.session() as s:
        query = (
            select(AuditEvent)
            .where(
                or_(
                    AuditEvent.object_id == case_id,
                    AuditEvent.object_id.in_(_case_ids(case_id)),
                    func.json_extract(AuditEvent.details, "$.case_id") == case_id,
                )
            )
            .order_by(AuditEvent.seq.desc())
            .limit(limit)
        )
        events = list(s.scalars(query))
        names = _names(s, case_id)
    return [describe(ev, names) for ev in events]


def describe(ev: AuditEvent, names: Names) -> ActivityLine:
    try:
        details = json.loads(ev.details)
    except ValueError:
        details = {}
    if not isinstance(details, dict):
        details = {}
    who = ev.actor or "Someone"
    return ActivityLine(
        seq=ev.seq,
        at=ev.at,
        when=local_when(ev.at),
        who=who,
        action=ev.action,
        sentence=sentence(ev.action, who, ev.object_id or "", details, names),
        details=_detail_words(details),
    )


def _detail_words(details: Mapping[str, Any]) -> str:
    """A note or reason the person typed, which the sentence does not already say."""
    for key in ("note", "reason"):
        value = details.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""
