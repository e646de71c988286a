"""The Qt binding itself: a release that corrupts Python's reference counts would crash the
app in a long session (PySide6 6.12.0 dropped a reference to True on every signal emitted to
a Python slot; CPython 3.11 then aborts with "bool_dealloc")."""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication, QObject, Signal


class _Emitter(QObject):
    bare = Signal()
    number = Signal(int)
    text = Signal(str)


def test_emitting_signals_to_python_slots_keeps_reference_counts() -> None:
    app = QCoreApplication.instance() or QCoreApplication([])
    assert app is not None
    got: list[object] = []
    e = _Emitter()
    e.bare.connect(lambda: None)
    e.number.connect(lambda v: got.append(v))
    e.text.connect(lambda v: None)
    before = (sys.getrefcount(True), sys.getrefcount(False), sys.getrefcount(None))
    for i in range(200):
        e.bare.emit()
        e.number.emit(i)
        e.text.emit("x")
    after = (sys.getrefcount(True), sys.getrefcount(False), sys.getrefcount(None))
    assert len(got) == 200
    # A few references may come or go with the interpreter's own bookkeeping; a binding that
    # leaks or drops one per emit moves by hundreds.
    assert all(abs(a - b) < 50 for a, b in zip(after, before, strict=True)), (before, after)
