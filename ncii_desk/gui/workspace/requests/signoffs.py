"""A clinic case's letter sign-offs as the Requests pane shows them.

``state`` is the case's :class:`ncii_desk.services.signoff.CaseSignOffs` (None until read);
where sign-off does not apply (a laptop vault) nothing is shown and nothing changes.
"""

from __future__ import annotations

from typing import Any

from ncii_desk.gui.common import QT_TRANSLATE_NOOP, local_time, translate

#: A request's sign-off state -> the words added to its status.
SIGN_OFF_TEXT = {
    "valid": QT_TRANSLATE_NOOP("Requests", "signed off"),
    "letter changed since": QT_TRANSLATE_NOOP("Requests", "changed since its sign-off"),
    "signature invalid": QT_TRANSLATE_NOOP("Requests", "sign-off not valid"),
    "needed": QT_TRANSLATE_NOOP("Requests", "needs a sign-off"),
}


def sign_off_applies(state: Any | None) -> bool:
    return state is not None and bool(state.applies)


def sign_offs_of(state: Any | None, view: Any) -> list[Any]:
    if state is None or not sign_off_applies(state):
        return []
    return list(state.by_request.get(view.id, []))


def signed_off(state: Any | None, view: Any | None) -> bool:
    return view is not None and any(s.verdict == "valid" for s in sign_offs_of(state, view))


def sign_off_text(state: Any | None, view: Any) -> str:
    """The request's sign-off state in a few words ("" where sign-off does not apply)."""
    if state is None or not sign_off_applies(state):
        return ""
    verdicts = {s.verdict for s in sign_offs_of(state, view)}
    for verdict in ("valid", "letter changed since", "signature invalid"):
        if verdict in verdicts:
            return translate("Requests", SIGN_OFF_TEXT[verdict])
    if view.state == "draft" and state.required:
        return translate("Requests", SIGN_OFF_TEXT["needed"])
    return ""


def sign_off_history(state: Any | None, view: Any) -> list[str]:
    """The request's sign-offs with their verdicts, for its History tab."""
    found = sign_offs_of(state, view)
    if not found:
        return []
    lines = ["", translate("Requests", "Sign-offs:")]
    for so in found:
        reason = f"  ({so.reason})" if so.reason else ""
        lines.append(f"  {local_time(so.created_at)}  {so.member_id[:12]}  {so.verdict}{reason}")
    return lines


def sign_off_buttons(state: Any | None, view: Any | None) -> tuple[bool, bool, bool]:
    """(may be marked sent as far as sign-off goes, Sign off shown, Sign off enabled)."""
    shown = sign_off_applies(state)
    signed = signed_off(state, view)
    needed = shown and bool(getattr(state, "required", False)) and view is not None
    enabled = (
        shown
        and bool(getattr(state, "can_sign", False))
        and view is not None
        and view.state == "draft"
        and bool(view.has_documents)
        and not signed
    )
    return not (needed and not signed), shown, enabled
