"""The layout of packet.pdf: the public, redacted volume of the civil-claim evidence packet.

Written from ``packet.PacketData`` alone, with the shared building blocks of ``pdfkit``. Every
string that came from a person or a web page (pseudonym, labels, notes, file names, URLs,
headers, reviewer names, model captions) reaches reportlab only through ``esc`` (directly or
through a ``PdfDocument`` method), so it prints literally and can never act as markup.

Pictures: only the safe thumbnails of ``thumbs`` (blurred, or a face crop), embedded from
memory; none for an exhibit whose pixels may not be shown.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.platypus import Image, KeepTogether, Paragraph, Spacer, Table, TableStyle

from ncii_desk.documents import certification
from ncii_desk.documents.common import DocMeta, one_line
from ncii_desk.documents.forms import ElementsIndex, Law
from ncii_desk.documents.packet import (
    Exhibit,
    FindingLine,
    MatchLine,
    PacketData,
    exhibits_for,
    pending_only,
    unvalidated_signal,
)
from ncii_desk.documents.pdfkit import CELL_MAX_HEIGHT, PdfDocument, esc
from ncii_desk.documents.thumbs import NoThumbnail, Thumbnail
from ncii_desk.vision.summary import manipulation_limits

FOOTER = "Draft prepared with NCII Desk — not legal advice"
THUMB_BOX = 1.15 * inch
#: law.toml entries the packet itself relies on (DEFIANCE only when switched on).
_RELIED_ON = ("civil_6851", "defiance", "fre_902_13_14", "declaration_1746")
_GREY = colors.HexColor("#999999")


def _numbers(nums: Sequence[int], pending: frozenset[int] = frozenset()) -> str:
    """Exhibit numbers; those matched only by unreviewed matches say "pending review"."""
    shown = [f"{n} (pending review)" if n in pending else str(n) for n in nums]
    return ", ".join(shown) if nums else "none in this packet"


def _pending(data: PacketData) -> frozenset[int]:
    return frozenset(ex.number for ex in data.exhibits if pending_only(ex))


def _num(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:g}"


class _Layout:
    """Small table helpers on top of PdfDocument (which has no per-column styles)."""

    def __init__(self, doc: PdfDocument) -> None:
        self.doc = doc
        # A smaller monospace style, so a 64-digit hash fits on one line of a table cell.
        self.st = dict(doc.styles)
        self.st["hash"] = ParagraphStyle(
            "hash", parent=doc.styles["mono"], fontSize=7.5, leading=9.5, spaceAfter=0
        )
        self.width = float(doc.pagesize[0] - 4 * 72 / 2.54)

    def _style(self, header: bool, label_col: bool = False) -> TableStyle:
        cmds: list[tuple[Any, ...]] = [
            ("FONTNAME", (0, 0), (-1, -1), self.doc.fonts.regular),
            ("GRID", (0, 0), (-1, -1), 0.4, _GREY),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ]
        if header:
            cmds.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")))
        if label_col:
            cmds.append(("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f2f2f2")))
        return TableStyle(cmds)

    def cell(
        self,
        text: object,
        style: str = "cell",
        width: float = 0,
        max_height: float = CELL_MAX_HEIGHT,
    ) -> Paragraph:
        """A cell's Paragraph, shortened to fit ``max_height`` (``PdfDocument.cell``)."""
        return self.doc.cell(
            text, width or self.width, self.st[style], max_height=max_height, padding=6
        )

    def table(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[object]],
        fractions: Sequence[float],
        mono: Sequence[int] = (),
    ) -> Table:
        widths = [self.width * f for f in fractions]
        data: list[list[Any]] = [
            [self.cell(h, "cell_bold", w) for h, w in zip(header, widths, strict=True)]
        ]
        for row in rows:
            data.append(
                [
                    self.cell(value, "hash" if i in mono else "cell", widths[i])
                    for i, value in enumerate(row)
                ]
            )
        t = Table(data, colWidths=[self.width * f for f in fractions], repeatRows=1)
        t.setStyle(self._style(header=True))
        return t

    def kv(
        self,
        rows: Sequence[tuple[str, object]],
        mono: Sequence[str] = (),
        width: float = 0,
        max_height: float = CELL_MAX_HEIGHT,
    ) -> Table:
        w = width or self.width
        data = [
            [
                self.cell(k, "cell_bold", w * 0.27, max_height),
                self.cell(v, "hash" if k in mono else "cell", w * 0.73, max_height),
            ]
            for k, v in rows
        ]
        t = Table(data, colWidths=[w * 0.27, w * 0.73])
        t.setStyle(self._style(header=False, label_col=True))
        return t

    def add(self, flowable: Any, space: float = 6) -> None:
        self.doc.add(flowable)
        if space:
            self.doc.add(Spacer(1, space))


# --- sections -------------------------------------------------------------------------------------


def _cover(doc: PdfDocument, lay: _Layout, data: PacketData) -> None:
    doc.banner(f"{FOOTER}. An advocate or attorney must review every statement before use.")
    doc.para("[NAME OF COURT — to be completed by counsel]", style="note")
    doc.spacer(6)
    caption = [
        (f"{one_line(data.pseudonym).upper()}, a pseudonym,", "Plaintiff,"),
        ("v.", ""),
        ("[DEFENDANT — to be completed by counsel],", "Defendant."),
    ]
    rows = [
        [lay.cell(a, "h2", lay.width * 0.62), lay.cell(b, "body", lay.width * 0.38)]
        for a, b in caption
    ]
    t = Table(rows, colWidths=[lay.width * 0.62, lay.width * 0.38])
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    lay.add(t)
    doc.para("Case No. ____________________")
    doc.spacer(10)
    doc.title("Evidence packet (public volume)")
    civil = data.law.get("civil_6851")
    basis = civil.citation if civil is not None else "15 U.S.C. § 6851"
    doc.para(
        f"Prepared to support a civil claim under {basis} for the non-consensual disclosure of "
        "intimate images. This public volume contains no intimate imagery: each exhibit is "
        "described by its hashes, capture record, match results and findings, with at most a "
        "heavily blurred or face-only thumbnail."
    )
    if data.pseudonym_defaulted:
        doc.para(
            f"No pseudonym was recorded for the client, so '{one_line(data.pseudonym)}' is "
            "used. The client's real name appears nowhere in this packet.",
            style="note",
        )
    head = data.audit_head
    lay.add(
        lay.kv(
            [
                ("Prepared (UTC)", data.built_at_text),
                ("Prepared with", data.tool),
                ("Prepared by", data.operator or "-"),
                ("Exhibits", str(len(data.exhibits))),
                ("Vault id", data.vault_id),
                ("Audit-chain head", "-" if head is None else f"event {head.seq}"),
                ("Audit-chain head MAC", "-" if head is None else head.mac),
                (
                    "Sealed volume",
                    "included in sealed/ (file under seal)"
                    if data.sealed
                    else "not included in this packet",
                ),
                ("PDF signature", data.signed_by or "not signed"),
            ],
            mono=("Audit-chain head MAC", "Vault id"),
        )
    )
    if data.suspected_minor:
        doc.banner(
            "This case is marked as possibly involving a person under 18. The packet holds "
            "hashes and addresses only: no thumbnails and no sealed image volume, ever."
        )
        doc.para(
            "Report the material to NCMEC: its CyberTipline (report.cybertip.org, or "
            "1-800-843-5678) takes reports of child sexual abuse material, and its Take It Down "
            "service lets a young person, or a trusted adult, share hashes of the images so "
            "participating platforms can find and remove copies. Do not copy or forward the "
            "imagery itself."
        )
    doc.page_break()


def _summary(doc: PdfDocument, lay: _Layout, data: PacketData) -> None:
    doc.heading("1. Case summary")
    roles: dict[str, int] = {}
    for ex in data.exhibits:
        roles[ex.role_words] = roles.get(ex.role_words, 0) + 1
    matches = [m for ex in data.exhibits if ex.role.value == "suspect" for m in ex.matches]
    review: dict[str, int] = {}
    for m in matches:
        review[m.review_state] = review.get(m.review_state, 0) + 1
    statuses: dict[str, int] = {}
    for r in data.requests:
        statuses[r.status] = statuses.get(r.status, 0) + 1
    rows: list[tuple[str, object]] = [
        ("Client (pseudonym)", data.pseudonym),
        ("Clinic case reference", data.case_label),
        ("Case id", data.case_id),
        ("Jurisdiction", data.jurisdiction or "-"),
        ("Case opened (UTC)", data.case_created_at),
        ("Exhibits", "; ".join(f"{n} {w}" for w, n in roles.items()) or "none"),
        (
            "Captured web addresses",
            str(sum(1 for e in data.exhibits if e.capture and e.capture.is_web)),
        ),
        ("Matches of copies", "; ".join(f"{n} {s}" for s, n in review.items()) or "none"),
        ("Removal requests", "; ".join(f"{n} {s}" for s, n in statuses.items()) or "none"),
        ("Rechecks", str(sum(len(e.rechecks) for e in data.exhibits))),
    ]
    if data.consent:
        rows.append(("Consent record", "; ".join(f"{k}: {v}" for k, v in data.consent)))
    lay.add(lay.kv(rows, mono=("Case id",)))
    if data.notes.strip():
        doc.heading("Advocate's notes", 3)
        doc.para(
            "Included because the advocate ticked this note in; it may be privileged work "
            "product. Copied as written in the case file. Remove anything that could "
            "identify the client before filing.",
            style="note",
        )
        doc.para(data.notes)
    statutes = [
        data.law[k]
        for k in _RELIED_ON + (("take_it_down_removal",) if data.requests else ())
        if k in data.law and data.law[k].enabled
    ]
    if statutes:
        doc.heading("Law this packet refers to", 2)
        lay.add(
            lay.table(
                ["Law", "Citation", "Status", "Last checked"],
                [[e.name, e.citation, e.status, e.last_checked.isoformat()] for e in statutes],
                [0.42, 0.2, 0.24, 0.14],
            )
        )


def _elements(doc: PdfDocument, lay: _Layout, data: PacketData, index: ElementsIndex) -> None:
    civil: Law | None = data.law.get(index.statute)
    citation = civil.citation if civil is not None else "15 U.S.C. § 6851"
    doc.heading(f"2. Elements index: {citation}")
    checked = (civil.last_checked if civil is not None else index.last_checked).isoformat()
    doc.para(
        f"Each element of the civil action, with the exhibits that bear on it (statute text "
        f"last checked {checked}). The index points to evidence; whether an element is met "
        "is for counsel and the court.",
        style="note",
    )
    rows = []
    pending = _pending(data)
    for n, el in enumerate(index.elements, start=1):
        nums = exhibits_for(data, el.evidence)
        where = (
            _numbers(nums, pending)
            if el.evidence
            else "for counsel (no exhibit; see the caption and sealed volume)"
        )
        rows.append([f"({n}) {el.title}", el.guide, where])
    lay.add(lay.table(["Element", "What shows it", "Exhibits"], rows, [0.3, 0.5, 0.2]))
    if index.conduct_note:
        doc.para(index.conduct_note, style="note")
    defiance = data.law.get("defiance")
    if defiance is not None and defiance.enabled:
        doc.heading(f"DEFIANCE Act counts: {defiance.citation}", 2)
        doc.para(
            f"{defiance.name}. Status: {defiance.status} (last checked {defiance.last_checked})."
        )
        nums = exhibits_for(data, ["manipulation"])
        pending = _pending(data)
        lay.add(
            lay.table(
                ["Count", "Exhibits with manipulation findings"],
                [[count, _numbers(nums, pending)] for count in defiance.counts],
                [0.6, 0.4],
            )
        )


def _exhibit_list(doc: PdfDocument, lay: _Layout, data: PacketData) -> None:
    doc.heading("3. Exhibit list")
    rows = []
    for ex in data.exhibits:
        web = ex.capture is not None and ex.capture.is_web
        where = ex.capture.url if web and ex.capture else f"file: {ex.original_filename or '-'}"
        matched = sorted(
            {
                m.other_number
                for m in ex.matches
                if m.other_number is not None and m.review_state != "rejected"
            }
        )
        reviewed = {m.other_number for m in ex.matches if m.review_state == "confirmed"}
        rows.append(
            [
                str(ex.number),
                ex.role_words + (" — match pending review" if pending_only(ex) else ""),
                where,
                ex.sha256,
                ", ".join(str(n) if n in reviewed else f"{n} (pending)" for n in matched) or "-",
                ", ".join(str(n) for n in ex.requests) or "-",
            ]
        )
    lay.add(
        lay.table(
            ["No.", "What", "Where found", "SHA-256 (full)", "Matched", "Requests"],
            rows,
            [0.06, 0.15, 0.3, 0.29, 0.1, 0.1],
            mono=(3,),
        )
    )
    if data.not_exhibits:
        doc.para(
            f"{data.not_exhibits} other item(s) of the case are not exhibits: files captured "
            "from the same pages, or copies not matched to the client's originals or reference "
            "photos. They stay in the vault.",
            style="note",
        )
    doc.page_break()


def _thumb_cell(lay: _Layout, thumb: Thumbnail | NoThumbnail | None) -> Any:
    if isinstance(thumb, Thumbnail):
        scale = THUMB_BOX / max(thumb.width, thumb.height)
        img = Image(io.BytesIO(thumb.jpeg), width=thumb.width * scale, height=thumb.height * scale)
        return [img, Spacer(1, 3), lay.cell(thumb.note, "small", THUMB_BOX + 10, 200)]
    reason = thumb.reason if isinstance(thumb, NoThumbnail) else "No picture."
    return lay.cell(reason, "small", THUMB_BOX + 10, 200)


def _validated_in(findings: Sequence[FindingLine]) -> list[str]:
    """Classifiers whose validated, applicable score is among an exhibit's findings."""
    out = []
    for f in findings:
        for sig in f.signals:
            value = sig.get("value")
            if (
                sig.get("kind") == "deepfake_score"
                and isinstance(value, dict)
                and value.get("validated") is True
                and value.get("applicable") is not False
            ):
                out.append(str(value.get("model", "")))
    return out


def _finding_rows(f: FindingLine) -> list[tuple[str, object]]:
    rows: list[tuple[str, object]] = [
        ("Analysis", f.kind),
        *([("Overview", f.overview)] if f.overview else []),
        ("Produced by", " ".join(p for p in (f.producer, f.producer_version) if p)),
        ("Model SHA-256", f.model_sha256 or "-"),
        ("Ran on", f.provider or "-"),
        ("Thresholds", "; ".join(f"{k} {v}" for k, v in f.thresholds) or "-"),
        ("Recorded (UTC)", f.created_at),
    ]
    for sig in f.signals:
        value = sig.get("value")
        # Bulky values (the derivation's 32x32 difference grid) would make one table cell
        # taller than a page, which reportlab cannot lay out; they stay in the vault.
        numbers = (
            "; ".join(f"{k} {v}" for k, v in sorted(value.items()) if len(str(v)) <= 300)
            if isinstance(value, dict)
            else ""
        )
        text = f"{sig.get('finding', '')} (strength: {sig.get('strength', '-')})"
        if numbers:
            text += f"\nValues: {numbers}"
        if sig.get("caveat"):
            text += f"\nCaveat: {sig.get('caveat')}"
        label = (
            "Weak or unvalidated signal (not a finding)" if unvalidated_signal(sig) else "Finding"
        )
        rows.append((f"{label}: {sig.get('kind', '-')}", text))
    for k, v in f.other:
        rows.append((k, v))
    return rows


def _web_capture(doc: PdfDocument, lay: _Layout, ex: Exhibit) -> None:
    c = ex.capture
    assert c is not None
    doc.heading("Capture", 3)
    https = c.url.lower().startswith("https://")
    tls = "certificate verified" if c.tls_verified and https else "certificate NOT verified"
    if c.tls:
        tls += "\n" + "\n".join(f"{k}: {v}" for k, v in c.tls)
    rows: list[tuple[str, object]] = [
        *c.file_rows,
        ("Address requested", one_line(c.url)),
        ("Final address", one_line(c.final_url) or "-"),
        ("Redirects", "\n".join(one_line(hop) for hop in c.redirect_chain) or "none"),
        ("Captured (UTC)", f"{c.started_at} to {c.ended_at}"),
        ("HTTP status", c.http_status),
        ("Server address", c.server_address),
        ("TLS", tls if https else "not used (plain http): nothing was encrypted or verified"),
        *c.headers,
        ("Tool", c.tool),
        ("User agent", c.user_agent or "-"),
        ("Captured by", c.operator or "-"),
    ]
    if ex.sealed_warc:
        rows.append(("WARC in sealed volume", f"sealed/{ex.sealed_warc}"))
    if c.screenshot_sha256:
        rows.append(("Page screenshot SHA-256", c.screenshot_sha256))
    if c.screenshot_note:
        rows.append(("Page screenshot", c.screenshot_note))
    if ex.sealed_screenshot:
        rows.append(("Page screenshot in sealed volume", f"sealed/{ex.sealed_screenshot}"))
    if c.error:
        rows.append(("Capture problem", c.error))
    rows += c.details
    if c.warc_sha256:
        rows.append(("WARC record SHA-256", c.warc_sha256))
    lay.add(lay.kv(rows, mono=("WARC record SHA-256", "Page screenshot SHA-256")))


def _match_result(m: MatchLine) -> str:
    if m.distance is not None:
        limit = "" if m.threshold is None else f" (a match at or below {_num(m.threshold)})"
        text = f"distance {_num(m.distance)}{limit}"
        if m.score is not None:
            text += f"; share of frames {_num(m.score)}"
        return text
    if m.kind == "local-features" and m.score is not None:
        need = "" if m.threshold is None else f" ({_num(m.threshold)} needed)"
        return f"{_num(m.score)} agreeing points{need}"
    if m.score is not None:
        limit = "" if m.threshold is None else f" (threshold {_num(m.threshold)})"
        return f"score {_num(m.score)}{limit}"
    return "-"


def _exhibit_page(
    doc: PdfDocument, lay: _Layout, ex: Exhibit, thumb: Thumbnail | NoThumbnail | None
) -> None:
    doc.heading(f"{ex.title}: {ex.role_words}")
    facts: list[tuple[str, object]] = [
        ("Item id", ex.item_id),
        ("Label", one_line(ex.label) or "-"),
        ("Came in as", ex.source),
        ("File name at intake", one_line(ex.original_filename) or "-"),
        ("Type and size", f"{ex.mime}, {ex.size:,} bytes"),
        ("Taken in (UTC)", ex.intake_at),
        ("File modified (UTC)", ex.file_mtime),
        ("Taken in by", ex.operator or "-"),
        ("Stored copy", ex.stored_state),
    ]
    if ex.duplicate_of:
        facts.append(("Same bytes as", f"Exhibit {ex.duplicate_of}"))
    if ex.sealed_file:
        facts.append(("Sealed volume file", f"sealed/{ex.sealed_file}"))
    # The facts sit beside the thumbnail in one row, which cannot split across pages: each
    # value gets a smaller share of the page.
    side = lay.kv(facts, mono=("Item id",), width=lay.width - THUMB_BOX - 14, max_height=150)
    top = Table(
        [[_thumb_cell(lay, thumb), side]], colWidths=[THUMB_BOX + 10, lay.width - THUMB_BOX - 10]
    )
    top.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (0, 0), 0)])
    )
    lay.add(top)
    if ex.notes.strip():
        doc.labelled("Notes", ex.notes)

    doc.heading("Hashes", 3)
    hash_rows: list[list[object]] = [
        ["SHA-256", ex.sha256, "", "of the file as taken in"],
        ["MD5", ex.md5, "", "of the file as taken in"],
    ]
    for h in ex.hashes:
        hash_rows.append(
            [
                h.kind.upper() if h.kind in ("pdq", "md5") else h.kind,
                h.value,
                "-" if h.quality is None else str(h.quality),
                h.algorithm,
            ]
        )
    lay.add(
        lay.table(
            ["Kind", "Value", "Quality", "Method"], hash_rows, [0.1, 0.62, 0.09, 0.19], mono=(1,)
        )
    )
    if ex.variant_hashes:
        doc.para(
            f"{ex.variant_hashes} further hashes of rotated, mirrored, cropped or inner parts of "
            "the picture were used for matching; they are kept in the vault.",
            style="small",
        )

    if ex.capture is not None and ex.capture.is_web:
        _web_capture(doc, lay, ex)
    elif ex.capture is not None:
        doc.heading("Where the file came from", 3)
        lay.add(
            lay.kv(
                [
                    ("Recorded as", ex.capture.url),
                    ("Recorded (UTC)", ex.capture.started_at),
                    ("Recorded by", ex.capture.operator or "-"),
                    *ex.capture.details,
                ],
                mono=("SHA-256",),
            )
        )

    if ex.matches:
        doc.heading("Match results", 3)
        lay.add(
            lay.table(
                ["Compared with", "Method", "Result", "Review"],
                [
                    [
                        m.other,
                        m.kind,
                        _match_result(m),
                        m.review_state
                        + (f" by {m.reviewed_by}, {m.reviewed_at}" if m.reviewed_by else ""),
                    ]
                    for m in ex.matches
                ],
                [0.3, 0.15, 0.3, 0.25],
            )
        )
        doc.para(
            "PDQ distance counts differing bits of two 256-bit perceptual hashes: 0 means the "
            "same picture, and at or below the threshold the pictures are treated as copies. "
            "Local-feature matches count agreeing points between the pictures. A person "
            "reviews every match.",
            style="small",
        )

    if ex.findings:
        doc.heading("Face-match and manipulation findings", 3)
        doc.para(manipulation_limits(_validated_in(ex.findings)), style="note")
        for f in ex.findings:
            lay.add(lay.kv(_finding_rows(f), mono=("Model SHA-256",)), space=4)

    if ex.requests:
        doc.labelled(
            "Removal requests", ", ".join(f"Request {n}" for n in ex.requests) + " (section 4)"
        )
    if ex.rechecks:
        doc.heading("Rechecks of the address", 3)
        lay.add(
            lay.table(
                ["Checked (UTC)", "Outcome", "HTTP", "Content SHA-256"],
                [
                    [r.checked_at, r.outcome, r.http_status, r.content_sha256 or "-"]
                    for r in ex.rechecks
                ],
                [0.2, 0.11, 0.07, 0.62],
                mono=(3,),
            )
        )

    heading = Paragraph(esc("Chain of custody", lay.st["h3"].fontName), lay.st["h3"])
    if ex.custody:
        table = lay.table(
            ["Event", "Time (UTC)", "By", "Action", "Details"],
            [[str(c.seq), c.at, c.actor, c.action, c.summary] for c in ex.custody],
            [0.07, 0.2, 0.13, 0.16, 0.44],
        )
        doc.add(KeepTogether([heading, table]))
    else:
        doc.add(KeepTogether([heading, lay.cell("No audit events name this exhibit.", "small")]))
    doc.page_break()


def _requests(doc: PdfDocument, lay: _Layout, data: PacketData) -> None:
    doc.heading("4. Removal-request history")
    if not data.requests:
        doc.para("No removal requests are recorded for this case.")
    for r in data.requests:
        block: list[Any] = [
            Paragraph(
                esc(f"Request {r.number}: {one_line(r.platform)}", lay.st["h3"].fontName),
                lay.st["h3"],
            ),
            lay.kv(
                [
                    ("Route", r.route),
                    ("Status", r.status),
                    (f"Sent ({data.zone_name}, UTC)", r.sent_local or r.sent_at),
                    (f"Deadline ({data.zone_name}, UTC)", r.deadline_local or r.deadline_at),
                    ("Covered platform (advocate's answer)", r.covered_platform or "-"),
                    ("Platform ticket", r.ticket_id or "-"),
                    ("Exhibits", _numbers(r.exhibits, _pending(data))),
                    ("Addresses", "\n".join(r.urls) or "-"),
                    ("History", "\n".join(r.history) or "-"),
                ]
            ),
            Spacer(1, 6),
        ]
        doc.add(KeepTogether(block))


def _rechecks(doc: PdfDocument, lay: _Layout, data: PacketData) -> None:
    doc.heading("5. Rechecks")
    rows = [
        [str(ex.number), r.checked_at, r.url, r.outcome, r.http_status]
        for ex in data.exhibits
        for r in ex.rechecks
    ]
    if not rows:
        doc.para("No address of this case was checked again after capture.")
        return
    lay.add(
        lay.table(
            ["Exhibit", "Checked (UTC)", "Address", "Outcome", "HTTP"],
            rows,
            [0.1, 0.22, 0.46, 0.12, 0.1],
        )
    )


def _custody(doc: PdfDocument, lay: _Layout, data: PacketData) -> None:
    doc.heading("6. Chain of custody and audit trail")
    doc.para(
        "NCII Desk records every step taken with the evidence (intake, hashing, matching, "
        "review, export, requests) in an append-only audit log inside the encrypted case vault. "
        "Each entry carries a keyed hash (MAC) computed over the entry and the MAC of the entry "
        "before it, so changing, removing or reordering any entry breaks every MAC after it. "
        "Each exhibit page lists the events that concern it."
    )
    head = data.audit_head
    lay.add(
        lay.kv(
            [
                ("Vault id", data.vault_id),
                ("Newest audit event at build", "-" if head is None else str(head.seq)),
                ("Its MAC", "-" if head is None else head.mac),
            ],
            mono=("Its MAC", "Vault id"),
        )
    )
    doc.para(
        "Given the vault, 'ncii-desk verify PACKET --with-vault' confirms that this event and "
        "MAC are part of the vault's chain, and that the vault recorded building this exact "
        "packet (event packet.built, with the SHA-256 of manifest.json). The recording of that "
        "event comes after this head, so it is not itself listed here.",
        style="small",
    )
    if data.case_custody:
        doc.heading("Events about the case itself", 3)
        lay.add(
            lay.table(
                ["Event", "Time (UTC)", "By", "Action", "Details"],
                [[str(c.seq), c.at, c.actor, c.action, c.summary] for c in data.case_custody],
                [0.07, 0.2, 0.13, 0.16, 0.44],
            )
        )


def _verification(doc: PdfDocument, lay: _Layout, data: PacketData) -> None:
    doc.heading("7. How to check this packet")
    doc.bullets(
        [
            "manifest.csv and manifest.json list every file of the packet with its SHA-256 "
            "digest and size. A SHA-256 digest is a 64-character fingerprint of a file: "
            "changing even one bit of the file changes it completely.",
            "With NCII Desk: run 'ncii-desk verify PACKET_FOLDER' (or the ZIP). It reports "
            "any file that changed, is missing or was added.",
            "Without NCII Desk: compute the SHA-256 of each file (sha256sum on Linux, "
            "'shasum -a 256' on macOS, 'certutil -hashfile FILE SHA256' on Windows) and "
            "compare it with manifest.csv. README.txt in the packet gives the commands.",
            "A matching digest shows that a file has not changed since it was taken in or "
            "exported; it does not show who made a picture or whether its content is real.",
        ]
    )
    _signature_key(doc, data)
    if data.sealed:
        doc.para(
            "The sealed volume (folder sealed/) holds the original evidence files and must be "
            "filed under seal. It has its own sealed/manifest.csv so it can be checked on its "
            "own.",
        )
    doc.page_break()


def _signature_key(doc: PdfDocument, data: PacketData) -> None:
    """The vault key that signs manifest.sig, for a recipient to compare with the clinic's."""
    if not data.signing_fingerprint:
        return
    doc.para(
        "manifest.sig is the Ed25519 signature of this clinic's vault over manifest.json and "
        "manifest.csv, which list every file. Anyone can check it, with no NCII Desk, by "
        "running 'python3 verify_packet.py PACKET' (in the packet; any Python 3.9 or newer). "
        "Compare the signing key's fingerprint with the one the clinic publishes:"
    )
    doc.para(
        f"Fingerprint: {data.signing_fingerprint}\nPublic key:  {data.signing_key}", style="mono"
    )
    if data.timestamp_tsa:
        doc.para(
            "manifest.tst is an RFC 3161 time stamp of manifest.json from the time-stamp "
            f"authority at {data.timestamp_tsa}: it shows the manifest existed at the time "
            "it states, according to that authority."
        )


def _certification(doc: PdfDocument, lay: _Layout, data: PacketData) -> None:
    fre = data.law.get("fre_902_13_14")
    decl = data.law.get("declaration_1746")
    fre_cite = fre.citation if fre is not None else "Fed. R. Evid. 902(13), 902(14)"
    decl_cite = decl.citation if decl is not None else "28 U.S.C. § 1746"
    doc.heading(f"8. Certification draft: {fre_cite}")
    doc.para(
        "A draft for a qualified person (someone who knows how these records were made) to "
        "review, complete and sign. Give the other side reasonable written notice and make the "
        "records available before offering them, as Rule 902(11) requires.",
        style="note",
    )
    certification.write(doc, lay, data, fre_cite=fre_cite, decl_cite=decl_cite)


def render(
    data: PacketData,
    index: ElementsIndex,
    thumbs: Mapping[int, Thumbnail | NoThumbnail],
    shortened: list[str] | None = None,
) -> bytes:
    """packet.pdf as bytes (in memory). Values too long for their table cell are shortened
    in the PDF and appended in full to ``shortened`` (the packet's manifest.json keeps them).
    """
    meta = DocMeta(
        title=f"Evidence packet: {data.pseudonym}",
        author=data.operator or data.tool,
        subject="Civil-claim evidence packet (public volume); draft, not legal advice",
        keywords=("evidence packet", "15 U.S.C. 6851", "NCII"),
        created=data.built_at,
    )
    doc = PdfDocument(meta, footer_note=FOOTER, full_values_where="in manifest.json")
    lay = _Layout(doc)
    _cover(doc, lay, data)
    _summary(doc, lay, data)
    _elements(doc, lay, data, index)
    _exhibit_list(doc, lay, data)
    for ex in data.exhibits:
        _exhibit_page(doc, lay, ex, thumbs.get(ex.number))
    _requests(doc, lay, data)
    _rechecks(doc, lay, data)
    _custody(doc, lay, data)
    _verification(doc, lay, data)
    _certification(doc, lay, data)
    pdf = doc.build()
    if shortened is not None:
        shortened.extend(doc.shortened)
    return pdf
