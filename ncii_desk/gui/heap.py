"""Short garbage-collector pauses while the window is open (issue 17: no window pauses).

CPython's full ("oldest generation") collection walks every object it tracks in one go and
holds the interpreter lock throughout. With the window, the vault and the hashing parts
loaded that is over 200,000 objects, and a task thread that set one off (adding 1,000 files)
kept the window waiting for up to 1.4 s on a loaded machine (bench/gui_stalls.py).

So, at quiet moments (the vault just unlocked, no task running any more), everything alive
is collected once and then frozen (:func:`gc.freeze`): the collector leaves frozen objects
alone, and a collection a task sets off later walks only what was made since. Frozen objects
are still freed as soon as nothing refers to them; only a frozen *cycle* that becomes garbage
would wait, so locking (:func:`release`) unfreezes and collects everything: nothing of a case
lingers in memory after the vault is locked.
"""

from __future__ import annotations

import gc


def settle() -> None:
    """Collect once, then keep every object alive now out of later collections."""
    gc.collect()
    gc.freeze()


def release() -> None:
    """Give the frozen objects back to the collector and collect them now (on lock)."""
    gc.unfreeze()
    gc.collect()


def frozen() -> int:
    """How many objects are frozen (0 after :func:`release`)."""
    return gc.get_freeze_count()
