"""The domain schema, stored in the SQLCipher database ``meta.db``.

It covers the whole mission from the first migration on, so later features add columns
rather than rewrite tables. Times are timezone-aware UTC. Identifiers are random hex strings
(they reveal nothing about order or count). JSON columns hold canonical, plain data.
"""

from __future__ import annotations

import enum
import secrets
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Defined apart so the command line can offer them without SQLAlchemy; the same classes.
from ncii_desk.vault.kinds import Answer as Answer
from ncii_desk.vault.kinds import Role as Role
from ncii_desk.vault.kinds import TakenBy as TakenBy


def new_id() -> str:
    return secrets.token_hex(16)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC, always returns aware UTC datetimes (SQLite has no time zones)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class Source(enum.StrEnum):
    FILE = "file"
    URL = "url"
    FOLDER_SCAN = "folder-scan"


class ReviewState(enum.StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


class RequestStatus(enum.StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"
    REMOVED = "removed"
    REFUSED = "refused"
    OVERDUE = "overdue"


def _sealable(length: int) -> String:
    """A VARCHAR of ``length`` on SQLite; TEXT on PostgreSQL, where a clinic store may keep
    the column's value sealed on the client (a token longer than the clear value; see
    migration 0011)."""
    return String(length).with_variant(Text(), "postgresql")


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    label: Mapped[str] = mapped_column(_sealable(200))
    client_pseudonym: Mapped[str] = mapped_column(_sealable(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    jurisdiction: Mapped[str] = mapped_column(String(100), default="")
    suspected_minor: Mapped[bool] = mapped_column(Boolean, default=False)
    consent: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    items: Mapped[list[EvidenceItem]] = relationship(back_populates="case")


class Blob(Base):
    """One encrypted file under blobs/; several items may share it (same bytes)."""

    __tablename__ = "blobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(_sealable(64), index=True)
    cipher_sha256: Mapped[str] = mapped_column(String(64))
    chunk_size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Clinic store (migration 0011): the case whose key encrypts this blob and that key's
    #: version; None for a laptop vault and for a clinic's blobs of no case (under the
    #: clinic key).
    case_id: Mapped[str | None] = mapped_column(String(32), default=None, index=True)
    key_version: Mapped[int | None] = mapped_column(Integer, default=None)


class Capture(Base):
    """How a suspect URL was fetched: the record that proves where and when."""

    __tablename__ = "captures"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    url: Mapped[str] = mapped_column(Text)
    final_url: Mapped[str | None] = mapped_column(Text, default=None)
    redirect_chain: Mapped[list[Any]] = mapped_column(default=list)
    http_status: Mapped[int | None] = mapped_column(Integer, default=None)
    headers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    server_address: Mapped[str | None] = mapped_column(_sealable(64), default=None)
    tls: Mapped[dict[str, Any]] = mapped_column(default=dict)
    tls_verified: Mapped[bool] = mapped_column(Boolean, default=True)
    tool_name: Mapped[str] = mapped_column(String(100), default="")
    tool_version: Mapped[str] = mapped_column(String(50), default="")
    user_agent: Mapped[str] = mapped_column(Text, default="")
    operator: Mapped[str] = mapped_column(_sealable(200), default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    warc_blob_id: Mapped[str | None] = mapped_column(ForeignKey("blobs.id"), default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


class EvidenceItem(Base):
    __tablename__ = "items"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    role: Mapped[Role] = mapped_column(_enum(Role))
    source: Mapped[Source] = mapped_column(_enum(Source))
    blob_id: Mapped[str | None] = mapped_column(ForeignKey("blobs.id"), default=None, index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    mime: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(_sealable(64), index=True)
    md5: Mapped[str] = mapped_column(_sealable(32))
    original_filename: Mapped[str] = mapped_column(Text, default="")
    file_mtime: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    file_ctime: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    intake_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    operator: Mapped[str] = mapped_column(_sealable(200), default="")
    suspected_minor: Mapped[bool] = mapped_column(Boolean, default=False)
    pixels_kept: Mapped[bool] = mapped_column(Boolean, default=True)
    capture_id: Mapped[str | None] = mapped_column(ForeignKey("captures.id"), default=None)
    duplicate_of: Mapped[str | None] = mapped_column(ForeignKey("items.id"), default=None)
    label: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: Originals only: who took the picture, and whether the client holds its copyright.
    #: A DMCA notice lists only copies of originals marked as the client's (migration 0005;
    #: every existing item starts "unknown": nothing is assumed).
    taken_by: Mapped[TakenBy] = mapped_column(
        _enum(TakenBy), default=TakenBy.UNKNOWN, server_default=TakenBy.UNKNOWN.value
    )
    client_holds_copyright: Mapped[Answer] = mapped_column(
        _enum(Answer), default=Answer.UNKNOWN, server_default=Answer.UNKNOWN.value
    )

    case: Mapped[Case] = relationship(back_populates="items")
    hashes: Mapped[list[HashRecord]] = relationship(back_populates="item")


class HashRecord(Base):
    __tablename__ = "hashes"
    __table_args__ = (Index("ix_hashes_kind_value", "kind", "value"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    value: Mapped[str] = mapped_column(_sealable(256))
    quality: Mapped[int | None] = mapped_column(Integer, default=None)
    frame_ms: Mapped[int | None] = mapped_column(BigInteger, default=None)
    variant: Mapped[str] = mapped_column(String(40), default="")
    algorithm: Mapped[str] = mapped_column(String(100), default="")
    library_version: Mapped[str] = mapped_column(String(50), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    item: Mapped[EvidenceItem] = relationship(back_populates="hashes")


class Analysis(Base):
    __tablename__ = "analyses"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id"), index=True)
    kind: Mapped[str] = mapped_column(String(50))
    result: Mapped[dict[str, Any]] = mapped_column(default=dict)
    producer: Mapped[str] = mapped_column(String(100))
    producer_version: Mapped[str] = mapped_column(String(50), default="")
    model_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    provider: Mapped[str | None] = mapped_column(String(50), default=None)
    thresholds: Mapped[dict[str, Any]] = mapped_column(default=dict)
    duration_ms: Mapped[float | None] = mapped_column(Float, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Match(Base):
    __tablename__ = "matches"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    suspect_item_id: Mapped[str] = mapped_column(ForeignKey("items.id"), index=True)
    target_item_id: Mapped[str | None] = mapped_column(ForeignKey("items.id"), default=None)
    target_external: Mapped[str | None] = mapped_column(Text, default=None)
    kind: Mapped[str] = mapped_column(String(30))
    score: Mapped[float | None] = mapped_column(Float, default=None)
    distance: Mapped[float | None] = mapped_column(Float, default=None)
    threshold: Mapped[float | None] = mapped_column(Float, default=None)
    review_state: Mapped[ReviewState] = mapped_column(
        _enum(ReviewState), default=ReviewState.PENDING
    )
    reviewed_by: Mapped[str | None] = mapped_column(_sealable(200), default=None)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    analysis_id: Mapped[str | None] = mapped_column(ForeignKey("analyses.id"), default=None)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RemovalRequest(Base):
    __tablename__ = "removal_requests"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    platform: Mapped[str] = mapped_column(_sealable(200))
    route: Mapped[str] = mapped_column(String(50))
    urls: Mapped[list[Any]] = mapped_column(default=list)
    item_ids: Mapped[list[Any]] = mapped_column(default=list)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    ticket_id: Mapped[str | None] = mapped_column(_sealable(200), default=None)
    status: Mapped[RequestStatus] = mapped_column(_enum(RequestStatus), default=RequestStatus.DRAFT)
    history: Mapped[list[Any]] = mapped_column(default=list)
    document_blob_id: Mapped[str | None] = mapped_column(ForeignKey("blobs.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: What the letter was made from (template, platform, the form's facts, the advocate's
    #: covered-platform answer), so it can be rendered again dated when it is sent.
    letter_inputs: Mapped[dict[str, Any] | None] = mapped_column(default=None)


class AuditEvent(Base):
    """Append-only (triggers refuse UPDATE and DELETE); each row MACs the previous one."""

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(_sealable(200))
    action: Mapped[str] = mapped_column(String(60))
    object_id: Mapped[str | None] = mapped_column(String(64), default=None)
    details: Mapped[str] = mapped_column(Text)
    prev_mac: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str] = mapped_column(String(64))


class HashList(Base):
    """A hash list imported from a clinic, a hotline or another case (hashes, no pixels)."""

    __tablename__ = "hash_lists"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(_sealable(200))
    format: Mapped[str] = mapped_column(String(20))
    entry_count: Mapped[int] = mapped_column(Integer, default=0)
    bad_lines: Mapped[int] = mapped_column(Integer, default=0)
    sha256: Mapped[str] = mapped_column(_sealable(64))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    operator: Mapped[str] = mapped_column(_sealable(200), default="")
    #: Encrypted blob with the list's matchable PDQ hashes packed for the search index, so a
    #: list of millions loads in seconds instead of row by row.
    pdq_index_blob_id: Mapped[str | None] = mapped_column(ForeignKey("blobs.id"), default=None)


class HashListEntry(Base):
    __tablename__ = "hash_list_entries"
    __table_args__ = (
        Index("ix_hash_list_entries_kind_value", "kind", "value"),
        Index("ix_hash_list_entries_list_position", "list_id", "position"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    list_id: Mapped[str] = mapped_column(ForeignKey("hash_lists.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(30))
    value: Mapped[str] = mapped_column(_sealable(256))
    quality: Mapped[int | None] = mapped_column(Integer, default=None)
    label: Mapped[str] = mapped_column(Text, default="")
    #: A variant hash of a picture (crop, turn; see docs/hashlists.md): its tag, and the
    #: canonical hash of its picture, which a match on it names. None for other entries.
    variant: Mapped[str | None] = mapped_column(_sealable(64), default=None)
    original: Mapped[str | None] = mapped_column(_sealable(64), default=None)


class BankEntry(Base):
    """Reviewed pairs: 'negative' ones are never reported again, 'confirmed' ones are known."""

    __tablename__ = "match_bank"
    __table_args__ = (Index("ix_match_bank_pair", "suspect_value", "target_value"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    bank: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(30))
    suspect_value: Mapped[str] = mapped_column(_sealable(256))
    target_value: Mapped[str] = mapped_column(_sealable(256))
    match_id: Mapped[str | None] = mapped_column(ForeignKey("matches.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reviewer: Mapped[str] = mapped_column(_sealable(200), default="")


class Setting(Base):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(default=dict)


class RecheckOutcome(enum.StrEnum):
    STILL_UP = "still_up"
    CHANGED = "changed"
    GONE = "gone"
    ERROR = "error"


class Recheck(Base):
    """One later visit to a captured URL: is the content still there, changed or gone?"""

    __tablename__ = "rechecks"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    capture_id: Mapped[str] = mapped_column(ForeignKey("captures.id"), index=True)
    url: Mapped[str] = mapped_column(Text)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    outcome: Mapped[RecheckOutcome] = mapped_column(_enum(RecheckOutcome))
    http_status: Mapped[int | None] = mapped_column(Integer, default=None)
    content_sha256: Mapped[str | None] = mapped_column(_sealable(64), default=None)
    operator: Mapped[str] = mapped_column(_sealable(200), default="")
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


class FaceReference(Base):
    """A face the advocate picked in one of the victim's reference photos.

    Only the embedding (and where the face was) is kept: no new image is made.
    """

    __tablename__ = "face_references"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id"), index=True)
    face_index: Mapped[int] = mapped_column(Integer)
    box: Mapped[list[Any]] = mapped_column(default=list)
    detector_score: Mapped[float] = mapped_column(Float)
    embedding: Mapped[list[Any]] = mapped_column(default=list)
    model_sha256: Mapped[str] = mapped_column(String(64))
    chosen_by: Mapped[str] = mapped_column(_sealable(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ModelValidation(Base):
    """A clinic's measurement of a manipulation classifier on its own labelled images.

    ``record`` is the whole record as canonical JSON data; ``record_sha256`` is the SHA-256
    of its canonical encoding, and the audit event written in the same transaction carries
    the same digest, so the record is signed into the audit chain. The few columns beside it
    are copies for listing and lookup (by model sha256, newest first).
    """

    __tablename__ = "model_validations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    model_name: Mapped[str] = mapped_column(String(200))
    model_sha256: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    operator: Mapped[str] = mapped_column(_sealable(200), default="")
    domain: Mapped[str] = mapped_column(Text, default="")
    n_real: Mapped[int] = mapped_column(Integer)
    n_fake: Mapped[int] = mapped_column(Integer)
    auc: Mapped[float] = mapped_column(Float)
    record: Mapped[dict[str, Any]] = mapped_column(default=dict)
    record_sha256: Mapped[str] = mapped_column(String(64))


class ImportedAuditEvent(Base):
    """An audit event of another vault, received with a case hand-over file (migration 0009).

    Kept as history beside this vault's own chain (which records the import itself): the
    sender's MACs cannot be checked here (their key stays with the sender), but the
    hand-over file's signed manifest covered every one of these rows.
    """

    __tablename__ = "imported_audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    import_id: Mapped[str] = mapped_column(String(32), index=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    sender_vault_id: Mapped[str] = mapped_column(String(64))
    sender_fingerprint: Mapped[str] = mapped_column(String(64))
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(_sealable(200))
    action: Mapped[str] = mapped_column(String(60))
    object_id: Mapped[str | None] = mapped_column(String(64), default=None)
    details: Mapped[str] = mapped_column(Text)
    prev_mac: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str] = mapped_column(String(64))


class ClinicMember(Base):
    """A member of a clinic store (migration 0010; unused in a laptop vault).

    ``key_record`` is the member's :class:`~ncii_desk.vault.members.MemberKeyRecord` text
    (public keys in clear, private seed wrapped under the member's passphrase and recovery
    key); ``clinic_key_wrap`` is the clinic's data key wrapped to the member's X25519 public
    key. ``name_sealed`` is the member's display name encrypted on the client with the
    clinic key (the server never reads names). A removed member keeps the row with
    ``removed_at`` set and no wrap.
    """

    __tablename__ = "clinic_members"

    member_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    key_record: Mapped[str] = mapped_column(Text)
    clinic_key_wrap: Mapped[str | None] = mapped_column(Text, default=None)
    name_sealed: Mapped[str | None] = mapped_column(Text, default=None)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    added_by: Mapped[str | None] = mapped_column(String(64), default=None)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class CaseKeyWrap(Base):
    """One version of a case's data key wrapped to one member (migration 0010)."""

    __tablename__ = "case_key_wraps"

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    wrap: Mapped[str] = mapped_column(Text)


class CaseMembershipRecord(Base):
    """A signed membership change of a case (migration 0010).

    The primary key (case, seq) is the compare-and-swap: two clients that both write
    record ``n`` cannot both commit. ``record`` is the record's text, byte for byte.
    """

    __tablename__ = "case_membership"

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    record: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SignOffRecord(Base):
    """A supervising attorney's signed sign-off of a document (migration 0010)."""

    __tablename__ = "sign_offs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    document_id: Mapped[str] = mapped_column(String(64), index=True)
    member_id: Mapped[str] = mapped_column(String(64))
    record: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
