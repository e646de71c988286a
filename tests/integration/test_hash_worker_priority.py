"""Hashing processes can run below the program that starts them (the desktop app asks for it
so its window keeps the processor), and a pool started at one priority is not reused for the
other."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from ncii_desk.hashing import pipeline, priority
from ncii_desk.services.jobs import run_hashing_in_background

pytestmark = pytest.mark.skipif(
    not hasattr(os, "getpriority"), reason="this OS has no nice values (Windows)"
)


@pytest.fixture(autouse=True)
def normal_priority() -> Iterator[None]:
    before = priority.worker_nice()
    priority.lower_worker_priority(0)
    yield
    priority.lower_worker_priority(before)


def _worker_nice(count: int) -> int:
    return pipeline._pool(count).submit(os.getpriority, os.PRIO_PROCESS, 0).result(timeout=120)


def test_workers_keep_the_callers_priority_by_default() -> None:
    here = os.getpriority(os.PRIO_PROCESS, 0)
    assert _worker_nice(2) == here


def test_background_workers_run_at_a_lower_priority() -> None:
    here = os.getpriority(os.PRIO_PROCESS, 0)
    if here >= 19:
        pytest.skip("this test process already runs at the lowest priority")
    normal = pipeline._pool(2)
    run_hashing_in_background()
    assert priority.worker_nice() == priority.BACKGROUND_NICE
    lowered = pipeline._pool(2)
    assert lowered is not normal  # the normal-priority pool is not handed out for it
    got = lowered.submit(os.getpriority, os.PRIO_PROCESS, 0).result(timeout=120)
    assert got == min(19, here + priority.BACKGROUND_NICE)
    # and hashing through it still works
    results = list(pipeline.hash_many([Path(__file__)], workers=2))
    assert len(results) == 1 and results[0].sha256


def test_the_nice_value_is_clamped() -> None:
    priority.lower_worker_priority(99)
    assert priority.worker_nice() == 19
    priority.lower_worker_priority(-5)
    assert priority.worker_nice() == 0
