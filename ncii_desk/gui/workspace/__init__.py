"""One case: a header with the case's details and safety switch, and a tab per kind of work."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QMessageBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ncii_desk.gui.common import (
    ElidedLabel,
    button,
    checkbox,
    heading,
    note_label,
    plain_tip,
    translate,
)
from ncii_desk.gui.context import AppContext
from ncii_desk.gui.dashboard import minor_explanation
from ncii_desk.gui.layouts import PANE_MARGIN
from ncii_desk.gui.tasks import Problem
from ncii_desk.gui.workspace.activity import ActivityPane
from ncii_desk.gui.workspace.matches import MatchesPane
from ncii_desk.gui.workspace.originals import OriginalsPane
from ncii_desk.gui.workspace.packet import PacketPane
from ncii_desk.gui.workspace.requests import RequestsPane
from ncii_desk.gui.workspace.suspects import SuspectsPane
from ncii_desk.i18n import said
from ncii_desk.services import case_members, cases, minor
from ncii_desk.services.matching import HashingReport, hash_missing
from ncii_desk.services.views import CaseView


class CaseWorkspace(QWidget):
    def __init__(self, ctx: AppContext, case_id: str, on_back: Callable[[], None]) -> None:
        super().__init__()
        self.ctx = ctx
        self.case_id = case_id
        self.view: CaseView | None = None
        self.minor_box: QMessageBox | None = None
        self.minor_result: minor.MinorSwitchResult | None = None
        #: Items never hashed are hashed once, when the case opens (not on every refresh).
        self.hashing_started = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(PANE_MARGIN, PANE_MARGIN, PANE_MARGIN, PANE_MARGIN)
        top = QHBoxLayout()
        self.back_button = button(
            self.tr("< All cases"), on_back, name=self.tr("Back to all cases")
        )
        # Alt+Left: the "back" key of web browsers and file managers.
        self.back_button.setShortcut(QKeySequence(QKeySequence.StandardKey.Back))
        self.back_button.setToolTip(self.tr("Back to the list of cases (Alt+Left)."))
        top.addWidget(self.back_button)
        self.title = heading("")
        self.title.setWordWrap(False)
        self.title.setMinimumWidth(self.title.fontMetrics().averageCharWidth() * 8)
        top.addWidget(self.title)
        # The case's details on the title line too (shortened when narrow; whole in the
        # tooltip): every line given to the header is a line less for the lists.
        self.details = ElidedLabel(self.tr("Case details"))
        top.addWidget(self.details, 1)
        self.members_button = button(self.tr("Who works on this case..."), self.show_members)
        self.members_button.setVisible(
            ctx.vault is not None and case_members.has_members(ctx.vault)
        )
        top.addWidget(self.members_button)
        # The safety switch sits on the title line: always in view, one line less.
        self.minor = checkbox(
            self.tr("The person in this case may be under &18"),
            tip=minor_explanation(),
        )
        self.minor.clicked.connect(self._minor_clicked)
        top.addWidget(self.minor)
        layout.addLayout(top)
        self.minor_note = note_label(self.tr("What the under-18 setting does"))
        layout.addWidget(self.minor_note)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName(self.tr("Case work"))
        self.originals = OriginalsPane(ctx, case_id)
        self.suspects = SuspectsPane(ctx, case_id)
        self.matches = MatchesPane(ctx, case_id)
        self.requests = RequestsPane(ctx, case_id)
        self.packet = PacketPane(ctx, case_id)
        self.activity = ActivityPane(ctx, case_id)
        for pane, name in (
            (self.originals, self.tr("Originals && references")),
            (self.suspects, self.tr("Suspects")),
            (self.matches, self.tr("Matches")),
            (self.requests, self.tr("Removal requests")),
            (self.packet, self.tr("Evidence packet")),
            (self.activity, self.tr("Activity")),
        ):
            self.tabs.addTab(pane, name)
        self.tabs.currentChanged.connect(lambda _i: self.refresh_current())
        layout.addWidget(self.tabs, 1)
        ctx.case_changed.connect(self._case_changed)
        ctx.check_unhashed.connect(self._check_asked)

    def refresh(self) -> None:
        case_id = self.case_id
        self.ctx.read(lambda v: cases.get_case(v, case_id), self._show_case, owner=self)
        self.refresh_current()

    def refresh_current(self) -> None:
        pane = self.tabs.currentWidget()
        refresh = getattr(pane, "refresh", None)
        if callable(refresh):
            refresh()

    def _check_asked(self, case_id: str) -> None:
        if case_id == self.case_id:
            self.hash_missing()

    def _case_changed(self, case_id: str) -> None:
        if case_id == self.case_id:
            self.refresh()

    def _show_case(self, view: CaseView) -> None:
        self.view = view
        self.title.setText(view.label)
        self.title.setToolTip(plain_tip(view.label))
        self.title.setAccessibleName(view.label)
        parts = [
            self.tr("Client: {p}").format(p=view.client_pseudonym or self.tr("(no pseudonym)")),
            self.tr("Jurisdiction: {j}").format(j=view.jurisdiction or self.tr("(not set)")),
            self.tr(
                "{o} originals, {r} references, {s} suspects, {q} open removal requests"
            ).format(o=view.originals, r=view.references, s=view.suspects, q=view.open_requests),
        ]
        self.details.setText(" · ".join(parts))
        self.details.setToolTip(plain_tip("\n".join(parts)))
        self.minor.setChecked(view.suspected_minor)
        if not self.hashing_started:
            # Once, when the case opens: items left unhashed before (a cancel, a crash, an
            # add without hashing). Later adds report their own problems themselves.
            self.hashing_started = True
            if view.unhashed:
                self.hash_missing()
        last = self.minor_result
        if last is not None and last.value == view.suspected_minor:
            return  # the note still tells what the switch just did
        self.minor_note.setText(
            self.tr("On: files are kept as hashes only and no previews are shown.")
            if view.suspected_minor
            else ""
        )

    def show_members(self) -> None:
        from ncii_desk.gui.workspace.members import CaseMembersDialog

        dialog = CaseMembersDialog(self.ctx, self.case_id, self)
        dialog.refresh()
        dialog.open()

    def hash_missing(self) -> None:
        """Hash, in the background, the items stored without hashes (after a cancel, a crash
        or intake without hashing): until then matching does not see them."""
        self.hashing_started = True
        case_id = self.case_id

        def done(report: HashingReport) -> None:
            if report.hashed:
                self.ctx.case_changed.emit(case_id)

        self.ctx.task(
            self.tr("Hashing items not hashed yet"),
            lambda v, job: hash_missing(v, case_id, job=job),
            on_done=done,
            problems_of=rehash_problems,
            summary=rehash_summary,
            owner=self,
        )

    def _minor_clicked(self, on: bool) -> None:
        # The switch changes only after the advocate confirms; until then show the old state.
        self.minor.setChecked(not on)
        if not on:
            self._ask_minor(False, None)
            return
        case_id = self.case_id
        # First what switching on would delete, so the question can name it.
        self.ctx.read(
            lambda v: minor.minor_plan(v, case_id), lambda p: self._ask_minor(True, p), owner=self
        )

    def _ask_minor(self, on: bool, plan: minor.MinorPlan | None) -> None:
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning if on else QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Possibly under 18"))
        box.setTextFormat(Qt.TextFormat.PlainText)
        if on:
            assert plan is not None
            box.setText(self.tr("Mark this case as possibly showing a person under 18?"))
            lines = [
                minor_explanation(),
                "",
                self.tr(
                    "This deletes from the vault, for good: {f} stored file(s) of {i} item(s), "
                    "{a} web archive(s), {r} picked face(s) and {k} record(s) of face data or "
                    "picture keypoints. The {h} hash(es) are kept, so matching goes on."
                ).format(
                    f=plan.stored_files,
                    i=plan.items_with_files,
                    a=plan.archives,
                    r=plan.face_references,
                    k=plan.pixel_records,
                    h=plan.hashes_kept,
                ),
            ]
            for other in plan.other_cases:
                lines.append(
                    self.tr(
                        "The same file(s) are in case {c} ({n} item(s)): they are deleted "
                        "there too and that case keeps their hashes."
                    ).format(c=other.label, n=other.items)
                )
            if plan.earlier_exports or plan.earlier_packets:
                lines.append(
                    self.tr(
                        "Copies saved outside the vault earlier ({e} exported file(s), {p} "
                        "evidence packet(s)) are not touched: delete them yourself."
                    ).format(e=plan.earlier_exports, p=plan.earlier_packets)
                )
            lines.append("")
            lines.append(
                self.tr("This cannot be undone: switching the setting off later restores nothing.")
            )
            box.setInformativeText("\n".join(lines))
            yes = box.addButton(
                self.tr("Delete the files, keep hashes"), QMessageBox.ButtonRole.YesRole
            )
        else:
            box.setText(self.tr("Turn off the under-18 setting for this case?"))
            box.setInformativeText(
                self.tr(
                    "Files added from now on will be kept in the vault again, and previews "
                    "(blurred) will be shown. Nothing deleted comes back: items recorded as "
                    "hashes only stay that way."
                )
            )
            yes = box.addButton(self.tr("Turn off"), QMessageBox.ButtonRole.YesRole)
        no = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(no)
        box.setEscapeButton(no)
        box.finished.connect(lambda _r: self._minor_answer(on, box.clickedButton() is yes))
        self.minor_box = box
        box.open()

    def _minor_answer(self, on: bool, confirmed: bool) -> None:
        if confirmed:
            self.set_minor(on)

    def set_minor(self, on: bool) -> None:
        case_id = self.case_id
        if on:
            self.ctx.previews.clear()  # before the vault has done anything
            self.minor_note.setText(self.tr("Deleting the case's files from the vault..."))

        def done(result: minor.MinorSwitchResult) -> None:
            self.ctx.previews.clear()
            self.minor_result = result
            self.ctx.case_changed.emit(case_id)
            self.ctx.case_changed.emit("")
            notes = [said(w) for w in result.warnings]
            self.minor_note.setText(" ".join([self._minor_summary(result), *notes]))

        self.ctx.read(lambda v: minor.set_case_minor(v, case_id, on), done, owner=self)

    def _minor_summary(self, r: minor.MinorSwitchResult) -> str:
        if not r.value:
            return self.tr(
                "Off: files added from now on are kept. Nothing was restored: {n} item(s) "
                "stay hashes only."
            ).format(n=r.hash_only_items)
        return self.tr(
            "On: only hashes are kept. Deleted: {f} stored file(s) of {i} item(s), {a} web "
            "archive(s), {r} picked face(s), {k} record(s) of face data or keypoints; {h} "
            "hash(es) kept."
        ).format(
            f=r.files_deleted,
            i=r.items_switched,
            a=r.archives_removed,
            r=r.face_references_removed,
            k=r.analyses_removed,
            h=r.hashes_kept,
        )


def rehash_summary(report: HashingReport) -> str:
    text = translate("Workspace", "Hashed {h} item(s) that had no hashes; {m} new match(es).")
    return text.format(h=report.hashed, m=report.new_matches)


def rehash_problems(report: HashingReport) -> list[Problem]:
    out = [Problem(e.get("path", ""), e.get("error", ""), e.get("hint", "")) for e in report.errors]
    if report.hash_only_unhashable:
        out.append(
            Problem(
                translate("Workspace", "(hashes only)"),
                translate(
                    "Workspace",
                    "{n} item(s) kept as hashes only have no picture hashes and cannot get "
                    "them: their files were not kept.",
                ).format(n=report.hash_only_unhashable),
                translate(
                    "Workspace",
                    "Add the files again (as possibly under 18) if you still have them.",
                ),
            )
        )
    return out
