"""The evaluation's statistics against hand-worked cases and scipy's bootstrap on the same data."""

import math

import numpy as np
import pytest
import scipy.stats

from track2.impact import stats


def test_cohens_d_by_hand():
    # means 2 and 4; sds 1 and 2; pooled sd = sqrt((2·1 + 2·4) / 4) = sqrt(2.5)
    assert stats.cohens_d([1, 2, 3], [2, 4, 6]) == pytest.approx(2 / math.sqrt(2.5))


def test_cohens_dz_by_hand():
    # differences 1, 2, 3: mean 2, sd 1
    assert stats.cohens_dz([1, 2, 3]) == pytest.approx(2.0)


def test_undefined_effect_sizes_are_none():
    assert stats.cohens_d([5, 5], [5, 5]) is None
    assert stats.cohens_dz([2, 2, 2]) is None
    assert stats.cohens_dz([1]) is None


def test_paired_change_by_hand():
    change = stats.paired_change([(1, 2), (2, 4), (3, 6)])
    assert (change.change, change.mean_before, change.mean_after) == (2.0, 2.0, 4.0)
    assert change.effect_kind == "d_z" and change.effect_size == pytest.approx(2.0)
    assert change.n_pairs == 3
    # every resample of the differences {1, 2, 3} has a mean between 1 and 3
    assert 1 <= change.ci_low <= 2 <= change.ci_high <= 3


def test_unpaired_change_by_hand():
    change = stats.unpaired_change([1, 2, 3], [2, 4, 6])
    assert change.change == 2.0 and not change.paired
    assert change.effect_size == pytest.approx(1.2649110640673518)


@pytest.mark.parametrize("seed", [1, 7, 2024])
def test_one_sample_interval_matches_scipy(seed):
    x = np.array([3.0, -1, 4, 1, 5, 9, 2, 6])
    ours = stats.percentile_interval((x,), lambda a: a.mean(axis=-1), n_resamples=4000, seed=seed)
    theirs = scipy.stats.bootstrap(
        (x,), np.mean, method="percentile", n_resamples=4000, rng=np.random.default_rng(seed),
        vectorized=True,
    ).confidence_interval  # fmt: skip
    assert ours == pytest.approx((theirs.low, theirs.high))


def test_two_sample_interval_matches_scipy():
    a, b = np.array([20.0, 35, 40, 28, 33]), np.array([45.0, 50, 38, 61, 55, 49])
    ours = stats.percentile_interval((a, b), lambda x, y: y.mean(-1) - x.mean(-1), seed=3)
    theirs = scipy.stats.bootstrap(
        (a, b), lambda x, y, axis=-1: y.mean(axis) - x.mean(axis), method="percentile",
        n_resamples=stats.N_RESAMPLES, rng=np.random.default_rng(3), vectorized=True,
    ).confidence_interval  # fmt: skip
    assert ours == pytest.approx((theirs.low, theirs.high))


def test_fixed_seed_gives_the_same_interval_every_time():
    pairs = [(30, 45), (40, 41), (22, 50), (35, 60), (50, 52)]
    assert stats.paired_change(pairs) == stats.paired_change(pairs)


def test_change_between_pairs_on_the_pseudonym():
    before = {"a": 10.0, "b": 20.0, "c": 30.0, "x": 90.0}
    after = {"a": 15.0, "b": 30.0, "c": 30.0, "y": 0.0}
    paired = stats.change_between(before, after, min_pairs=3)
    assert paired.paired and paired.n_pairs == 3 and paired.change == pytest.approx(5.0)
    unpaired = stats.change_between(before, after, min_pairs=4)
    assert not unpaired.paired and unpaired.change == pytest.approx(18.75 - 37.5)


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="finite"):
        stats.unpaired_change([1, float("nan")], [2, 3])
    with pytest.raises(ValueError, match="at least one"):
        stats.unpaired_change([], [1])
    with pytest.raises(ValueError, match="confidence"):
        stats.percentile_interval((np.array([1.0, 2]),), np.mean, confidence=1.5)
