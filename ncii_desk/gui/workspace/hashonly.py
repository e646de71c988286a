"""Keeping an item already stored as hashes only: the plain explanation and the confirmation.

The advocate sees what will happen (the file is deleted from the vault for good, the hashes
stay; copies of the same file are switched too; a web archive that holds it goes) and a
reason to record, then confirms. Cancel is the default button.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ncii_desk.gui.common import plain_label, translate
from ncii_desk.services.items import HashOnlyPlan
from ncii_desk.services.views import ItemView


def hash_only_explanation() -> str:
    return translate(
        "HashOnly",
        "Use this when the picture or video may show a person under 18. The file is deleted "
        "from the vault for good; only its hashes and details are kept, so copies can still "
        "be found, matched and reported. No preview is shown again, and the file cannot be "
        "revealed or exported. Faces picked in it are removed too. This cannot be undone.",
    )


class HashOnlyDialog(QDialog):
    """Asks to confirm, with a reason; ``reason()`` after it was accepted."""

    def __init__(
        self, view: ItemView, plan: HashOnlyPlan, case_id: str, parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self.plan = plan
        self.case_id = case_id
        self.setWindowTitle(self.tr("Keep as hashes only"))
        self.setAccessibleName(self.tr("Keep as hashes only"))
        layout = QVBoxLayout(self)
        name = view.original_filename or view.id[:12]
        layout.addWidget(
            plain_label(
                self.tr("Keep \u201c{name}\u201d as hashes only?").format(name=name),
                name=self.tr("Question"),
            )
        )
        self.explanation = plain_label(hash_only_explanation(), name=self.tr("What happens"))
        layout.addWidget(self.explanation)
        copies = len(plan.copies)
        other = sum(1 for c in plan.copies if c.case_id != case_id)
        details = []
        if copies:
            details.append(
                self.tr("{n} other item(s) hold the same file and are switched too").format(
                    n=copies
                )
                + (
                    self.tr(" ({o} of them in {c} other case(s)).").format(
                        o=other, c=plan.other_cases
                    )
                    if other
                    else "."
                )
            )
        if plan.archives:
            details.append(
                self.tr(
                    "The web archive of {n} capture(s) holds this file and is deleted as "
                    "well (the record of the capture stays)."
                ).format(n=plan.archives)
            )
        self.details = plain_label("\n".join(details), name=self.tr("Also affected"))
        layout.addWidget(self.details)
        layout.addWidget(plain_label(self.tr("Reason (recorded in the activity log):")))
        self.reason_edit = QLineEdit(self.tr("The person in it may be under 18"))
        self.reason_edit.setAccessibleName(self.tr("Reason"))
        self.reason_edit.textChanged.connect(lambda _t: self._update())
        layout.addWidget(self.reason_edit)
        self.buttons = QDialogButtonBox()
        self.confirm_button = self.buttons.addButton(
            self.tr("&Delete the file, keep hashes"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.confirm_button.setAccessibleName(self.tr("Delete the file and keep only its hashes"))
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setAccessibleName(self.tr("Cancel"))
        self.cancel_button.setDefault(True)
        self.confirm_button.setAutoDefault(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._update()

    def _update(self) -> None:
        self.confirm_button.setEnabled(bool(self.reason().strip()))

    def reason(self) -> str:
        return self.reason_edit.text().strip()
