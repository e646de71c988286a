"""The figures of ``models evaluate``: exact ROC AUC with ties, the seeded bootstrap interval,
and the ROC points (ncii_desk.services.validation)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from ncii_desk.services.validation import bootstrap_auc_ci, roc_auc, roc_points


def pair_count_auc(real: list[float], fake: list[float]) -> float:
    """The definition: over every (fake, real) pair, 1 when the fake scores higher, 1/2 on a
    tie, 0 otherwise; averaged."""
    total = 0.0
    for f, r in itertools.product(fake, real):
        total += 1.0 if f > r else 0.5 if f == r else 0.0
    return total / (len(real) * len(fake))


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_auc_equals_the_pair_count_with_many_ties(seed: int) -> None:
    rng = np.random.default_rng(seed)
    # scores on a coarse grid: many ties inside and across the classes
    real = (rng.integers(0, 6, size=23) / 5).tolist()
    fake = (rng.integers(1, 7, size=17) / 6).tolist()
    assert roc_auc(real, fake) == pytest.approx(pair_count_auc(real, fake), abs=1e-12)


def test_auc_extremes_and_all_tied() -> None:
    assert roc_auc([0.1, 0.2], [0.3, 0.9]) == 1.0
    assert roc_auc([0.3, 0.9], [0.1, 0.2]) == 0.0
    assert roc_auc([0.5, 0.5, 0.5], [0.5, 0.5]) == 0.5
    with pytest.raises(ValueError):
        roc_auc([], [0.2])


def test_bootstrap_interval_is_seeded_and_contains_the_auc() -> None:
    rng = np.random.default_rng(7)
    real = rng.normal(0.3, 0.15, 40).tolist()
    fake = rng.normal(0.5, 0.15, 30).tolist()
    auc = roc_auc(real, fake)
    lo, hi = bootstrap_auc_ci(real, fake, resamples=1000, seed=11)
    assert lo < auc < hi and lo >= 0.0 and hi <= 1.0
    assert (lo, hi) == bootstrap_auc_ci(real, fake, resamples=1000, seed=11)
    assert (lo, hi) != bootstrap_auc_ci(real, fake, resamples=1000, seed=12)
    # the resample AUCs use the same definition: a perfectly separated set stays at 1
    assert bootstrap_auc_ci([0.1, 0.2, 0.3], [0.7, 0.8], resamples=200, seed=1) == (1.0, 1.0)


def test_roc_points_run_from_nothing_flagged_to_everything() -> None:
    real, fake = [0.1, 0.4, 0.4, 0.8], [0.4, 0.9]
    points = roc_points(real, fake)
    assert points[0][:2] == (0.0, 0.0) and points[-1][:2] == (1.0, 1.0)
    # at threshold 0.4: real 0.4, 0.4, 0.8 flagged (3 of 4), both fakes flagged
    assert (0.75, 1.0, 0.4) in points
    # the area under the step curve is the AUC (trapezoids count ties as one half)
    xs, ys = zip(*[(p[0], p[1]) for p in points], strict=True)
    assert float(np.trapezoid(ys, xs)) == pytest.approx(roc_auc(real, fake))
