"""Long tasks: a progress row with a count and a Cancel button each, and one list of problems.

Every long service call (intake, hashing, capture, analysis, packets) runs on the task pool
with the Job it was given; the row relays its progress, its Cancel button sets the Job's
cancel token, and problems with single files are listed in the panel (one line per file)
instead of one dialog per file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ncii_desk.errors import Cancelled, InternalError, NciiDeskError
from ncii_desk.gui import workers
from ncii_desk.gui.common import (
    QT_TRANSLATE_NOOP,
    ElidedLabel,
    ElidedLine,
    button,
    elide_middle,
    fit_columns,
    plain_label,
    plain_tip,
    translate,
)
from ncii_desk.i18n import said
from ncii_desk.services.jobs import Job


@dataclass(frozen=True)
class Problem:
    """One item that could not be handled; the rest of the batch went on."""

    item: str
    message: str
    hint: str = ""


ProblemsOf = Callable[[Any], Sequence[Problem]]
#: A finished task's next step, from its result: (button text, what it does, tooltip).
NextStep = Callable[[Any], "tuple[str, Callable[[], None], str] | None"]
#: In the problem list, what happened and what to do share the spare width.
PROBLEM_STRETCH = (2, 3)
QWIDGETSIZE_MAX = (1 << 24) - 1
PANEL_MARGIN = 4


#: The phases services report (Job.progress messages), in the advocate's words.
PHASE_WORDS = {
    "adding files": QT_TRANSLATE_NOOP("Tasks", "Adding"),
    "hashing": QT_TRANSLATE_NOOP("Tasks", "Comparing with the client's photos"),
    "hashing items not hashed yet": QT_TRANSLATE_NOOP(
        "Tasks", "Comparing items not checked yet with the client's photos"
    ),
    "re-checking addresses": QT_TRANSLATE_NOOP("Tasks", "Checking the addresses again"),
    "capturing addresses": QT_TRANSLATE_NOOP("Tasks", "Capturing pages"),
    "reading exhibits": QT_TRANSLATE_NOOP("Tasks", "Reading the exhibits"),
    "finding faces in reference photos": QT_TRANSLATE_NOOP(
        "Tasks", "Finding faces in the reference photos"
    ),
    "reference photos": QT_TRANSLATE_NOOP("Tasks", "Reading the reference photos"),
    "suspect photos": QT_TRANSLATE_NOOP("Tasks", "Comparing the suspect photos"),
    "done": QT_TRANSLATE_NOOP("Tasks", "Finishing"),
}


def phase_words(message: str) -> str:
    """A service's progress message as a phase in plain words ("" when it gave none)."""
    known = PHASE_WORDS.get(message.strip())
    if known is not None:
        return translate("Tasks", known)
    text = message.strip()
    return text[:1].upper() + text[1:]


class TaskRow(QWidget):
    """One running or finished task: one bar that names its phase with its count
    ("Adding 120/200"), and once finished says how it ended (never a full bar without
    words). A finished task may offer a next step (a button such as "Check now")."""

    changed = Signal()
    #: A next step is offered (the panel keeps the row in sight until it is taken).
    offered = Signal()

    def __init__(self, label: str, cancel: Callable[[], None]) -> None:
        super().__init__()
        self.label_text = label
        self.finished = False
        self.outcome = ""  # "done", "cancelled" or "failed" once finished
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        # Shortened with "..." in a narrow window (whole in the tooltip): a long file name or
        # outcome never makes the window wider than the screen.
        self.title = ElidedLine(label)
        self.title.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # busy until the first count arrives
        self.bar.setTextVisible(True)
        self.bar.setFormat(self.tr("Starting..."))
        self.bar.setAccessibleName(self.tr("Progress of {task}").format(task=label))
        self.bar.setMinimumWidth(160)
        self.status = ElidedLine(self.tr("Starting..."))
        self.status.setAccessibleName(self.tr("Status of {task}").format(task=label))
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setAccessibleName(self.tr("Cancel {task}").format(task=label))
        self.cancel_button.clicked.connect(lambda: self._cancel(cancel))
        self.action_button = QPushButton()
        self.action_button.setVisible(False)
        self.offer_waiting = False
        layout.addWidget(self.title)
        layout.addWidget(self.bar, 1)
        layout.addWidget(self.status, 1)
        layout.addWidget(self.cancel_button)
        layout.addWidget(self.action_button)

    def _cancel(self, cancel: Callable[[], None]) -> None:
        cancel()
        self.cancel_button.setEnabled(False)
        self.status.setText(self.tr("Cancelling after the current item..."))
        self.changed.emit()

    def progress(self, done: int, total: int, message: str) -> None:
        if self.finished:
            return
        phase = phase_words(message) or self.tr("Working")
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
            # "%" in a phase would be read as a placeholder by the bar
            shown = self.tr("{phase} {done}/{total}").format(
                phase=phase.replace("%", "%%"), done=min(done, total), total=total
            )
        else:
            self.bar.setRange(0, 0)
            shown = phase.replace("%", "%%")
        self.bar.setFormat(shown)
        if self.cancel_button.isEnabled():
            self.status.setText(shown.replace("%%", "%"))
        self.changed.emit()

    def finish(self, outcome: str, text: str) -> None:
        self.finished = True
        self.outcome = outcome
        if self.bar.maximum() == 0:
            self.bar.setRange(0, 1)
        if outcome == "done":
            self.bar.setValue(self.bar.maximum())
        ended = {
            "done": self.tr("Done"),
            "cancelled": self.tr("Cancelled"),
        }.get(outcome, self.tr("Stopped"))
        self.bar.setFormat(ended)
        self.status.setText(text)
        self.cancel_button.setVisible(False)
        self.changed.emit()

    def offer(self, text: str, slot: Callable[[], None], tip: str = "") -> None:
        """A next step for the finished task; the button goes once it is pressed."""
        self.action_button.setText(text)
        self.action_button.setAccessibleName(text)
        self.action_button.setToolTip(tip)

        def pressed() -> None:
            self.offer_waiting = False
            self.action_button.setVisible(False)
            self.action_button.setEnabled(False)
            slot()

        self.action_button.clicked.connect(pressed)
        self.action_button.setVisible(True)
        self.offer_waiting = True
        self.offered.emit()
        self.changed.emit()


#: At most this many task rows and problem lines get room before the lists scroll.
ROWS_SHOWN = 3
PROBLEMS_SHOWN = 4


class TaskPanel(QWidget):
    """A one-line summary bar (the dock's title bar) over the task rows and the problems.

    The panel is only its summary line (the running task with its progress bar, or the
    latest result, and how many problems are listed) so the tables above keep their room;
    "Show details" opens the task rows and the problem list, and they stay open until
    closed by hand.
    """

    #: The panel wants a different height (it opened, closed, or a list grew).
    resized = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setAccessibleName(self.tr("Tasks and problems"))
        self.rows: list[TaskRow] = []
        self.active = 0
        self.expanded = False
        self._pinned = False  # opened by the advocate: stays open when the work is done
        self.summary_bar = self._build_summary_bar()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, PANEL_MARGIN)
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.setChildrenCollapsible(False)
        self.rows_area = QWidget()
        top_layout = QVBoxLayout(self.rows_area)
        top_layout.setContentsMargins(0, 0, 0, 0)
        header = QHBoxLayout()
        self.rows_title = plain_label(self.tr("Tasks in this session"), wrap=False)
        header.addWidget(self.rows_title)
        header.addStretch(1)
        self.clear_finished_button = button(self.tr("Clear fi&nished tasks"), self.clear_finished)
        header.addWidget(self.clear_finished_button)
        top_layout.addLayout(header)
        self.rows_box = QWidget()
        self.rows_layout = QVBoxLayout(self.rows_box)
        self.rows_layout.setContentsMargins(0, 0, 0, 0)
        self.rows_layout.addStretch(1)
        self.rows_scroll = QScrollArea()
        self.rows_scroll.setWidgetResizable(True)
        self.rows_scroll.setWidget(self.rows_box)
        self.rows_scroll.setAccessibleName(self.tr("Task list"))
        top_layout.addWidget(self.rows_scroll)
        self.split.addWidget(self.rows_area)
        self.problems_area = QWidget()
        bottom_layout = QVBoxLayout(self.problems_area)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        header2 = QHBoxLayout()
        self.problems_title = plain_label(self.tr("Problems with single items"), wrap=False)
        header2.addWidget(self.problems_title)
        header2.addStretch(1)
        self.clear_problems_button = button(self.tr("Clear proble&m list"), self.clear_problems)
        header2.addWidget(self.clear_problems_button)
        bottom_layout.addLayout(header2)
        self.problems = QTreeWidget()
        self.problems.setColumnCount(4)
        self.problems.setHeaderLabels(
            [self.tr("Task"), self.tr("Item"), self.tr("What happened"), self.tr("What to do")]
        )
        self.problems.setRootIsDecorated(False)
        self.problems.setWordWrap(True)
        self.problems.setAccessibleName(self.tr("Problems with single items"))
        elide_middle(self.problems, (1,))
        fit_columns(self.problems, PROBLEM_STRETCH, cap_chars=32)
        bottom_layout.addWidget(self.problems)
        self.split.addWidget(self.problems_area)
        layout.addWidget(self.split)
        self._arrange()

    def _build_summary_bar(self) -> QWidget:
        bar = QWidget()
        bar.setAccessibleName(self.tr("Task summary"))
        row = QHBoxLayout(bar)
        row.setContentsMargins(6, 2, 4, 2)
        title = plain_label(self.tr("Tasks:"), wrap=False)
        font = title.font()
        font.setBold(True)
        title.setFont(font)
        title.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        row.addWidget(title)
        self.summary = ElidedLabel(self.tr("Summary of the tasks"))
        row.addWidget(self.summary, 1)
        # The running task's progress stays in sight on the slim line.
        self.summary_progress = QProgressBar()
        self.summary_progress.setAccessibleName(self.tr("Progress of the running task"))
        self.summary_progress.setFormat(self.tr("%v of %m"))
        self.summary_progress.setMaximumWidth(self.fontMetrics().averageCharWidth() * 24)
        self.summary_progress.setMaximumHeight(self.summary.sizeHint().height() + 4)
        self.summary_progress.setVisible(False)
        row.addWidget(self.summary_progress)
        self.details_button = button(
            self.tr("Show deta&ils"),
            lambda: self.set_expanded(not self.expanded, by_hand=True),
            name=self.tr("Show or hide the task details"),
        )
        row.addWidget(self.details_button)
        self.hide_button = button(
            self.tr("Hid&e"),
            name=self.tr("Hide the task panel"),
            tip=self.tr("The Tasks button brings it back."),
        )
        row.addWidget(self.hide_button)
        return bar

    # -- opening and closing --

    def set_expanded(self, on: bool, *, by_hand: bool = False) -> None:
        if by_hand:
            self._pinned = on
        self.expanded = on
        self._arrange()

    def set_active(self, active: int) -> None:
        """Running or not, the panel stays one line (with the running task's progress)
        unless the advocate opened it."""
        self.active = active
        # an offer waiting for the advocate (Check now after a cancelled add) keeps it open
        if not active and not self._pinned and not self.offers_waiting():
            self.expanded = False
        self._arrange()

    def has_problems(self) -> bool:
        return self.problems.topLevelItemCount() > 0

    def _arrange(self) -> None:
        self.rows_area.setVisible(self.expanded)
        self.problems_area.setVisible(self.expanded and self.has_problems())
        self.details_button.setText(
            self.tr("Hide deta&ils") if self.expanded else self.tr("Show deta&ils")
        )
        open_ = self.rows_area.isVisibleTo(self) or self.problems_area.isVisibleTo(self)
        self.setMaximumHeight(QWIDGETSIZE_MAX if open_ else 0)
        if self.rows_area.isVisibleTo(self) and self.problems_area.isVisibleTo(self):
            self.split.setSizes([self._rows_height(), self._problems_height()])
        self._summarise()
        self.resized.emit()

    def _rows_height(self) -> int:
        header = self.clear_finished_button.sizeHint().height()
        shown = self.rows[-ROWS_SHOWN:]
        rows = sum(r.sizeHint().height() for r in shown) if shown else header
        return header + rows + 2 * self.rows_scroll.frameWidth() + 8

    def _problems_height(self) -> int:
        header = self.clear_problems_button.sizeHint().height()
        view = self.problems
        lines = min(max(view.topLevelItemCount(), 1), PROBLEMS_SHOWN)
        line = max(view.sizeHintForRow(0), view.fontMetrics().height() + 4)
        return header + view.header().sizeHint().height() + lines * line + 2 * view.frameWidth() + 8

    def preferred_height(self) -> int:
        """The height the panel needs below its summary line (0 when closed)."""
        height = 0
        if self.rows_area.isVisibleTo(self):
            height += self._rows_height()
        if self.problems_area.isVisibleTo(self):
            height += self._problems_height()
        if height:
            height += self.split.handleWidth() + PANEL_MARGIN
        return height

    def _summarise(self) -> None:
        running = [r for r in self.rows if not r.finished]
        self.summary_progress.setVisible(bool(running))
        if running:
            latest = running[-1]
            self.summary_progress.setRange(latest.bar.minimum(), latest.bar.maximum())
            self.summary_progress.setValue(latest.bar.value())
            text = self.tr("{task}: {status}").format(
                task=latest.label_text, status=latest.status.text()
            )
            if len(running) > 1:
                text = self.tr("{n} tasks running. Latest: {text}").format(
                    n=len(running), text=text
                )
        elif self.rows:
            latest = self.rows[-1]
            text = self.tr("Finished. {task}: {status}").format(
                task=latest.label_text, status=latest.status.text()
            )
        else:
            text = self.tr("Nothing is running. Long work shows its progress here.")
        count = self.problems.topLevelItemCount()
        if count:
            if self.expanded:
                text += " " + self.tr("{n} problem(s) with single items listed below.").format(
                    n=count
                )
            else:
                text += " " + self.tr(
                    "{n} problem(s) with single items: Show details lists them."
                ).format(n=count)
        self.summary.setText(text)
        self.summary.setToolTip(plain_tip(text))
        self.summary.update()

    # -- rows and problems --

    def add_row(self, row: TaskRow) -> None:
        self.rows.append(row)
        self.rows_layout.insertWidget(self.rows_layout.count() - 1, row)
        row.changed.connect(self._summarise)
        row.offered.connect(self._offered)
        self._arrange()

    def offers_waiting(self) -> bool:
        """A finished task offers a next step not taken yet (its button must stay seen)."""
        return any(r.offer_waiting for r in self.rows)

    def _offered(self) -> None:
        self.expanded = True
        self._arrange()

    def add_problems(self, task: str, problems: Sequence[Problem]) -> None:
        for p in problems:
            # Services write English; said() puts it into the window's language.
            item = QTreeWidgetItem([task, p.item, said(p.message), said(p.hint)])
            for col in range(4):
                item.setToolTip(col, plain_tip(item.text(col)))
            self.problems.addTopLevelItem(item)
        if problems:
            self.problems_title.setText(
                self.tr("Problems with single items ({n})").format(
                    n=self.problems.topLevelItemCount()
                )
            )
            fit_columns(self.problems, PROBLEM_STRETCH, cap_chars=32)
            self._arrange()

    def problem_texts(self) -> list[tuple[str, str, str, str]]:
        out = []
        for i in range(self.problems.topLevelItemCount()):
            it = self.problems.topLevelItem(i)
            if it is None:
                continue
            out.append((it.text(0), it.text(1), it.text(2), it.text(3)))
        return out

    def clear_finished(self) -> None:
        for row in [r for r in self.rows if r.finished]:
            self.rows.remove(row)
            row.setParent(None)
            row.deleteLater()
        self._arrange()

    def clear_problems(self) -> None:
        self.problems.clear()
        self.problems_title.setText(self.tr("Problems with single items"))
        self._arrange()

    def clear_all(self) -> None:
        for row in list(self.rows):
            row.finished = True
            row.setParent(None)
            row.deleteLater()
        self.rows.clear()
        self._pinned = False
        self.expanded = False
        self.clear_problems()


class TaskManager(QObject):
    """Starts long tasks on the task pool and keeps their rows and problems up to date."""

    active_changed = Signal(int)
    started = Signal(str)

    def __init__(self, panel: TaskPanel) -> None:
        super().__init__()
        self.panel = panel
        self._active: dict[workers.Worker, TaskRow] = {}
        self.active_changed.connect(panel.set_active)

    @property
    def active(self) -> int:
        return len(self._active)

    def start(
        self,
        label: str,
        fn: Callable[[Job], Any],
        *,
        on_done: Callable[[Any], None] | None = None,
        on_failed: Callable[[NciiDeskError], None] | None = None,
        problems_of: ProblemsOf | None = None,
        summary: Callable[[Any], str] | None = None,
        next_step: NextStep | None = None,
    ) -> workers.Worker:
        holder: list[workers.Worker] = []
        row = TaskRow(label, lambda: holder[0].cancel() if holder else None)

        def succeeded(result: Any) -> None:
            if row.finished:
                return
            try:
                cancelled = bool(getattr(result, "cancelled", False)) or worker.job.cancelled
                text = summary(result) if summary else self.tr("Done.")
                if cancelled:
                    text = self.tr("Cancelled; what was finished before is kept. ") + text
                problems = problems_of(result) if problems_of is not None else []
            except Exception as exc:  # a bug in showing the result must not leave a stuck row
                shown(exc)
                return
            row.finish("cancelled" if cancelled else "done", text)
            step = next_step(result) if next_step is not None else None
            if step is not None:
                row.offer(*step)
            if problems:
                self.panel.add_problems(label, problems)
            if on_done is not None:
                try:
                    on_done(result)
                except Exception as exc:
                    shown(exc)

        def shown(exc: Exception) -> None:
            error = InternalError(
                self.tr("The task finished, but its result could not be shown ({name}).").format(
                    name=type(exc).__name__
                )
            )
            if not row.finished:
                row.finish("failed", error.message)
            self.panel.add_problems(label, [Problem("", error.message, error.hint)])

        def failed(error: NciiDeskError) -> None:
            if row.finished:
                return
            if isinstance(error, Cancelled):
                row.finish("cancelled", self.tr("Cancelled; what was finished before is kept."))
            else:
                row.finish(
                    "failed", self.tr("Stopped: {message}").format(message=said(error.message))
                )
                self.panel.add_problems(label, [Problem("", error.message, error.hint)])
            if on_failed is not None:
                on_failed(error)

        worker = workers.start(
            fn,
            succeeded,
            failed,
            row.progress,
            long=True,
            on_finished=lambda: self._finished(holder[0]),
        )
        holder.append(worker)
        self._active[worker] = row
        self.panel.add_row(row)
        self.active_changed.emit(self.active)
        self.started.emit(label)
        return worker

    def _finished(self, worker: workers.Worker) -> None:
        self._active.pop(worker, None)
        self.active_changed.emit(self.active)

    def cancel_all(self) -> None:
        for worker in list(self._active):
            worker.cancel()

    def forget(self) -> None:
        """On lock: cancel everything and drop rows and problems (they may name files)."""
        self.cancel_all()
        self.panel.clear_all()
