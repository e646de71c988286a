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
    QHeaderView,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ncii_desk.errors import Cancelled, InternalError, NciiDeskError
from ncii_desk.gui import workers
from ncii_desk.gui.common import button, plain_label, plain_tip
from ncii_desk.services.jobs import Job


@dataclass(frozen=True)
class Problem:
    """One item that could not be handled; the rest of the batch went on."""

    item: str
    message: str
    hint: str = ""


ProblemsOf = Callable[[Any], Sequence[Problem]]


class TaskRow(QWidget):
    """One running or finished task."""

    def __init__(self, label: str, cancel: Callable[[], None]) -> None:
        super().__init__()
        self.label_text = label
        self.finished = False
        self.outcome = ""  # "done", "cancelled" or "failed" once finished
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        self.title = plain_label(label, wrap=False)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # busy until the first count arrives
        self.bar.setFormat(self.tr("%v of %m"))
        self.bar.setAccessibleName(self.tr("Progress of {task}").format(task=label))
        self.bar.setMinimumWidth(160)
        self.status = plain_label(self.tr("Starting..."), wrap=False)
        self.status.setAccessibleName(self.tr("Status of {task}").format(task=label))
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setAccessibleName(self.tr("Cancel {task}").format(task=label))
        self.cancel_button.clicked.connect(lambda: self._cancel(cancel))
        layout.addWidget(self.title)
        layout.addWidget(self.bar, 1)
        layout.addWidget(self.status, 1)
        layout.addWidget(self.cancel_button)

    def _cancel(self, cancel: Callable[[], None]) -> None:
        cancel()
        self.cancel_button.setEnabled(False)
        self.status.setText(self.tr("Cancelling after the current item..."))

    def progress(self, done: int, total: int, message: str) -> None:
        if self.finished:
            return
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
        else:
            self.bar.setRange(0, 0)
        if self.cancel_button.isEnabled():
            self.status.setText(message)

    def finish(self, outcome: str, text: str) -> None:
        self.finished = True
        self.outcome = outcome
        if self.bar.maximum() == 0:
            self.bar.setRange(0, 1)
        if outcome == "done":
            self.bar.setValue(self.bar.maximum())
        self.status.setText(text)
        self.cancel_button.setVisible(False)


class TaskPanel(QWidget):
    """The running tasks above, problems with single items below."""

    def __init__(self) -> None:
        super().__init__()
        self.setAccessibleName(self.tr("Tasks and problems"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        split = QSplitter(Qt.Orientation.Vertical)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        header = QHBoxLayout()
        header.addStretch(1)
        self.clear_finished_button = button(self.tr("Clear finished tasks"), self.clear_finished)
        header.addWidget(self.clear_finished_button)
        top_layout.addLayout(header)
        self.rows_box = QWidget()
        self.rows_layout = QVBoxLayout(self.rows_box)
        self.rows_layout.setContentsMargins(0, 0, 0, 0)
        self.rows_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.rows_box)
        scroll.setAccessibleName(self.tr("Task list"))
        top_layout.addWidget(scroll)
        split.addWidget(top)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        header2 = QHBoxLayout()
        self.problems_title = plain_label(self.tr("Problems with single items"), wrap=False)
        header2.addWidget(self.problems_title)
        header2.addStretch(1)
        self.clear_problems_button = button(self.tr("Clear problem list"), self.clear_problems)
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
        self.problems.header().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((200, 260, 420)):
            self.problems.setColumnWidth(column, width)
        bottom_layout.addWidget(self.problems)
        split.addWidget(bottom)
        layout.addWidget(split)
        self.rows: list[TaskRow] = []

    def add_row(self, row: TaskRow) -> None:
        self.rows.append(row)
        self.rows_layout.insertWidget(self.rows_layout.count() - 1, row)

    def add_problems(self, task: str, problems: Sequence[Problem]) -> None:
        for p in problems:
            item = QTreeWidgetItem([task, p.item, p.message, p.hint])
            for col in range(4):
                item.setToolTip(col, plain_tip(item.text(col)))
            self.problems.addTopLevelItem(item)
        if problems:
            self.problems_title.setText(
                self.tr("Problems with single items ({n})").format(
                    n=self.problems.topLevelItemCount()
                )
            )

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

    def clear_problems(self) -> None:
        self.problems.clear()
        self.problems_title.setText(self.tr("Problems with single items"))

    def clear_all(self) -> None:
        for row in list(self.rows):
            row.finished = True
            row.setParent(None)
            row.deleteLater()
        self.rows.clear()
        self.clear_problems()


class TaskManager(QObject):
    """Starts long tasks on the task pool and keeps their rows and problems up to date."""

    active_changed = Signal(int)
    started = Signal(str)

    def __init__(self, panel: TaskPanel) -> None:
        super().__init__()
        self.panel = panel
        self._active: dict[workers.Worker, TaskRow] = {}

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
                row.finish("failed", self.tr("Stopped: {message}").format(message=error.message))
                self.panel.add_problems(label, [Problem("", error.message, error.hint)])
            if on_failed is not None:
                on_failed(error)

        worker = workers.start(fn, succeeded, failed, row.progress, long=True)
        holder.append(worker)
        self._active[worker] = row
        worker.signals.done.connect(lambda: self._finished(worker))
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
