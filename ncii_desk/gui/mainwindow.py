"""The main window: gate → case list → case workspace, with Quick exit always in reach.

The window title never names a case or a client (it shows in task bars and screen shares).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDockWidget,
    QMainWindow,
    QStackedWidget,
    QToolBar,
    QWidget,
)

from ncii_desk.errors import NciiDeskError
from ncii_desk.gui import heap
from ncii_desk.gui.about import AboutDialog
from ncii_desk.gui.common import ElidedLine, name_qt_internal_buttons, show_error
from ncii_desk.gui.config import (
    LocalConfig,
    Preferences,
    Thresholds,
    load_preferences,
    load_thresholds,
)
from ncii_desk.gui.context import AppContext
from ncii_desk.gui.dashboard import DashboardPage, NewCaseWizard
from ncii_desk.gui.gate import GatePage
from ncii_desk.gui.guard import QUICK_EXIT_SHORTCUT, InputGuard
from ncii_desk.gui.handover import HandoverActions
from ncii_desk.gui.passphrase import NewPassphraseDialog
from ncii_desk.gui.safeview import PreviewStore
from ncii_desk.gui.tasks import TaskManager, TaskPanel
from ncii_desk.gui.theme import apply_color_scheme
from ncii_desk.i18n import said
from ncii_desk.services import cases
from ncii_desk.services import clinic as clinic_service
from ncii_desk.services import settings as service_settings
from ncii_desk.services.types import CaseStore
from ncii_desk.services.views import CaseView

if TYPE_CHECKING:
    # Loaded when first needed (a case opened, Settings opened), after the first paint.
    from ncii_desk.gui.workspace import CaseWorkspace

APP_TITLE = "NCII Desk"


def settings_keys() -> list[QKeySequence]:
    """The keys that open Settings: the platform's preferences key, and Ctrl+, (Cmd+, on a
    Mac) on every platform."""
    keys = [k for k in QKeySequence.keyBindings(QKeySequence.StandardKey.Preferences)]
    comma = QKeySequence("Ctrl+,")
    if all(k != comma for k in keys):
        keys.append(comma)
    return keys


class MainWindow(QMainWindow):
    def __init__(
        self,
        vault_dir: Path | None = None,
        *,
        local: LocalConfig | None = None,
        quit_on_quick_exit: bool = False,
    ) -> None:
        super().__init__()
        self.local = local or LocalConfig.load()
        self.local.apply_models_dir()
        self.vault_dir = vault_dir or self.local.effective_vault_dir()
        self.quit_on_quick_exit = quit_on_quick_exit
        self.vault: CaseStore | None = None
        self.ctx: AppContext | None = None
        self.workspace: CaseWorkspace | None = None
        # Before unlocking, the computer's scheme; after, the one chosen in Settings.
        self._dark = apply_color_scheme("system")
        self.gate: GatePage | None = None
        self.setWindowTitle(APP_TITLE)
        self.resize(1200, 780)
        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        self.previews = PreviewStore(lambda: self.ctx.vault if self.ctx else None)
        self.task_panel = TaskPanel()
        self.tasks = TaskManager(self.task_panel)
        # The heap is settled while tasks run and when the last one ends (gui/heap.py).
        self.heap = heap.HeapKeeper(lambda: self.ctx is not None, self)
        self.tasks.active_changed.connect(self.heap.tasks_changed)
        self.dock = QDockWidget(self.tr("Tasks"), self)
        self.dock.setObjectName("tasks")
        self.dock.setWidget(self.task_panel)
        self.dock.setTitleBarWidget(self.task_panel.summary_bar)
        self.dock.setAccessibleName(self.tr("Tasks"))
        self.dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
        )
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)
        self.dock.hide()
        self.task_panel.hide_button.clicked.connect(self.dock.close)
        # Fitted once the layout has taken in what changed (one fit for a burst of changes).
        self._dock_fit = QTimer(self)
        self._dock_fit.setSingleShot(True)
        self._dock_fit.setInterval(0)
        self._dock_fit.timeout.connect(self._fit_dock)
        self.task_panel.resized.connect(self._dock_fit.start)
        self.dock.visibilityChanged.connect(lambda shown: shown and self._dock_fit.start())
        self.tasks.started.connect(lambda _label: self.dock.show())
        self.tasks.active_changed.connect(self._tasks_changed)
        self.dashboard = DashboardPage(self.open_case, self.new_case)
        self.stack.addWidget(self.dashboard)
        self._build_toolbar()
        self._build_menus()
        # One line, shortened when the window is narrow (a long warning never widens it).
        self.status = ElidedLine(name=self.tr("Status"))
        self.statusBar().addWidget(self.status, 1)
        self.guard = InputGuard(self)
        self.guard.idle.connect(self.idle_lock)
        self.guard.quick_exit.connect(self.quick_exit)
        QApplication.styleHints().colorSchemeChanged.connect(lambda _s: self._scheme_changed())
        self.show_gate()

    def _build_toolbar(self) -> None:
        bar = QToolBar(self.tr("Main"))
        bar.setObjectName("main-toolbar")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        self.quick_exit_action = QAction(self.tr("Quick exit"), self)
        self.quick_exit_action.setShortcut(QKeySequence(QUICK_EXIT_SHORTCUT))
        self.quick_exit_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.quick_exit_action.setToolTip(
            self.tr(
                "Hide NCII Desk at once and lock the vault ({keys}, or press Esc twice)."
            ).format(keys=QUICK_EXIT_SHORTCUT)
        )
        self.quick_exit_action.triggered.connect(self.quick_exit)
        self.cases_action = QAction(self.tr("All cases"), self)
        # Alt+Home: the "home page" key of web browsers.
        self.cases_action.setShortcut(QKeySequence("Alt+Home"))
        self.cases_action.setToolTip(self.tr("Back to the list of cases (Alt+Home)."))
        self.cases_action.triggered.connect(self.show_dashboard)
        self.new_case_action = QAction(self.tr("New case..."), self)
        self.new_case_action.setShortcut(QKeySequence.StandardKey.New)
        self.new_case_action.setToolTip(
            self.tr("Start a new case ({keys}).").format(
                keys=QKeySequence(QKeySequence.StandardKey.New).toString(
                    QKeySequence.SequenceFormat.NativeText
                )
            )
        )
        self.new_case_action.triggered.connect(self.new_case)
        self.settings_action = QAction(self.tr("Settings..."), self)
        # The platform's own key (Cmd+, on a Mac) and Ctrl+, everywhere: Windows and some
        # Linux desktops have no standard key for preferences.
        self.settings_action.setShortcuts(settings_keys())
        self.settings_action.setToolTip(self.tr("Open Settings (Ctrl+,)."))
        self.settings_action.triggered.connect(self.open_settings)
        self.lock_action = QAction(self.tr("Lock"), self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.setToolTip(self.tr("Lock the vault now (Ctrl+L)."))
        self.lock_action.triggered.connect(self.lock)
        self.tasks_action = self.dock.toggleViewAction()
        self.tasks_action.setText(self.tr("Tasks"))
        # Ctrl+J: the key web browsers use for their list of downloads in progress.
        self.tasks_action.setShortcut(QKeySequence("Ctrl+J"))
        self.tasks_action.setToolTip(self.tr("Show or hide the progress of long tasks (Ctrl+J)."))
        # Asked for by hand: show the details too, not only the summary line.
        self.tasks_action.triggered.connect(self._tasks_asked_for)
        bar.addAction(self.quick_exit_action)
        bar.addSeparator()
        for action in (
            self.cases_action,
            self.new_case_action,
            self.tasks_action,
            self.settings_action,
            self.lock_action,
        ):
            bar.addAction(action)
        self.toolbar = bar
        quick = bar.widgetForAction(self.quick_exit_action)
        quick.setAccessibleName(self.tr("Quick exit: hide and lock now"))
        quick.setObjectName("quick-exit")
        font = quick.font()
        font.setBold(True)
        quick.setFont(font)

    def _build_menus(self) -> None:
        self.handover = HandoverActions(self)  # the Case menu: export / import a case
        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        self.about_action = QAction(self.tr("&About NCII Desk"), self)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.about_action.triggered.connect(self.show_about)
        help_menu.addAction(self.about_action)
        self.help_menu = help_menu
        self.about_dialog: AboutDialog | None = None

    def show_about(self) -> None:
        """Version, licence and third-party notices (no case data: works while locked)."""
        if self.about_dialog is None:
            self.about_dialog = AboutDialog(self)
        self.about_dialog.show()
        self.about_dialog.raise_()

    # -- pages --

    def _set_unlocked_actions(self, on: bool) -> None:
        for action in (
            self.cases_action,
            self.new_case_action,
            self.settings_action,
            self.lock_action,
        ):
            action.setEnabled(on)

    def show_gate(self) -> None:
        self.gate = GatePage(self.vault_dir, self.unlocked, self.change_vault_folder)
        self.stack.addWidget(self.gate)
        self.stack.setCurrentWidget(self.gate)
        self.gate.passphrase.setFocus()
        self._set_unlocked_actions(False)
        name_qt_internal_buttons(self)

    def _drop_gate(self) -> None:
        if self.gate is not None:
            self.gate.abandon()
            self.stack.removeWidget(self.gate)
            self.gate.deleteLater()
            self.gate = None

    def change_vault_folder(self, folder: Path) -> None:
        self.local.vault_dir = str(folder)
        try:
            self.local.save()
        except OSError as exc:
            self.status.setText(
                self.tr("The folder choice could not be saved: {why}").format(why=exc.strerror)
            )
        self.vault_dir = folder
        self._drop_gate()
        self.show_gate()

    def unlocked(self, vault: CaseStore) -> None:
        self.vault = vault
        recovered = self.gate is not None and self.gate.opened_with_recovery
        self._drop_gate()
        self.ctx = AppContext(vault, self.tasks, self.previews, self)
        self.ctx.case_changed.connect(lambda _cid: self.refresh_cases())
        self.ctx.preferences_changed.connect(self.apply_preferences)
        self._set_unlocked_actions(True)
        # What opening repaired, said in the window's language (the vault writes English).
        report = getattr(vault, "report", None)  # a laptop vault's opening report
        warnings = [said(w) for w in getattr(report, "warnings", [])]
        opened = (
            self.tr("Clinic cases opened.")
            if clinic_service.is_clinic_store(vault)
            else self.tr("Vault unlocked.")
        )
        self.status.setText(" ".join(warnings) if warnings else opened)
        self.show_dashboard()
        self.apply_preferences()
        self.ctx.read(
            lambda v: (load_preferences(v), load_thresholds(v), service_settings.color_scheme(v)),
            self._preferences_loaded,
            owner=self,
        )
        if recovered:
            self.ask_new_passphrase()

    def ask_new_passphrase(self) -> None:
        """After an unlock with the recovery key: choose a new passphrase at once."""
        if self.ctx is None:
            return
        dialog = NewPassphraseDialog(self.ctx, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.new_passphrase_dialog = dialog

    def _preferences_loaded(self, result: tuple[Preferences, Thresholds, str]) -> None:
        if self.ctx is None:
            return
        self.ctx.preferences, self.ctx.thresholds, self.ctx.color_scheme = result
        self.apply_preferences()
        self.heap.settle()  # unlocked and shown: keep it out of later collections

    def _scheme_changed(self) -> None:
        """The computer switched between light and dark: follow it unless a look is chosen."""
        if self.ctx is None or self.ctx.color_scheme == "system":
            apply_color_scheme("system")
        self.dashboard.show_cases(self.dashboard.views)

    def apply_preferences(self) -> None:
        if self.ctx is None:
            return
        prefs = self.ctx.preferences
        if apply_color_scheme(self.ctx.color_scheme) != self._dark:
            self._dark = not self._dark
            self.dashboard.show_cases(self.dashboard.views)  # the overdue red follows
        self.previews.configure(prefs.preview, prefs.greyscale, prefs.reveal_seconds)
        self.guard.set_idle_ms(prefs.auto_lock_minutes * 60_000)

    def show_dashboard(self) -> None:
        if self.ctx is None:
            return
        self._drop_workspace()
        self.stack.setCurrentWidget(self.dashboard)
        self.refresh_cases()

    def refresh_cases(self) -> None:
        if self.ctx is not None:
            self.ctx.read(cases.list_cases, self.dashboard.show_cases, owner=self)

    def open_case(self, case_id: str) -> None:
        if self.ctx is None:
            return
        self._drop_workspace()
        from ncii_desk.gui.workspace import CaseWorkspace

        self.workspace = CaseWorkspace(self.ctx, case_id, self.show_dashboard)
        self.stack.addWidget(self.workspace)
        self.stack.setCurrentWidget(self.workspace)
        name_qt_internal_buttons(self.workspace)
        # The keyboard starts at the case header; Tab goes on down the screen from there.
        self.workspace.back_button.setFocus(Qt.FocusReason.OtherFocusReason)
        self.workspace.refresh()

    def _drop_workspace(self) -> None:
        if self.workspace is not None:
            self.stack.removeWidget(self.workspace)
            self.workspace.setParent(None)
            self.workspace.deleteLater()
            self.workspace = None

    # -- dialogs --

    def new_case(self) -> None:
        if self.ctx is None:
            return
        wizard = NewCaseWizard(self)
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        name_qt_internal_buttons(wizard)
        wizard.accepted.connect(lambda: self._create_case(wizard))
        wizard.open()
        self.wizard = wizard

    def _create_case(self, wizard: NewCaseWizard) -> None:
        if self.ctx is None or self.vault is None:
            return
        values = wizard.values(self.vault.actor)
        self.create_case(values)

    def create_case(self, values: dict[str, Any]) -> None:
        if self.ctx is None:
            return

        def create(vault: CaseStore) -> CaseView:
            return cases.new_case(vault, **values)

        def done(view: CaseView) -> None:
            self.refresh_cases()
            self.open_case(view.id)

        self.ctx.read(create, done, owner=self)

    def open_settings(self) -> None:
        if self.ctx is None:
            return
        from ncii_desk.gui.settings import SettingsDialog

        dialog = SettingsDialog(self.ctx, self.local, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        name_qt_internal_buttons(dialog)
        dialog.open()
        self.settings_dialog = dialog

    def show_error(self, error: NciiDeskError) -> None:
        show_error(self, error)

    def _tasks_asked_for(self, shown: bool) -> None:
        if shown:
            self.task_panel.set_expanded(True, by_hand=True)

    def _fit_dock(self) -> None:
        """Give the task panel the height it needs: one line while idle, more while tasks
        run or problems are listed, and never more than about a third of the window."""
        if not self.dock.isVisible():
            return
        bar = self.task_panel.summary_bar.sizeHint().height()
        wanted = bar + self.task_panel.preferred_height()
        self.resizeDocks(
            [self.dock], [min(wanted, max(bar, self.height() // 3))], Qt.Orientation.Vertical
        )

    # -- locking --

    def _tasks_changed(self, active: int) -> None:
        if active:
            self.status.setText(self.tr("{n} task(s) running.").format(n=active))
        else:
            self.status.setText(self.tr("No tasks running."))

    def idle_lock(self) -> None:
        if self.vault is None:
            return
        if self.tasks.active:
            # Long work would be cut short; wait for it, then the idle clock starts again.
            self.guard.restart()
            return
        self.lock()
        self.status.setText(self.tr("Locked after a time without use."))

    def _close_dialogs(self) -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QDialog) and widget.isVisible():
                widget.reject()

    def lock(self) -> None:
        """Lock: cancel tasks, drop previews and screens with case data, forget the keys."""
        self.guard.stop()
        self._close_dialogs()
        ctx, self.ctx = self.ctx, None
        if ctx is not None:
            ctx.close()
        self.tasks.forget()
        self.previews.clear()
        self._drop_workspace()
        self.dashboard.show_cases([])
        vault, self.vault = self.vault, None
        if vault is not None:
            vault.close()
        self._drop_gate()
        self.show_gate()
        self.heap.release()  # all back to the collector: nothing of a case lingers
        self.status.setText(self.tr("Vault locked."))

    def quick_exit(self) -> None:
        """Hide every window at once, then lock and forget everything on screen."""
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QWidget) and widget.isVisible():
                widget.hide()
        QApplication.clipboard().clear()
        self.lock()
        if self.quit_on_quick_exit:
            QTimer.singleShot(0, QCoreApplication.quit)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.lock()
        self._drop_gate()
        self.guard.detach()
        super().closeEvent(event)
