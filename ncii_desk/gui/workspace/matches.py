"""Matches: which suspects are the client's pictures, by hash, face or derivation; review."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem
from PySide6.QtWidgets import (
    QHBoxLayout,
    QPlainTextEdit,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ncii_desk.gui.common import (
    QT_TRANSLATE_NOOP,
    button,
    elide_middle,
    fit_columns,
    note_label,
    plain_tip,
    row_table,
    translate,
)
from ncii_desk.gui.context import AppContext
from ncii_desk.gui.layouts import PANE_MARGIN, keep_rows, list_with_buttons, scrolling
from ncii_desk.gui.optional import analysis_missing
from ncii_desk.gui.queries import MatchRow, matches_with_names
from ncii_desk.gui.safeview import PreviewPanel
from ncii_desk.gui.tasks import Problem
from ncii_desk.services import matching
from ncii_desk.services.case_queries import latest_findings, manipulation_limits
from ncii_desk.services.hardware import ON_GPU, where_it_runs
from ncii_desk.services.types import CaseStore

MATCH_COLUMNS = (
    QT_TRANSLATE_NOOP("Matches", "Suspect"),
    QT_TRANSLATE_NOOP("Matches", "Client's picture"),
    QT_TRANSLATE_NOOP("Matches", "How it was found"),
    QT_TRANSLATE_NOOP("Matches", "How close"),
    QT_TRANSLATE_NOOP("Matches", "Counted as a match when"),
    QT_TRANSLATE_NOOP("Matches", "Review"),
    QT_TRANSLATE_NOOP("Matches", "Details (numbers)"),
)
#: Both pictures' names and the method share the spare width; the rest fit their text.
MATCH_STRETCH = (0, 1, 2)
#: Column of the raw numbers (distance, score, threshold) for those who want them.
DETAILS_COLUMN = 6

METHODS = {
    "pdq": QT_TRANSLATE_NOOP("Matches", "Same picture"),
    "pdq-dihedral": QT_TRANSLATE_NOOP("Matches", "Same picture, turned or mirrored"),
    "pdq-region": QT_TRANSLATE_NOOP("Matches", "Same picture inside a larger one"),
    "phash": QT_TRANSLATE_NOOP("Matches", "Same picture"),
    "phash-weak": QT_TRANSLATE_NOOP(
        "Matches", "Maybe the same picture (a plain picture: weaker method, check by eye)"
    ),
    "vpdq": QT_TRANSLATE_NOOP("Matches", "Same video (matching frames)"),
    "vpdq-frame": QT_TRANSLATE_NOOP("Matches", "Same video frames"),
    "local-features": QT_TRANSLATE_NOOP("Matches", "Same picture, cropped or reframed"),
    "sha256": QT_TRANSLATE_NOOP("Matches", "Identical file (from a hash list)"),
    "md5": QT_TRANSLATE_NOOP("Matches", "Identical file (from a hash list)"),
    "video_md5": QT_TRANSLATE_NOOP("Matches", "Identical video file (from a hash list)"),
    "face": QT_TRANSLATE_NOOP("Matches", "The client's face"),
    "derivation": QT_TRANSLATE_NOOP("Matches", "Made from one of the client's originals"),
}

#: How each method works, for the tooltip (the technical name is kept here).
METHOD_TIPS = {
    "pdq": QT_TRANSLATE_NOOP(
        "Matches",
        "PDQ picture fingerprint (256 bits, from Meta): resized, re-compressed or lightly "
        "edited copies keep almost the same fingerprint. 'How close' counts the bits that "
        "differ.",
    ),
    "pdq-dihedral": QT_TRANSLATE_NOOP(
        "Matches",
        "PDQ picture fingerprint compared in all 8 turns and mirror images. 'How close' "
        "counts the bits that differ.",
    ),
    "pdq-region": QT_TRANSLATE_NOOP(
        "Matches",
        "PDQ picture fingerprint of a part of the suspect picture (a screenshot or a "
        "collage). 'How close' counts the bits that differ.",
    ),
    "phash": QT_TRANSLATE_NOOP(
        "Matches",
        "pHash picture fingerprint (64 bits). 'How close' counts the bits that differ.",
    ),
    "phash-weak": QT_TRANSLATE_NOOP(
        "Matches",
        "pHash picture fingerprint (64 bits), used for smooth, nearly plain pictures that PDQ "
        "cannot describe. Such pictures look alike more often, so this is a weaker method: "
        "check the pair by eye before relying on it. 'How close' counts the bits that differ.",
    ),
    "vpdq": QT_TRANSLATE_NOOP(
        "Matches", "vPDQ: PDQ fingerprints of the video's frames, compared frame by frame."
    ),
    "vpdq-frame": QT_TRANSLATE_NOOP(
        "Matches", "PDQ fingerprints of single video frames. 'How close' counts differing bits."
    ),
    "local-features": QT_TRANSLATE_NOOP(
        "Matches",
        "Local features: small distinctive details found in both pictures and checked to "
        "line up. 'How close' is how many agreed.",
    ),
    "sha256": QT_TRANSLATE_NOOP(
        "Matches", "SHA-256 of the whole file, found in an imported hash list."
    ),
    "md5": QT_TRANSLATE_NOOP("Matches", "MD5 of the whole file, found in an imported hash list."),
    "video_md5": QT_TRANSLATE_NOOP(
        "Matches", "MD5 of the whole video file, found in an imported hash list."
    ),
    "face": QT_TRANSLATE_NOOP(
        "Matches",
        "Face embeddings compared by cosine similarity (0 to 1, higher is more alike).",
    ),
    "derivation": QT_TRANSLATE_NOOP(
        "Matches",
        "Local features lined up with an original, with parts changed. 'How close' is how "
        "many details agreed.",
    ),
}

EXACT_KINDS = ("sha256", "md5", "video_md5")
COUNT_KINDS = ("local-features", "derivation")


def closeness(
    kind: str, distance: float | None, score: float | None, threshold: float | None
) -> str:
    """'How close' in words: for a fingerprint, how few bits differ compared with the limit;
    for a face, how far the similarity is above the limit; for details, how many agreed."""
    if kind in EXACT_KINDS:
        return translate("Matches", "Identical")
    if kind in COUNT_KINDS and score is not None:
        return translate("Matches", "{n} details agree").format(n=round(score))
    if distance is not None:
        if distance == 0:
            return translate("Matches", "Identical to the eye")
        limit = threshold if threshold else 31.0
        if distance <= limit / 3:
            return translate("Matches", "Very close")
        if distance <= limit * 2 / 3:
            return translate("Matches", "Close")
        if distance <= limit:
            return translate("Matches", "Just close enough")
        return translate("Matches", "Not close enough")
    if score is not None:
        limit = threshold if threshold is not None else 0.5
        if score >= limit + 0.2:
            return translate("Matches", "Very alike")
        if score >= limit + 0.1:
            return translate("Matches", "Alike")
        if score >= limit:
            return translate("Matches", "Just alike enough")
        return translate("Matches", "Not alike enough")
    return ""


def match_rule(kind: str, distance: float | None, threshold: float | None) -> str:
    """'Counted as a match when', in words."""
    if kind in EXACT_KINDS:
        return translate("Matches", "the file is the same, byte for byte")
    if threshold is None:
        return ""
    if kind in COUNT_KINDS:
        return translate("Matches", "{t} or more details agree").format(t=_num(threshold))
    if distance is not None or kind.startswith(("pdq", "phash", "vpdq")):
        return translate("Matches", "{t} or fewer bits differ").format(t=_num(threshold))
    return translate("Matches", "similarity is {t} or more").format(t=_num(threshold, 2))


def match_numbers(
    kind: str, distance: float | None, score: float | None, threshold: float | None
) -> str:
    """The raw numbers, for those who want them."""
    parts = []
    if distance is not None:
        parts.append(translate("Matches", "distance {d}").format(d=_num(distance)))
    if score is not None:
        digits = 3 if kind == "face" else 0
        parts.append(translate("Matches", "score {s}").format(s=_num(score, digits)))
    if threshold is not None:
        digits = 2 if kind == "face" else 0
        parts.append(translate("Matches", "threshold {t}").format(t=_num(threshold, digits)))
    return ", ".join(parts)


CAVEATS = {
    "hash": QT_TRANSLATE_NOOP(
        "Matches",
        "A hash match shows the two pictures are the same image, possibly resized, "
        "re-compressed, cropped or lightly edited. The fewer bits differ, the closer; at or "
        "below the limit they count as the same picture. It does not show who made or posted "
        "it.",
    ),
    "local-features": QT_TRANSLATE_NOOP(
        "Matches",
        "Many distinctive details line up between the two pictures ('How close' "
        "says how many agreed). This finds crops and reframing that hashes miss; check the two "
        "pictures side by side before confirming.",
    ),
    "face": QT_TRANSLATE_NOOP(
        "Matches",
        "A face match is a lead for a person to check, not an identification: "
        "look-alikes, age, pose, small faces and filters can mislead it. The faces are "
        "compared by similarity (higher is more alike); at or above the limit it counts as a "
        "match.",
    ),
    "derivation": QT_TRANSLATE_NOOP(
        "Matches",
        "The suspect picture lines up with one of the client's originals: it was "
        "probably made from it, with parts changed. 'How close' says how many details "
        "agreed.",
    ),
    "list": QT_TRANSLATE_NOOP(
        "Matches",
        "The suspect matched an entry of an imported hash list. The list says only that "
        "a hash was reported before, not by whom or why.",
    ),
}


def method_name(kind: str) -> str:
    return translate("Matches", METHODS.get(kind, kind))


def method_tip(kind: str) -> str:
    tip = METHOD_TIPS.get(kind)
    return translate("Matches", tip) if tip else kind


def face_caveat() -> str | None:
    """The analysis service's own caveat for face matches (None when it is not installed)."""
    if analysis_missing() is not None:
        return None
    from ncii_desk.services import analysis

    return analysis.FACE_MATCH_CAVEAT


def caveat_for(row: MatchRow, face: str | None = None) -> str:
    """What a match does and does not show; ``face`` is the analysis part's caveat for face
    matches, when it is installed."""
    m = row.match
    if m.target_external:
        key = "list"
    elif m.kind == "face":
        key = "face"
    elif m.kind == "derivation":
        key = "derivation"
    elif m.kind == "local-features":
        key = "local-features"
    else:
        key = "hash"
    text = translate("Matches", CAVEATS[key])
    if key == "face" and face:
        text = face
    extra = m.details.get("caveat")
    if isinstance(extra, str) and extra:
        text += "\n" + extra
    return text


def _num(value: float | None, digits: int = 0) -> str:
    if value is None:
        return ""
    return f"{value:.{digits}f}"


def review_text(state: str) -> str:
    return {
        "pending": translate("Matches", "To review"),
        "confirmed": translate("Matches", "Confirmed"),
        "rejected": translate("Matches", "Rejected"),
    }.get(state, state)


def findings_for(vault: CaseStore, item_id: str) -> list[dict[str, Any]]:
    """The analysis findings (signals) of an item's newest summary, if it was analysed."""
    return latest_findings(vault, item_id)


@dataclass(frozen=True)
class Rematched:
    found: list[Any]
    #: Stored thresholds that were not valid (their defaults were used).
    warnings: list[str]


def rematch_case(vault: CaseStore, case_id: str) -> Rematched:
    """Match the case again with the vault's thresholds, saying when a stored one was not
    valid and its default was used."""
    from ncii_desk.services.settings import thresholds

    stored = thresholds(vault)
    found = matching.match_case(vault, case_id, pdq_threshold=stored.pdq_distance)
    return Rematched(found, list(stored.warnings))


def analysis_problems(report: Any) -> list[Problem]:
    out = [
        Problem(
            translate("Matches", "(the whole run)"),
            str(p.get("message", "")),
            str(p.get("hint", "")),
        )
        for p in getattr(report, "problems", [])
    ]
    for item in getattr(report, "items", []):
        for err in item.errors:
            out.append(
                Problem(
                    item.file_name,
                    str(err.get("message") or err.get("error") or ""),
                    str(err.get("hint") or ""),
                )
            )
        if item.status == "failed" and not item.errors and item.reason:
            out.append(Problem(item.file_name, item.reason))
    return out


def analysis_summary(report: Any) -> str:
    counts = report.counts()
    text = translate(
        "Matches",
        "Analysed {a}, already up to date {u}, skipped {s}, failed {f}; {m} new match(es).",
    ).format(
        a=counts["analysed"],
        u=counts["up-to-date"],
        s=counts["skipped"],
        f=counts["failed"],
        m=report.new_matches,
    )
    where = where_it_runs(report.provider)
    if where == ON_GPU:
        text += " " + translate("Matches", "Ran on this computer's graphics card.")
    elif where:
        text += " " + translate("Matches", "Ran on the processor.")
    return text


class MatchesPane(QWidget):
    def __init__(self, ctx: AppContext, case_id: str) -> None:
        super().__init__()
        self.ctx = ctx
        self.case_id = case_id
        self.rows: list[MatchRow] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(PANE_MARGIN, PANE_MARGIN, PANE_MARGIN, PANE_MARGIN)
        about = self.tr(
            "Every suspect is compared with the client's originals by hash as it is "
            "added. Face and manipulation analysis also compares faces with the "
            "reference photos and looks for fakes made from the originals. Review "
            "each match: confirm it, or reject it so it is never reported again."
        )
        self.rematch_button = button(
            self.tr("Find matches a&gain"),
            self.rematch,
            tip=self.tr("Compare all suspects again, with the thresholds from Settings."),
        )
        self.analyse_button = button(
            self.tr("A&nalyse faces and manipulation"),
            self.analyse,
            tip=self.tr("Face matching, deepfake scores, source photos and generator traces."),
        )
        self.confirm_button = button(
            self.tr("Con&firm match"),
            lambda: self.review(True),
            tip=self.tr(
                "The selected match is a real copy or fake of the client's picture: it is "
                "kept for the letters and the evidence packet."
            ),
        )
        self.reject_button = button(
            self.tr("&Reject match"),
            lambda: self.review(False),
            tip=self.tr(
                "The selected match is not the client's picture: it is never reported again."
            ),
        )
        self.analysis_note = note_label(self.tr("Analysis note"))
        split = QSplitter(Qt.Orientation.Vertical)
        self.model, self.table = row_table("Matches", MATCH_COLUMNS, self.tr("Matches"))
        self.table.setAccessibleDescription(about)
        elide_middle(self.table, (0, 1))
        fit_columns(self.table, MATCH_STRETCH)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selected())
        buttons: list[QWidget] = [
            self.confirm_button,
            self.reject_button,
            self.rematch_button,
            self.analyse_button,
        ]
        split.addWidget(list_with_buttons(self.table, buttons, self.analysis_note))
        bottom = QWidget()
        bottom_layout = QHBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        self.suspect_preview = PreviewPanel(ctx.previews, "matches", self.tr("Suspect"))
        self.target_preview = PreviewPanel(ctx.previews, "matches", self.tr("Client's picture"))
        # Two previews side by side: each Reveal and Hide now has its own Alt+letter.
        self.suspect_preview.reveal_button.setText(self.tr("Re&veal for a few seconds"))
        self.target_preview.reveal_button.setText(self.tr("Reveal for a few &seconds"))
        self.target_preview.hide_button.setText(self.tr("Hide n&ow"))
        for panel, whose in (
            (self.suspect_preview, self.tr("the suspect file")),
            (self.target_preview, self.tr("the client's picture")),
        ):
            panel.reveal_button.setAccessibleName(self.tr("Reveal {whose}").format(whose=whose))
        self.explain = QPlainTextEdit()
        self.explain.setReadOnly(True)
        self.explain.setAccessibleName(self.tr("What this match means"))
        self.explain.setTabChangesFocus(True)
        bottom_layout.addWidget(self.suspect_preview, 1)
        bottom_layout.addWidget(self.target_preview, 1)
        bottom_layout.addWidget(self.explain, 1)
        split.addWidget(scrolling(bottom, self.tr("The selected match")))
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        # The list keeps 8 rows in view; the previews and explanation take the rest.
        keep_rows(split, self.table)
        layout.addWidget(split, 1)
        self._update_buttons()

    def _update_buttons(self) -> None:
        selected = self.selected_row()
        state = selected.match.review_state if selected is not None else None
        self.confirm_button.setEnabled(state is not None and state != "confirmed")
        self.reject_button.setEnabled(state is not None and state != "rejected")
        missing = analysis_missing()
        self.analyse_button.setEnabled(missing is None)
        self.analysis_note.setText(
            ""
            if missing is None
            else self.tr(
                "Face and manipulation analysis is not installed in this build; hash "
                "matching works without it."
            )
            + " "
            + missing.message
        )

    def refresh(self) -> None:
        case_id = self.case_id
        self.ctx.read(lambda v: matches_with_names(v, case_id), self._show, owner=self)

    def _show(self, rows: list[MatchRow]) -> None:
        selected = self.selected_row()
        selected_id = selected.match.id if selected else None
        self.rows = rows
        self.model.removeRows(0, self.model.rowCount())
        for r in rows:
            m = r.match
            numbers = match_numbers(m.kind, m.distance, m.score, m.threshold)
            cells = [
                QStandardItem(r.suspect_name),
                QStandardItem(r.target_name),
                QStandardItem(method_name(m.kind)),
                QStandardItem(closeness(m.kind, m.distance, m.score, m.threshold)),
                QStandardItem(match_rule(m.kind, m.distance, m.threshold)),
                QStandardItem(review_text(m.review_state)),
                QStandardItem(numbers),
            ]
            cells[0].setData(m.id, Qt.ItemDataRole.UserRole)
            for c in cells:
                c.setEditable(False)
                c.setToolTip(plain_tip(c.text()))
            cells[2].setToolTip(plain_tip(f"{method_name(m.kind)}\n\n{method_tip(m.kind)}"))
            for c in cells[3:5]:
                c.setToolTip(plain_tip(f"{c.text()}\n{numbers}\n\n{method_tip(m.kind)}"))
            self.model.appendRow(cells)
        fit_columns(self.table, MATCH_STRETCH)
        if selected_id is not None:
            for i, r in enumerate(rows):
                if r.match.id == selected_id:
                    self.table.selectRow(i)
        self._update_buttons()

    def selected_row(self) -> MatchRow | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        mid = self.model.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole)
        return next((r for r in self.rows if r.match.id == mid), None)

    def _selected(self) -> None:
        row = self.selected_row()
        self._update_buttons()
        if row is None:
            return
        m = row.match
        self.suspect_preview.show_item(m.suspect_item_id)
        self.target_preview.show_item(m.target_item_id)
        lines = [
            method_name(m.kind),
            self.tr("How close: {c}. Counted as a match when {rule}.").format(
                c=closeness(m.kind, m.distance, m.score, m.threshold),
                rule=match_rule(m.kind, m.distance, m.threshold),
            ),
            self.tr("Method: {how}").format(how=method_tip(m.kind)),
            self.tr("Details: {numbers}").format(
                numbers=match_numbers(m.kind, m.distance, m.score, m.threshold)
            ),
            "",
            caveat_for(row, face_caveat()),
        ]
        self.explain.setPlainText("\n".join(lines))
        item_id = m.suspect_item_id
        self.ctx.read(
            lambda v: findings_for(v, item_id), lambda f: self._findings(m.id, f), owner=self
        )

    def _findings(self, match_id: str, findings: list[dict[str, Any]]) -> None:
        row = self.selected_row()
        if row is None or row.match.id != match_id or not findings:
            return
        lines = ["", self.tr("Analysis findings for the suspect:")]
        for sig in findings:
            value = sig.get("value")
            unvalidated = sig.get("kind") == "deepfake_score" and not (
                isinstance(value, dict) and value.get("validated") is True
            )
            strength = (
                self.tr("weak or unvalidated signal, not a finding")
                if unvalidated and sig.get("strength") != "none"
                else self.tr("strength: {s}").format(s=sig.get("strength", ""))
            )
            lines.append("- " + str(sig.get("finding", "")) + f" ({strength})")
            if sig.get("caveat"):
                lines.append("  " + str(sig["caveat"]))
        limits = ""
        if analysis_missing() is None:
            validated = [
                str(sig["value"].get("model", ""))
                for sig in findings
                if sig.get("kind") == "deepfake_score"
                and isinstance(sig.get("value"), dict)
                and sig["value"].get("validated") is True
                and sig["value"].get("applicable") is not False
            ]
            limits = manipulation_limits(validated)
        if limits:
            lines += ["", str(limits)]
        self.explain.appendPlainText("\n".join(lines))

    def review(self, confirm: bool) -> None:
        row = self.selected_row()
        if row is None:
            return
        match_id = row.match.id
        self.ctx.read(
            lambda v: matching.review_match(v, match_id, confirm),
            lambda _view: self._changed(),
            owner=self,
        )

    def _changed(self) -> None:
        self.refresh()
        self.ctx.case_changed.emit(self.case_id)

    def rematch(self) -> None:
        case_id = self.case_id
        self.ctx.task(
            self.tr("Finding matches"),
            lambda vault, _job: rematch_case(vault, case_id),
            on_done=lambda _found: self._changed(),
            problems_of=lambda r: [
                Problem(translate("Matches", "(matching)"), w) for w in r.warnings
            ],
            summary=lambda r: self.tr("{n} new match(es).").format(n=len(r.found)),
            owner=self,
        )

    def analyse(self) -> None:
        if analysis_missing() is not None:
            return
        from ncii_desk.services import analysis

        case_id = self.case_id
        self.ctx.task(
            self.tr("Analysing faces and manipulation"),
            lambda vault, job: analysis.analyze_case(vault, case_id, job),
            on_done=lambda _r: self._changed(),
            problems_of=analysis_problems,
            summary=analysis_summary,
            owner=self,
        )
