"""The truncated principal-component solver equals a full dense eigensolve (issue 15, item 1)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg as la
import scipy.sparse as sp

from track2.commonground.matrix import VoteMatrix
from track2.commonground.pca import (
    centred_matrix,
    dense_centred_matrix,
    gram_rows,
    polis_pca,
    top_components,
)


def _random_votes(n: int, m: int, density: float, seed: int) -> VoteMatrix:
    rng = np.random.default_rng(seed)
    # Two opinion camps so the leading components are well defined, plus noise.
    camp = rng.integers(0, 2, n)
    leaning = rng.choice([-1, 1], size=(2, m))
    seen = rng.random((n, m)) < density
    agree = rng.random((n, m)) < 0.75
    dense = np.where(agree, leaning[camp], -leaning[camp]).astype(float)
    dense[rng.random((n, m)) < 0.1] = 0.0
    dense[~seen] = np.nan
    return VoteMatrix.from_dense(dense).without_empty()


def _exact(centred: sp.csr_array) -> tuple[np.ndarray, np.ndarray]:
    gram = (centred.T @ centred).toarray()
    vals, vecs = la.eigh(gram)
    return vecs[:, ::-1][:, :2].T, vals[::-1][:2]


def _max_error_up_to_sign(a: np.ndarray, b: np.ndarray) -> float:
    return max(min(np.abs(a[i] - b[i]).max(), np.abs(a[i] + b[i]).max()) for i in range(len(a)))


@pytest.mark.parametrize(
    ("n", "m", "density", "seed"),
    [(60, 250, 0.3, 1), (400, 300, 0.1, 2), (1500, 900, 0.06, 3), (150, 1200, 0.5, 4)],
)
def test_truncated_equals_dense_eigensolve(n: int, m: int, density: float, seed: int) -> None:
    votes = _random_votes(n, m, density, seed)
    centred, _ = centred_matrix(votes, votes.is_excluded)
    assert centred.shape[1] > 200  # the Lanczos path, not the small-Gram one
    vectors, values = top_components(centred, 2)
    exact_vectors, exact_values = _exact(centred)
    assert _max_error_up_to_sign(vectors, exact_vectors) < 1e-9
    np.testing.assert_allclose(values, exact_values, rtol=1e-12)


def test_warm_start_gives_the_same_components_with_the_same_signs() -> None:
    votes = _random_votes(800, 400, 0.1, 5)
    cold, _ = polis_pca(votes, votes.is_excluded)
    flipped = -cold.components  # a previous analysis with the opposite signs
    warm, _ = polis_pca(votes, votes.is_excluded, start_vectors=flipped)
    np.testing.assert_allclose(warm.components, flipped, atol=1e-9)
    np.testing.assert_allclose(warm.eigenvalues, cold.eigenvalues, rtol=1e-12)


def test_small_statement_sets_and_rank_deficient_matrices() -> None:
    # Three statements: the small-Gram path; one identical column twice: rank 2 at most.
    votes = VoteMatrix.from_dense([[1, 1, -1], [-1, -1, 1], [1, 1, 1], [0, 0, np.nan]])
    centred, _ = centred_matrix(votes, votes.is_excluded)
    vectors, values = top_components(centred, 2)
    exact_vectors, exact_values = _exact(centred)
    assert _max_error_up_to_sign(vectors, exact_vectors) < 1e-9
    np.testing.assert_allclose(values, exact_values, atol=1e-9)


def test_gram_rows_and_a_given_gram() -> None:
    # A live update keeps CᵀC and refreshes the rows of the statements that got votes.
    votes = _random_votes(300, 260, 0.2, 5)
    centred, _ = centred_matrix(votes, votes.is_excluded)
    gram = (centred.T @ centred).toarray()
    columns = np.array([0, 17, 259, 17])
    np.testing.assert_allclose(gram_rows(centred, columns), gram[columns], rtol=0, atol=1e-10)
    for size in (260, 150):  # Lanczos on the dense Gram, and the exact solver
        part = centred[:, :size]
        given_vectors, given_values = top_components(part, 2, gram=gram[:size, :size])
        vectors, values = top_components(part, 2)
        assert _max_error_up_to_sign(given_vectors, vectors) < 1e-9
        np.testing.assert_allclose(given_values, values, rtol=1e-12)


@pytest.mark.parametrize("seed", [0, 1])
def test_a_small_rooms_dense_map_equals_the_sparse_one(seed: int) -> None:
    # A live room of a few thousand cells computes the map on the dense centred votes, its
    # eigenpairs on the smaller of CCᵀ and CᵀC (dsyevx); components, eigenvalues and
    # projections must be the sparse path's (exact LAPACK on CᵀC) up to sign, to 1e-10.
    rng = np.random.default_rng(seed)
    for n, m in [(40, 60), (60, 40), (12, 12), (5, 30), (3, 4)]:
        dense = rng.choice([-1.0, 0.0, 1.0, np.nan], size=(n, m), p=[0.3, 0.1, 0.3, 0.3])
        dense[np.arange(n), rng.integers(0, m, n)] = 1.0  # every participant voted
        dense[rng.integers(0, n, m), np.arange(m)] = -1.0  # every statement has a vote
        matrix = VoteMatrix.from_dense(dense, moderated_out=[0] if m > 10 else [])
        excluded = matrix.is_excluded.copy()
        sparse, _ = polis_pca(matrix, excluded)
        small, centred = polis_pca(matrix, excluded, centred=dense_centred_matrix(matrix, excluded))
        assert isinstance(centred, np.ndarray)
        np.testing.assert_allclose(small.eigenvalues, sparse.eigenvalues, rtol=1e-10)
        reference = centred_matrix(matrix, excluded)[0].toarray()
        spectrum = np.sort(la.eigvalsh(reference.T @ reference))[::-1]
        for c in range(2):
            # A component is defined (up to sign) only when its eigenvalue is simple.
            neighbours = [spectrum[c + 1]] + ([spectrum[c - 1]] if c else [])
            if min(abs(spectrum[c] - x) for x in neighbours) < 1e-6 * spectrum[0]:
                continue
            a, b = small.components[c], sparse.components[c]
            assert min(np.abs(a - b).max(), np.abs(a + b).max()) < 1e-10
        np.testing.assert_allclose(dense_centred_matrix(matrix, excluded)[0], reference)
