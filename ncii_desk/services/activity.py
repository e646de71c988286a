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

from sqlalchemy import or_, select, union_all
from sqlalchemy.orm import Session

from ncii_desk.clinic.sealing import open_rows
from ncii_desk.i18n import Phrase
from ncii_desk.vault.models import (
    AuditEvent,
    Capture,
    Case,
    EvidenceItem,
    FaceReference,
    Match,
    RemovalRequest,
)
from ncii_desk.vault.schema import json_text_field
from ncii_desk.vault.store import CaseStore


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
        return self.items.get(str(item_id or ""), _A_FILE)


@dataclass(frozen=True)
class ActivityLine:
    """One event as the Activity screen shows it."""

    seq: int
    #: The stored UTC time (ISO 8601) and the same time in the local zone, as text.
    at: str
    when: str
    who: str
    action: str
    #: The sentence in English (the CLI, reports and tests read this).
    sentence: str
    #: Extra facts worth reading, already in words ("" when none).
    details: str = ""
    #: The same sentence as a template and its values, for the window to say in its language.
    phrase: Phrase | None = None

    def sentence_in(self, language: str | None = None) -> str:
        """The sentence in ``language`` (None: the window's language)."""
        if self.phrase is None:
            return self.sentence
        return self.phrase.text(language) + "."


def local_when(at: str) -> str:
    """An ISO 8601 UTC time as 'YYYY-MM-DD HH:MM' in this computer's time zone."""
    try:
        value = datetime.fromisoformat(at.replace("Z", "+00:00"))
    except ValueError:
        return at
    return value.astimezone().strftime("%Y-%m-%d %H:%M")


#: The services catalogue's context of every sentence here (ncii_desk/i18n/services_<lang>.ts).
PHRASE_CONTEXT = "Activity"


def _p(template: str, **values: object) -> Phrase:
    """A sentence (or a part of one) of the Activity screen: an English template with
    named placeholders. The window says it in its own language (ncii_desk.i18n)."""
    return Phrase(PHRASE_CONTEXT, template, values)


def _count(n: object) -> int:
    return n if isinstance(n, int) else 0


def _plural(n: object, one: str, many: str) -> Phrase:
    """``one`` or ``many`` (templates with {n}) by the count; both are catalogue entries."""
    count = _count(n)
    return _p(one, n=count) if count == 1 else _p(many, n=count)


_A_FILE = "a file"


def _item(names: Names, item_id: object) -> object:
    """A file's name, or the words for "a file" when it is not known."""
    found = names.items.get(str(item_id or ""))
    return found if found else _p("a file")


def _req(names: Names, oid: str) -> object:
    found = names.requests.get(oid)
    return found if found else _p("a platform")


def _capture(names: Names, oid: str, fallback: object) -> object:
    found = names.captures.get(oid)
    return found if found else fallback


def _match(names: Names, oid: str, d: Mapping[str, Any]) -> Phrase:
    if oid in names.matches:
        a, b = names.matches[oid]
        first: object = a if a != _A_FILE else _p("a file")
        second: object = b
        if b == _A_FILE:
            second = _p("a file")
        elif b == _ON_A_LIST:
            second = _p("a picture on a hash list")
    else:
        first, second = _item(names, d.get("suspect")), _item(names, d.get("target"))
    return _p("{first} and {second}", first=first, second=second)


def _minor(who: str, d: Mapping[str, Any]) -> Phrase:
    if d.get("value"):
        return _p("{who} marked this case as possibly about someone under 18", who=who)
    return _p("{who} cleared the possibly-under-18 mark on this case", who=who)


def _status(w: str, n: Names, o: str, d: Mapping[str, Any]) -> Phrase:
    status = str(d.get("status", ""))
    platform = _req(n, o)
    if status == "acknowledged":
        return _p(
            "{who} recorded that {platform} acknowledged the removal request",
            who=w,
            platform=platform,
        )
    if status == "removed":
        return _p(
            "{who} recorded that {platform} removed the removal request", who=w, platform=platform
        )
    if status == "refused":
        return _p(
            "{who} recorded that {platform} refused the removal request", who=w, platform=platform
        )
    return _p(
        "{who} recorded that {platform} changed the removal request", who=w, platform=platform
    )


def _checked(w: str, d: Mapping[str, Any]) -> Phrase:
    if d.get("ok"):
        return _p("{who} checked the vault: no problems found", who=w)
    return _p(
        "{who} checked the vault: {problems} found",
        who=w,
        problems=_plural(d.get("problems"), "{n} problem", "{n} problems"),
    )


def _unlocked(w: str, d: Mapping[str, Any]) -> Phrase:
    if d.get("with") == "recovery key":
        return _p("{who} unlocked the vault with the recovery key", who=w)
    if d.get("with", "passphrase") == "passphrase":
        return _p("{who} unlocked the vault with the passphrase", who=w)
    return _p("{who} unlocked the vault with the {means}", who=w, means=d.get("with"))


def _exported(w: str, d: Mapping[str, Any]) -> Phrase:
    if d.get("hashes_only"):
        return _p(
            "{who} exported this case as an encrypted hand-over file (fingerprints only)", who=w
        )
    return _p("{who} exported this case as an encrypted hand-over file", who=w)


def _imported(w: str, d: Mapping[str, Any]) -> Phrase:
    if d.get("sender_fingerprint"):
        return _p(
            "{who} imported this case from a hand-over file sent by the vault with "
            "fingerprint {fingerprint}",
            who=w,
            fingerprint=d["sender_fingerprint"],
        )
    return _p("{who} imported this case from a hand-over file", who=w)


def _opened(w: str, o: str, n: Names) -> Phrase:
    label = n.cases.get(o, "")
    if label:
        return _p("{who} opened the case {case}", who=w, case=label)
    return _p("{who} opened the case", who=w)


def _ticket(w: str, o: str, d: Mapping[str, Any], n: Names) -> Phrase:
    if d.get("ticket"):
        return _p(
            "{who} recorded {platform}'s reference number {ticket}",
            who=w,
            platform=_req(n, o),
            ticket=d["ticket"],
        )
    return _p("{who} recorded {platform}'s reference number", who=w, platform=_req(n, o))


def _or(value: object, fallback: Phrase) -> object:
    return value if value else fallback


Sentence = Callable[[str, str, Mapping[str, Any], Names], Phrase]

#: action -> sentence(who, object id, details, names). Every action the code base writes.
SENTENCES: dict[str, Sentence] = {
    "vault.created": lambda w, o, d, n: _p("{who} created this vault", who=w),
    "vault.unlocked": lambda w, o, d, n: _unlocked(w, d),
    "vault.checked": lambda w, o, d, n: _checked(w, d),
    "vault.passphrase_changed": lambda w, o, d, n: _p("{who} changed the vault passphrase", who=w),
    "clinic.member_admitted": lambda w, o, d, n: _p(
        "{who} admitted clinic member {member} (key fingerprint {fingerprint})",
        who=w,
        member=str(o or "")[:12],
        fingerprint=d.get("fingerprint"),
    ),
    "clinic.member_removed": lambda w, o, d, n: _p(
        "{who} removed clinic member {member}", who=w, member=str(o or "")[:12]
    ),
    "clinic.member_key_changed": lambda w, o, d, n: _p(
        "{who} changed their clinic member passphrase", who=w
    ),
    "clinic.key_rotated": lambda w, o, d, n: _p(
        "{who} replaced the clinic key (now version {version}) and gave the new one to {members}",
        who=w,
        version=d.get("version"),
        members=_plural(
            len(d.get("wrapped_to") or []), "{n} remaining member", "{n} remaining members"
        ),
    ),
    "vault.permissions_tightened": lambda w, o, d, n: _p(
        "{who}'s vault files were made private to this account ({files})",
        who=w,
        files=_plural(d.get("count"), "{n} file", "{n} files"),
    ),
    "vault.header_backup_repaired": lambda w, o, d, n: _p(
        "The spare copy of the vault's key file was damaged and was rewritten from the main one"
    ),
    "vault.header_restored_from_backup": lambda w, o, d, n: _p(
        "The vault's key file was damaged and was restored from its spare copy"
    ),
    "audit.tamper_detected": lambda w, o, d, n: _p(
        "The activity log did not match its saved check: someone may have changed or removed "
        "entries"
    ),
    "selftest.blob": lambda w, o, d, n: _p("{who} ran the built-in self-test", who=w),
    "case.created": lambda w, o, d, n: _opened(w, o, n),
    "case.suspected_minor_set": lambda w, o, d, n: _minor(w, d),
    "case.analyzed": lambda w, o, d, n: _p(
        "{who} checked all pictures of the case for faces and edits", who=w
    ),
    "case.copies_hash_only": lambda w, o, d, n: _p(
        "A copy of a file was deleted here too because it is in a possibly-under-18 case; "
        "only its fingerprints are kept"
    ),
    "item.added": lambda w, o, d, n: _p("{who} added {file}", who=w, file=_item(n, o)),
    "item.hashed": lambda w, o, d, n: _p(
        "Fingerprints of {file} were worked out for matching", file=_item(n, o)
    ),
    "item.exported": lambda w, o, d, n: _p(
        "{who} saved a copy of {file} outside the vault as {saved_as}",
        who=w,
        file=_item(n, o),
        saved_as=_or(d.get("file_name"), _p("a file")),
    ),
    "item.reveal": lambda w, o, d, n: _p(
        "{who} revealed {file} for {seconds} s",
        who=w,
        file=_item(n, o),
        seconds=d.get("seconds", "?"),
    ),
    "item.source_set": lambda w, o, d, n: _p(
        "{who} recorded where {file} was found: {where}",
        who=w,
        file=_item(n, o),
        where=_or(d.get("new"), _p("not known")),
    ),
    "item.faces_found": lambda w, o, d, n: _p(
        "Looking for faces in {file} found {faces}",
        file=_item(n, o),
        faces=_plural(d.get("faces"), "{n} face", "{n} faces"),
    ),
    "item.analyzed": lambda w, o, d, n: _p(
        "The file {file} was checked for faces and edits", file=_item(n, o)
    ),
    "item.analysis_skipped": lambda w, o, d, n: _p(
        "The file {file} could not be checked for faces and edits ({reason})",
        file=_item(n, o),
        reason=_or(d.get("reason"), _p("no reason given")),
    ),
    "item.hash_only": lambda w, o, d, n: _p(
        "The file {file} was deleted because this case may be about someone under 18; only "
        "its fingerprints are kept",
        file=_item(n, o),
    ),
    "item.copyright": lambda w, o, d, n: _p(
        "{who} changed who took {file}", who=w, file=_item(n, o)
    ),
    "face.picked": lambda w, o, d, n: _p(
        "{who} picked the client's face in {file}", who=w, file=_item(n, d.get("item"))
    ),
    "face.unpicked": lambda w, o, d, n: _p(
        "{who} unpicked the client's face in {file}", who=w, file=_item(n, d.get("item"))
    ),
    "match.found": lambda w, o, d, n: _p("Possible match found: {pair}", pair=_match(n, o, d)),
    "match.confirmed": lambda w, o, d, n: _p(
        "{who} confirmed the match {pair}", who=w, pair=_match(n, o, d)
    ),
    "match.rejected": lambda w, o, d, n: _p(
        "{who} rejected the match {pair}", who=w, pair=_match(n, o, d)
    ),
    "capture.created": lambda w, o, d, n: _p(
        "{who} captured {page}", who=w, page=_capture(n, o, _p("a web page"))
    ),
    "capture.failed": lambda w, o, d, n: _p(
        "{who} tried to capture {page}, but it could not be captured",
        who=w,
        page=_capture(n, o, _or(d.get("url"), _p("a web page"))),
    ),
    "capture.screenshot": lambda w, o, d, n: _p(
        "A screenshot of {page} was made", page=_capture(n, o, _p("a captured page"))
    ),
    "capture.exported": lambda w, o, d, n: _p(
        "{who} saved the web archive of {page} as {saved_as}",
        who=w,
        page=_capture(n, o, _p("a captured page")),
        saved_as=_or(d.get("file_name"), _p("a file")),
    ),
    "capture.rechecked": lambda w, o, d, n: _p(
        "{who} checked again whether {page} is still online",
        who=w,
        page=_capture(n, o, _p("a captured page")),
    ),
    "request.drafted": lambda w, o, d, n: _p(
        "{who} drafted a removal request to {platform}",
        who=w,
        platform=d.get("platform") or _req(n, o),
    ),
    "request.sent": lambda w, o, d, n: _p(
        "{who} marked the removal request to {platform} as sent", who=w, platform=_req(n, o)
    ),
    "request.sent_corrected": lambda w, o, d, n: _p(
        "{who} corrected when the removal request to {platform} was sent",
        who=w,
        platform=_req(n, o),
    ),
    "request.ticket": lambda w, o, d, n: _ticket(w, o, d, n),
    "letter.signed_off": lambda w, o, d, n: _p(
        "{who} signed off the letter of the removal request to {platform}",
        who=w,
        platform=_req(n, o),
    ),
    "request.status": lambda w, o, d, n: _status(w, n, o, d),
    "request.exported": lambda w, o, d, n: _p(
        "{who} saved the removal letter to {platform}", who=w, platform=_req(n, o)
    ),
    "request.document": lambda w, o, d, n: _p(
        "{who} recorded a document about the removal request to {platform}",
        who=w,
        platform=_req(n, o),
    ),
    "request.followup_made": lambda w, o, d, n: _p(
        "{who} made a follow-up letter to {platform}", who=w, platform=_req(n, o)
    ),
    "request.escalation_made": lambda w, o, d, n: _p(
        "{who} made an escalation letter about {platform}", who=w, platform=_req(n, o)
    ),
    "request.content_gone": lambda w, o, d, n: _p(
        "The picture reported to {platform} is no longer online", platform=_req(n, o)
    ),
    "request.content_back": lambda w, o, d, n: _p(
        "The picture reported to {platform} is back online", platform=_req(n, o)
    ),
    "handout.made": lambda w, o, d, n: _p("{who} made the hand-out for the client", who=w),
    "packet.built": lambda w, o, d, n: _p(
        "{who} built the evidence packet ({exhibits})",
        who=w,
        exhibits=_plural(d.get("exhibits"), "{n} exhibit", "{n} exhibits"),
    ),
    "packet.signing_configured": lambda w, o, d, n: _p(
        "{who} set up the signing certificate for evidence packets ({subject})",
        who=w,
        subject=d.get("subject", ""),
    ),
    "packet.signing_cleared": lambda w, o, d, n: _p("{who} removed the signing certificate", who=w),
    "hashlist.imported": lambda w, o, d, n: _p(
        "{who} imported the fingerprint list {name} ({entries})",
        who=w,
        name=d.get("name", ""),
        entries=_plural(d.get("entries"), "{n} entry", "{n} entries"),
    ),
    "hashlist.exported": lambda w, o, d, n: _p(
        "{who} exported this case's fingerprints ({entries})",
        who=w,
        entries=_plural(d.get("entries"), "{n} entry", "{n} entries"),
    ),
    "clinic.updated": lambda w, o, d, n: _p("{who} changed the clinic details", who=w),
    "case.exported": lambda w, o, d, n: _exported(w, d),
    "case.imported": lambda w, o, d, n: _imported(w, d),
    "case.import_started": lambda w, o, d, n: _p(
        "{who} started importing a case from a hand-over file; its stored files are being written",
        who=w,
    ),
    "case.import_partial_discarded": lambda w, o, d, n: _p(
        "The stored files of an unfinished case import were deleted ({files})",
        files=_plural(d.get("blobs"), "{n} file", "{n} files"),
    ),
    "hashlist.index_rebuilt": lambda w, o, d, n: _p(
        "The search tables of a hash list were rebuilt (they were missing, damaged or in an "
        "older format)"
    ),
    "model.validated": lambda w, o, d, n: _p(
        "{who} measured the picture check '{model}' on {images} and kept the result",
        who=w,
        model=_or(d.get("model"), _p("a classifier")),
        images=_plural(d.get("images"), "{n} labelled picture", "{n} labelled pictures"),
    ),
    "setting.changed": lambda w, o, d, n: _p(
        "{who} changed a setting ({setting})", who=w, setting=_setting(o)
    ),
    "setting.letters_sign_off": lambda w, o, d, n: (
        _p("{who} required a supervising attorney's sign-off before letters are sent", who=w)
        if d.get("required")
        else _p("{who} let letters be sent without a supervising attorney's sign-off", who=w)
    ),
    "setting.reset": lambda w, o, d, n: _p(
        "{who} put a setting back to its default ({setting})", who=w, setting=_setting(o)
    ),
}

_ON_A_LIST = "a picture on a hash list"
_SETTING_WORDS = {
    "thresholds": _p("when pictures count as a match"),
    "gui.preferences": _p("screen preferences"),
    "tsa": _p("time-stamp service"),
    "capture": _p("web capture"),
    "requests": _p("removal requests"),
    "operator": _p("the name shown in the activity log"),
    "appearance": _p("light or dark look"),
}


def _setting(key: str) -> Phrase:
    for prefix, words in _SETTING_WORDS.items():
        if key.startswith(prefix):
            return words
    return _p("other")


def phrase(
    action: str, who: str, object_id: str, details: Mapping[str, Any], names: Names
) -> Phrase:
    """The sentence for one event as a template and its values (without the full stop)."""
    make = SENTENCES.get(action)
    if make is None:
        return _p("{who}: {what}", who=who, what=action.replace(".", " ").replace("_", " "))
    return make(who, object_id, details, names)


def sentence(
    action: str, who: str, object_id: str, details: Mapping[str, Any], names: Names
) -> str:
    """The plain English sentence for one event (a readable fallback for an unknown kind)."""
    said = phrase(action, who, object_id, details, names)
    return str(said) + ("." if action in SENTENCES else "")


def _pairs(s: Session, query: Any) -> dict[str, str]:
    return {str(a): str(b or "") for a, b in s.execute(query)}


def _rows_opened(s: Session, table: str, query: Any) -> list[dict[str, Any]]:
    """Rows of ``query`` (selecting ``id`` and ``case_id`` too) with sealed columns opened
    (a clinic store keeps names and addresses encrypted with the case key)."""
    return open_rows(s, table, (r._mapping for r in s.execute(query)))


def _names(s: Session, case_id: str) -> Names:
    items = {
        r["id"]: r["original_filename"] or _A_FILE
        for r in _rows_opened(
            s,
            "items",
            select(EvidenceItem.id, EvidenceItem.case_id, EvidenceItem.original_filename).where(
                EvidenceItem.case_id == case_id
            ),
        )
    }
    requests = {
        r["id"]: r["platform"] or ""
        for r in _rows_opened(
            s,
            "removal_requests",
            select(RemovalRequest.id, RemovalRequest.case_id, RemovalRequest.platform).where(
                RemovalRequest.case_id == case_id
            ),
        )
    }
    captures = {
        r["id"]: r["url"] or ""
        for r in _rows_opened(
            s,
            "captures",
            select(Capture.id, Capture.case_id, Capture.url).where(Capture.case_id == case_id),
        )
    }
    matches = {
        r["id"]: (
            items.get(r["suspect_item_id"], _A_FILE),
            items.get(r["target_item_id"] or "", r["target_external"] or _ON_A_LIST),
        )
        for r in _rows_opened(
            s,
            "matches",
            select(
                Match.id,
                Match.case_id,
                Match.suspect_item_id,
                Match.target_item_id,
                Match.target_external,
            ).where(Match.case_id == case_id),
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
    cases = {
        r["id"]: r["label"] or ""
        for r in _rows_opened(s, "cases", select(Case.id, Case.label).where(Case.id == case_id))
    }
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


def case_activity(vault: CaseStore, case_id: str, limit: int = 5000) -> list[ActivityLine]:
    """The events about this case and everything in it, newest first, as sentences."""
    with vault.session() as s:
        query = (
            select(AuditEvent)
            .where(
                or_(
                    AuditEvent.object_id == case_id,
                    AuditEvent.object_id.in_(_case_ids(case_id)),
                    json_text_field(AuditEvent.details, "case_id") == case_id,
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
    said = phrase(ev.action, who, ev.object_id or "", details, names)
    return ActivityLine(
        seq=ev.seq,
        at=ev.at,
        when=local_when(ev.at),
        who=who,
        action=ev.action,
        sentence=sentence(ev.action, who, ev.object_id or "", details, names),
        details=_detail_words(details),
        phrase=said,
    )


def _detail_words(details: Mapping[str, Any]) -> str:
    """A note or reason the person typed, which the sentence does not already say."""
    for key in ("note", "reason"):
        value = details.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""
