"""What every screen of an unlocked session shares: the open vault, the task manager, the
preview store and the preferences.

Screens never call the vault on the GUI thread: ``read`` runs a quick call on the quick pool
and ``task`` a long one with progress and Cancel. When the vault is locked the context is
closed, and results still on their way are dropped instead of reaching screens that are gone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from ncii_desk.errors import NciiDeskError
from ncii_desk.gui import workers
from ncii_desk.gui.common import show_error
from ncii_desk.gui.config import Preferences, Thresholds
from ncii_desk.gui.safeview import PreviewStore
from ncii_desk.gui.tasks import NextStep, ProblemsOf, TaskManager
from ncii_desk.services.jobs import Job
from ncii_desk.services.types import CaseStore

T = TypeVar("T")


class AppContext(QObject):
    #: A case's data changed (items, matches, requests...): "" means "cases in general".
    case_changed = Signal(str)
    preferences_changed = Signal()
    #: Check now: compare a case's items that were not checked yet (a cancelled add).
    check_unhashed = Signal(str)

    def __init__(
        self,
        vault: CaseStore,
        tasks: TaskManager,
        previews: PreviewStore,
        parent_widget: QWidget | None = None,
    ) -> None:
        super().__init__()
        self.vault: CaseStore | None = vault
        self.tasks = tasks
        self.previews = previews
        self.preferences = Preferences()
        self.thresholds: Thresholds | None = None
        #: "system", "light" or "dark" (a vault setting; see theme.py).
        self.color_scheme = "system"
        self._parent_widget = parent_widget

    @property
    def alive(self) -> bool:
        return self.vault is not None

    def close(self) -> None:
        self.vault = None

    def report(self, error: NciiDeskError) -> None:
        if self.alive:
            show_error(self._parent_widget, error)

    def read(
        self,
        fn: Callable[[CaseStore], T],
        on_ok: Callable[[T], None],
        on_error: Callable[[NciiDeskError], None] | None = None,
        *,
        owner: QObject | None = None,
    ) -> None:
        """A quick vault call on the pool; ``on_ok`` runs on the GUI thread if the vault is
        still unlocked and ``owner`` (the screen that asked) still exists."""
        vault = self.vault
        if vault is None:
            return

        def ok(result: Any) -> None:
            if self.vault is vault and workers.alive(owner):
                on_ok(result)

        def bad(error: NciiDeskError) -> None:
            if self.vault is vault and workers.alive(owner):
                (on_error or self.report)(error)

        workers.start(lambda _job: fn(vault), ok, bad)

    def task(
        self,
        label: str,
        fn: Callable[[CaseStore, Job], T],
        *,
        on_done: Callable[[T], None] | None = None,
        problems_of: ProblemsOf | None = None,
        summary: Callable[[T], str] | None = None,
        on_failed: Callable[[NciiDeskError], None] | None = None,
        owner: QObject | None = None,
        next_step: NextStep | None = None,
    ) -> workers.Worker | None:
        """A long vault task with a progress row, a count and a Cancel button."""
        vault = self.vault
        if vault is None:
            return None

        def done(result: Any) -> None:
            if self.vault is vault and on_done is not None and workers.alive(owner):
                on_done(result)

        def failed(error: NciiDeskError) -> None:
            if self.vault is vault and on_failed is not None and workers.alive(owner):
                on_failed(error)

        return self.tasks.start(
            label,
            lambda job: fn(vault, job),
            on_done=done,
            on_failed=failed,
            problems_of=problems_of,
            summary=summary,
            next_step=next_step,
        )
