"""Pol.is PCA: column-mean imputation, two principal components, sparsity-aware projection.

Follows polismath/math/pca.clj and the ``:mat`` / ``:pca`` / ``:proj`` steps of
conversation.clj. Pol.is fills every unseen cell with its column mean, centres the columns and
runs power iteration on the centred matrix. After imputation and centring an unseen cell is
exactly 0, so the centred matrix is as sparse as the votes: we keep it sparse and compute the
same two eigenvectors to machine precision with a truncated solver (Lanczos on the sparse
operator; LAPACK's subset solver on the Gram of small statement sets) instead of 100
power-iteration steps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.linalg as la
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from scipy.linalg import lapack

from track2.commonground.matrix import AGREE, DISAGREE, PASS, OnehotVotes, VoteMatrix

# Up to here LAPACK on the small Gram beats ARPACK's set-up cost. On the real conversations
# (stop 36, one thread): 36-80 statements LAPACK 0.23-0.83 ms against ARPACK 0.70-1.07; 174 and
# 197 statements LAPACK 2.37 and 5.70 ms against ARPACK 1.23 and 2.09, the same components within
# 1e-15 (it was 200, which sent those two to the slower solver).
_EIGH_MAX_COLUMNS = 120
_EXACT_MAX_VOTES = 5_000_000  # ARPACK to machine precision up to here; above, _lanczos_top
_BLOCK_VOTES = 1 << 18  # votes per block of CentredVotes's products (1 MB of columns: cached)
_ANSWER_VALUES = np.array([AGREE, DISAGREE, PASS], dtype=np.float64)  # of one-hot column 3 s + o


@dataclass(frozen=True, eq=False)
class PCAResult:
    """Principal components over the analysed statements (columns).

    ``center``: column means after moderation (agree = +1). ``components``: 2 × n_columns unit
    vectors. ``eigenvalues``: the matching eigenvalues of CᵀC (C the centred matrix).
    ``comment_projection`` / ``comment_extremity``: where a participant who agreed with only
    that statement would land, and its distance from the origin (Pol.is uses it in priorities).
    """

    center: np.ndarray
    components: np.ndarray
    eigenvalues: np.ndarray
    comment_projection: np.ndarray
    comment_extremity: np.ndarray


def _column_means(votes: VoteMatrix, excluded: np.ndarray) -> np.ndarray:
    """Each statement's mean vote (agree = 1), 0 for a moderated-out statement."""
    counts = votes.statement_counts
    sums = (counts["agree"] - counts["disagree"]).astype(np.float64)
    seen = counts["seen"].astype(np.float64)
    center = np.zeros(votes.n_statements, dtype=np.float64)
    np.divide(sums, seen, out=center, where=seen > 0)
    center[excluded] = 0.0
    return center


def centred_matrix(votes: VoteMatrix, excluded: np.ndarray) -> tuple[sp.csr_array, np.ndarray]:
    """Centred votes (sparse) and column means, Pol.is style.

    Moderated-out columns are zeroed for everyone (nm/zero-out-columns), so their mean and
    their centred values are 0. Unseen cells are imputed with the column mean, so they are 0
    after centring and stay implicit.
    """
    center = _column_means(votes, excluded)
    # vote - mean written into the gathered means: one float64 array per vote, not two
    data = center[votes.indices]
    np.subtract(votes.values, data, out=data)
    if excluded.any():
        data[excluded[votes.indices]] = 0.0
    return votes.to_csr(data=data), center


class CentredVotes:
    """The centred votes C of :func:`centred_matrix` as an operator over the votes' one-hot
    layout, without a float per vote: what the principal components and the projection
    multiply by above _EXACT_MAX_VOTES.

    ``C @ x`` sums over each participant's votes (value − c_s) x_s: with one weight per
    statement and answer, w[3 s + o] = (value(o) − c_s) x_s, it is the one-hot times w — the
    same products added in the same order as C's own, so bit for bit C's. ``C.T @ y`` sums y
    over the voters of each statement and answer, then combines a statement's three sums
    (within ~1e-13 of C's, added in another order). The one-hot is multiplied in blocks of
    _BLOCK_VOTES votes sharing one ones array: 4 bytes a vote (the int32 columns, often a
    caller's one-hot that is there anyway) instead of C's 8, and each product about 20 % faster
    at 1M × 5k (docs/benchmarks.md). Moderated-out statements weigh 0, as C zeroes them."""

    def __init__(self, onehot: OnehotVotes, center: np.ndarray, excluded: np.ndarray) -> None:
        n_all = len(onehot.indptr) - 1
        rows, statements = onehot.rows, onehot.statements
        self.shape = (n_all if rows is None else len(rows), len(center))
        onehot.require_shape(self.shape[0], len(center))
        self.nnz = int(onehot.indptr[-1])
        self._rows, self._statements, self._n_all = rows, statements, n_all
        self._m_all = onehot.n_statements
        # value(o) − c_s for every statement and answer; 0 for a moderated-out statement
        self._scale = _ANSWER_VALUES[None, :] - center[:, None]
        self._scale[excluded] = 0.0
        self._blocks = onehot.blocks(_BLOCK_VOTES)

    def _weights(self, x: np.ndarray) -> np.ndarray:
        """w[3 s + o] = (value(o) − c_s) x_s over the one-hot's statements, a column per
        column of ``x``."""
        weights = self._scale[:, :, None] * x.reshape(len(x), 1, -1)
        if self._statements is not None:
            placed = np.zeros((self._m_all, 3, weights.shape[2]))
            placed[self._statements] = weights
            weights = placed
        return weights.reshape(3 * self._m_all, -1)

    def _combined(self, sums: np.ndarray) -> np.ndarray:
        """Per analysed statement, the sums per answer weighted by value(o) − c_s."""
        per_answer = sums.reshape(self._m_all, 3)
        if self._statements is not None:
            per_answer = per_answer[self._statements]
        return np.add.reduce(self._scale * per_answer, axis=1)

    def gram_times(self, x: np.ndarray) -> np.ndarray:
        """``C.T @ (C @ x)`` block by block, each block's two products while its columns are
        still in the cache: what Lanczos multiplies by, 11 % faster than the two whole passes
        (docs/benchmarks.md, stop 41) and the same numbers bit for bit. A row of the one-hot
        that is not analysed has no vote, so it adds nothing."""
        w = self._weights(x)[:, 0]
        sums = np.zeros(3 * self._m_all)
        for _, _, block, flipped in self._blocks:
            sums += flipped @ (block @ w)
        return self._combined(sums)

    def __matmul__(self, x: np.ndarray) -> np.ndarray:
        """``C @ x`` for a vector or a matrix of a few columns."""
        w = self._weights(x)
        out = np.empty((self._n_all, w.shape[1]))
        for first, stop, block, _ in self._blocks:
            out[first:stop] = block @ w
        if self._rows is not None:
            out = out[self._rows]
        return out.reshape(self.shape[0], *x.shape[1:])

    def rmatvec(self, y: np.ndarray) -> np.ndarray:
        """``C.T @ y`` for a vector over the analysed participants."""
        if self._rows is not None:
            spread = np.zeros(self._n_all)
            spread[self._rows] = y
            y = spread
        sums = np.zeros(3 * self._m_all)
        for first, stop, _, flipped in self._blocks:
            sums += flipped @ y[first:stop]
        return self._combined(sums)

    def to_csr(self) -> sp.csr_array:
        """C itself, 12 bytes a vote: for the fallback that needs CᵀC."""
        where = np.arange(self.shape[1]) if self._statements is None else self._statements
        scale = np.zeros((self._m_all, 3))
        scale[where] = self._scale
        renumber = np.zeros(self._m_all, dtype=np.int32)
        renumber[where] = np.arange(self.shape[1], dtype=np.int32)
        pieces = []
        for _, _, block, _ in self._blocks:
            statement, answer = np.divmod(block.indices, 3)
            pieces.append(
                sp.csr_array(
                    (scale[statement, answer], renumber[statement], block.indptr.copy()),
                    shape=(block.shape[0], self.shape[1]),
                )
            )
        whole = sp.vstack(pieces, format="csr") if pieces else sp.csr_array((0, self.shape[1]))
        return sp.csr_array(whole[self._rows]) if self._rows is not None else whole


def centred_votes(
    votes: VoteMatrix, excluded: np.ndarray, onehot: OnehotVotes | None = None
) -> tuple[sp.csr_array | CentredVotes, np.ndarray]:
    """:func:`centred_matrix`, or above _EXACT_MAX_VOTES votes and _EIGH_MAX_COLUMNS
    statements (where the components come from Lanczos's products alone) the same C as
    :class:`CentredVotes` over ``onehot`` (built here when not given)."""
    if votes.n_votes <= _EXACT_MAX_VOTES or votes.n_statements <= _EIGH_MAX_COLUMNS:
        return centred_matrix(votes, excluded)
    if onehot is None:
        onehot = OnehotVotes(votes.compact_indptr, votes.onehot_columns(), votes.n_statements)
    center = _column_means(votes, excluded)
    return CentredVotes(onehot, center, excluded), center


def dense_centred_matrix(votes: VoteMatrix, excluded: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`centred_matrix` as a dense array, for a small room: every step after it (the
    Gram, the projection) is then one BLAS call on a few thousand cells instead of a scipy
    sparse construction and product, each of which costs more in fixed overhead."""
    counts = votes.statement_counts
    seen = counts["seen"]
    center = (counts["agree"] - counts["disagree"]) / np.maximum(seen, 1)
    if excluded.any():
        center[excluded] = 0.0
    dense = np.zeros(votes.shape)
    dense[votes.vote_rows, votes.indices] = votes.values - center[votes.indices]
    if excluded.any():
        dense[:, excluded] = 0.0
    return dense, center


def _orient(components: np.ndarray, start_vectors: np.ndarray | None) -> np.ndarray:
    """Fix the arbitrary sign of each component.

    With start vectors (Pol.is's previous components) the sign that agrees with them is kept,
    as power iteration from them would. Otherwise the largest-magnitude entry is made positive.
    """
    out = components.copy()
    for c in range(out.shape[0]):
        if start_vectors is not None and c < len(start_vectors):
            ref = start_vectors[c]
            if float(np.dot(out[c], ref)) < 0:
                out[c] = -out[c]
        else:
            j = int(np.argmax(np.abs(out[c])))
            if out[c, j] < 0:
                out[c] = -out[c]
    return out


def _start_vector(m: int, start_vectors: np.ndarray | None) -> np.ndarray:
    """ARPACK's start vector: the previous components combined (a warm start: the Krylov space
    then holds both almost at once), else ones (deterministic; Pol.is also starts from ones)."""
    if start_vectors is not None and len(start_vectors):
        v0 = np.asarray(start_vectors[0], dtype=np.float64).copy()
        if len(start_vectors) > 1:
            v0 += 0.5 * np.asarray(start_vectors[1], dtype=np.float64)
        if np.all(np.isfinite(v0)) and np.any(v0):
            return v0
    return np.ones(m)


def _exact_top(gram: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The top ``k`` eigenpairs by LAPACK's subset solver (dsyevr), called directly: bit for
    bit what ``scipy.linalg.eigh(gram, subset_by_index=...)`` returns (same driver, same work
    sizes) without its argument checks, which cost as much as the solve on a small room's
    Gram after every vote."""
    m = gram.shape[0]
    lwork, liwork, info = lapack.dsyevr_lwork(m, lower=1)
    if info == 0:
        vals, vecs, _, _, info = lapack.dsyevr(
            np.asarray(gram, dtype=np.float64),
            compute_v=1,
            range="I",
            il=m - k + 1,
            iu=m,
            lower=1,
            lwork=lwork,
            liwork=liwork,
        )
    if info != 0:  # LAPACK failed to converge: let scipy raise its own error
        vals, vecs = la.eigh(gram, subset_by_index=[m - k, m - 1])
    vals, vecs = vals[:k], vecs[:, :k]
    order = np.argsort(vals)[::-1]
    return vecs[:, order].T.copy(), vals[order]


_LARGE_TOL = 1e-12  # above _EXACT_MAX_VOTES: each Ritz pair's residual relative to its value
_LANCZOS_STEPS = 400  # at most this many products before falling back to ARPACK


def _lanczos_top(
    matvec: Callable[[np.ndarray], np.ndarray], m: int, k: int, v0: np.ndarray, tol: float
) -> tuple[np.ndarray, np.ndarray] | None:
    """The top ``k`` eigenpairs of a symmetric operator by Lanczos with full
    reorthogonalisation and no restart, stopping at the first step where every wanted Ritz pair
    has a residual within ``tol`` of its eigenvalue (the residual is beta_j |last entry of the
    tridiagonal's eigenvector|, so checking costs no product). ARPACK's implicit restarts
    checked only at the end of each cycle and threw part of the Krylov space away: at 1M x 5k
    they needed 32 and 42 products at 1e-10 where this needs 26 and 33 at 1e-12
    (docs/benchmarks.md). The basis is a few hundred vectors of ``m`` (statements), so full
    reorthogonalisation is cheap beside one product over every vote. None when it does not
    converge within _LANCZOS_STEPS products (the caller falls back to ARPACK)."""
    steps = min(_LANCZOS_STEPS, m)
    basis = np.empty((steps + 1, m))
    alpha: list[float] = []
    beta: list[float] = []
    norm = float(np.linalg.norm(v0))
    if not norm > 0:
        return None
    basis[0] = v0 / norm
    for j in range(steps):
        w = matvec(basis[j])
        alpha.append(float(w @ basis[j]))
        done = basis[: j + 1]
        for _ in range(2):  # twice is enough to keep the basis orthogonal to machine precision
            w -= done.T @ (done @ w)
        b = float(np.linalg.norm(w))
        if j == 0:
            theta, vectors = np.array(alpha), np.ones((1, 1))
        else:
            theta, vectors = la.eigh_tridiagonal(np.array(alpha), np.array(beta))
        top = np.argsort(theta)[::-1][:k]
        if len(top) == k and all(b * abs(vectors[j, i]) <= tol * abs(theta[i]) for i in top):
            return (done.T @ vectors[:, top]).T.copy(), theta[top]
        if not b > 1e-14 * abs(theta).max():  # an invariant subspace without k pairs
            return None
        beta.append(b)
        basis[j + 1] = w / b
    return None


def top_components(
    centred: sp.csr_array | CentredVotes | np.ndarray,
    n_components: int,
    start_vectors: np.ndarray | None = None,
    *,
    gram: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The leading eigenvectors (rows) and eigenvalues of CᵀC, largest first.

    Only the two leading pairs are needed, so the solver is truncated: implicitly restarted
    Lanczos (ARPACK ``eigsh``) on the sparse operator v ↦ Cᵀ(Cv), never forming CᵀC, run to
    machine precision (``tol=0``), so the vectors equal a full dense eigensolve to ~1e-14. Above
    5M votes, where each product is a pass over every vote, Lanczos without restarts
    (:func:`_lanczos_top`) stops at a residual of 1e-12 of each eigenvalue: 20-25 % fewer
    products, components within ~3e-13 of machine precision on the 1M x 5k shapes. On 2,000 ×
    900 ARPACK takes ~6 ms against ~95 ms for LAPACK on the 900 × 900 Gram; from the previous
    components (``start_vectors``) about half that. Small statement sets (≤ 120 columns) use
    LAPACK's subset solver on the small Gram, which is faster there.

    ``gram``: CᵀC already at hand (a live update keeps it, patching the rows of the statements
    that got votes); Lanczos then multiplies by the dense Gram, which for a few hundred
    statements costs far less than two sparse products over every vote.
    """
    n, m = centred.shape
    k = min(n_components, n, m)
    if isinstance(centred, np.ndarray):
        return _dense_top(centred, k)
    if m <= _EIGH_MAX_COLUMNS or k >= m - 1:
        return _exact_top(gram if gram is not None else _gram(centred), k)

    if gram is not None:
        dense = gram

        def matvec(v: np.ndarray) -> np.ndarray:
            return dense @ v

    elif isinstance(centred, CentredVotes):
        operator = centred

        def matvec(v: np.ndarray) -> np.ndarray:
            return operator.gram_times(v)

    else:
        transposed = centred.T  # a CSC view of the same arrays: no copy

        def matvec(v: np.ndarray) -> np.ndarray:
            return np.asarray(transposed @ (centred @ v)).ravel()

    v0 = _start_vector(m, start_vectors)
    if centred.nnz > _EXACT_MAX_VOTES:
        found = _lanczos_top(matvec, m, k, v0, _LARGE_TOL)
        if found is not None:
            return found
    op = spla.LinearOperator((m, m), matvec=matvec, dtype=np.float64)
    try:
        vals, vecs = spla.eigsh(op, k=k, which="LA", v0=v0, tol=0.0, ncv=min(m, max(2 * k + 1, 12)))
    except spla.ArpackNoConvergence:
        # Clustered leading eigenvalues can stall Lanczos; the exact solve always answers.
        return _exact_top(gram if gram is not None else _gram(centred), k)
    order = np.argsort(vals)[::-1]
    return vecs[:, order].T.copy(), vals[order]


def _gram(centred: sp.csr_array | CentredVotes) -> np.ndarray:
    """CᵀC as a dense array."""
    whole = centred.to_csr() if isinstance(centred, CentredVotes) else centred
    return np.asarray((whole.T @ whole).toarray())


def _dense_top(centred: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Top ``k`` eigenpairs of CᵀC for a small dense C. With fewer participants than
    statements the eigensolver runs on the smaller CCᵀ, which has the same nonzero
    eigenvalues, and each component is Cᵀu normalised (LAPACK's cost is cubic in the side: a
    room of 40 × 60 solves 40 × 40 instead of 60 × 60). When an eigenvalue is too close to 0
    for Cᵀu to keep its precision, the solve runs on CᵀC."""
    n, m = centred.shape
    if n < m and k < n - 1:
        vecs, vals = _few_top(centred @ centred.T, k)
        if vals[-1] > 1e-8 * vals[0]:
            comps = vecs @ centred
            comps /= np.sqrt(np.add.reduce(comps * comps, axis=1))[:, None]
            return comps, vals
    return _few_top(centred.T @ centred, k)


def _few_top(gram: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The top ``k`` eigenpairs of a small Gram by LAPACK's bisection and inverse iteration
    (dsyevx), which for two pairs of a 40 × 40 matrix costs ~20 % less than dsyevr with its
    workspace query; the same pairs to ~1e-15 (the live path needs no bit-parity with
    scipy's eigh). Falls back to :func:`_exact_top` if LAPACK reports any failure."""
    m = gram.shape[0]
    vals, vecs, found, _, info = lapack.dsyevx(gram, compute_v=1, range="I", il=m - k + 1, iu=m)
    if info != 0 or found != k:
        return _exact_top(gram, k)
    return vecs[:, k - 1 :: -1].T.copy(), vals[k - 1 :: -1].copy()


def gram_rows(centred: sp.csr_array, columns: np.ndarray) -> np.ndarray:
    """Rows ``columns`` of CᵀC (len(columns) × n_columns), from the participants who voted on
    those columns only: a vote changes one column of C (its entry and the column mean), so a
    live update refreshes just these rows (and, by symmetry, columns) of a kept Gram. Every
    entry is a fresh dot product of current columns, so nothing drifts over many updates."""
    m = centred.shape[1]
    out = np.zeros((len(columns), m))
    indptr, indices, data = centred.indptr, centred.indices, centred.data
    n_entries = np.diff(indptr)
    row_of_entry = np.repeat(np.arange(centred.shape[0]), n_entries)
    for t, j in enumerate(np.asarray(columns).tolist()):
        hits = np.flatnonzero(indices == j)
        if not len(hits):
            continue
        rows = row_of_entry[hits]
        starts, lengths = indptr[rows], n_entries[rows]
        ends = np.cumsum(lengths)
        entries = np.arange(ends[-1]) + np.repeat(starts - (ends - lengths), lengths)
        weights = np.repeat(data[hits], lengths) * data[entries]
        out[t] = np.bincount(indices[entries], weights=weights, minlength=m)
    return out


def polis_pca(
    votes: VoteMatrix,
    excluded: np.ndarray,
    *,
    n_components: int = 2,
    start_vectors: np.ndarray | None = None,
    centred: tuple[sp.csr_array | np.ndarray, np.ndarray] | None = None,
    gram: np.ndarray | None = None,
    onehot: OnehotVotes | None = None,
) -> tuple[PCAResult, sp.csr_array | CentredVotes | np.ndarray]:
    """Run Pol.is PCA on ``votes`` (every column is a statement with at least one vote).

    Returns the result and the centred matrix (reused for the projection).
    ``centred``: :func:`centred_matrix` (or, for a small room, :func:`dense_centred_matrix`)
    of the same arguments, when the caller already has it; ``gram``: its CᵀC (see
    :func:`top_components`). ``onehot``: the votes' one-hot, when the caller holds one, for
    :func:`centred_votes` to multiply through above 5M votes.
    """
    operator, center = centred if centred is not None else centred_votes(votes, excluded, onehot)
    comps, vals = top_components(operator, n_components, start_vectors, gram=gram)
    comps = _orient(comps, start_vectors)
    if comps.shape[0] < n_components:  # fewer statements than components: pad with zeros
        pad = np.zeros((n_components - comps.shape[0], comps.shape[1]))
        comps = np.vstack([comps, pad])
        vals = np.concatenate([vals, np.zeros(len(pad))])
    # pca.clj pca-project-cmnts: a participant who agreed with statement j only (one vote).
    m = votes.n_statements
    cproj = np.sqrt(m) * (1.0 - center)[None, :] * comps
    extremity = np.sqrt((cproj**2).sum(axis=0))
    return PCAResult(center, comps, vals, cproj, extremity), operator


def project_participants(
    centred: sp.csr_array | CentredVotes | np.ndarray, pca: PCAResult, n_votes: np.ndarray
) -> np.ndarray:
    """Pol.is sparsity-aware projection: (x − c)·pc over seen cells, × √(n_columns / n_votes).

    ``n_votes`` counts the cells Pol.is treats as seen for each participant (its own votes plus
    every moderated-out column, which Pol.is fills with 0 for everyone).
    """
    m = centred.shape[1]
    raw = np.asarray(centred @ pca.components.T)
    scale = np.sqrt(m / np.maximum(n_votes, 1).astype(np.float64))
    return raw * scale[:, None]
