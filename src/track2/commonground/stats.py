"""Small-sample statistics used by Pol.is (polismath/math/stats.clj) and ARI for evaluation."""

from __future__ import annotations

import numpy as np

# One-sided 90% critical value of the standard normal, as hard-coded in stats.clj z-sig-90?.
Z_90 = 1.2816


def prop_test(successes: np.ndarray, trials: np.ndarray) -> np.ndarray:
    """Pol.is one-proportion z-like score with a +1 pseudocount: 2·√(n+1)·((s+1)/(n+1) − ½)."""
    s = np.asarray(successes, dtype=np.float64) + 1.0
    n = np.asarray(trials, dtype=np.float64) + 1.0
    return 2.0 * np.sqrt(n) * (s / n - 0.5)


def two_prop_test(
    succ_in: np.ndarray, succ_out: np.ndarray, pop_in: np.ndarray, pop_out: np.ndarray
) -> np.ndarray:
    """Pol.is two-proportion z-test with +1 pseudocounts on all four counts (stats.clj).

    Pol.is returns 0 when the pooled proportion is exactly 1 (the test is undefined there);
    we do the same so that results match.
    """
    s1 = np.asarray(succ_in, dtype=np.float64) + 1.0
    s2 = np.asarray(succ_out, dtype=np.float64) + 1.0
    n1 = np.asarray(pop_in, dtype=np.float64) + 1.0
    n2 = np.asarray(pop_out, dtype=np.float64) + 1.0
    pi1, pi2 = s1 / n1, s2 / n2
    pooled = (s1 + s2) / (n1 + n2)
    var = pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)
    out = np.zeros(np.broadcast(s1, s2, n1, n2).shape, dtype=np.float64)
    ok = pooled != 1.0
    np.divide(pi1 - pi2, np.sqrt(np.where(ok, var, 1.0)), out=out, where=ok)
    return out


def is_significant_90(z: np.ndarray | float) -> np.ndarray:
    """True where a z score is significant at 90% (one-sided, "greater")."""
    return np.asarray(z) > Z_90


def adjusted_rand_index(labels_a: np.ndarray, labels_b: np.ndarray) -> float:
    """Adjusted Rand index of two labelings of the same items (Hubert & Arabie 1985)."""
    a = np.asarray(labels_a)
    b = np.asarray(labels_b)
    if a.shape != b.shape:
        raise ValueError("labelings must have the same length")
    n = len(a)
    if n < 2:
        return 1.0
    _, ai = np.unique(a, return_inverse=True)
    _, bi = np.unique(b, return_inverse=True)
    table = np.zeros((ai.max() + 1, bi.max() + 1), dtype=np.int64)
    np.add.at(table, (ai, bi), 1)

    def pairs(x: np.ndarray) -> float:
        return float(np.sum(x * (x - 1)) / 2.0)

    index = pairs(table)
    sum_a = pairs(table.sum(axis=1))
    sum_b = pairs(table.sum(axis=0))
    total = n * (n - 1) / 2.0
    expected = sum_a * sum_b / total
    maximum = (sum_a + sum_b) / 2.0
    if maximum == expected:
        return 1.0
    return (index - expected) / (maximum - expected)
