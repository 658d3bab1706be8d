"""The centred votes as an operator over the votes' one-hot layout (pca.CentredVotes), which
the Pol.is map multiplies by above 5M votes, against the centred matrix it stands for."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse.linalg as spla

from track2.commonground import pca
from track2.commonground import track2_analysis as track2_analysis_module
from track2.commonground.matrix import OnehotVotes, VoteMatrix
from track2.commonground.pca import CentredVotes, centred_matrix, centred_votes
from track2.commonground.polis import analyze_polis
from track2.commonground.track2_analysis import analyze_track2
from track2.commonground.track2mode import vote_onehot
from track2.simulate.dialogue import SimulationParams, simulate_dialogue


def _awkward_votes(seed: int) -> VoteMatrix:
    """Votes with a participant who cast none, a statement nobody voted on, a moderated-out
    statement and a meta one: every way the analysed matrix and the one-hot differ."""
    rng = np.random.default_rng(seed)
    dense = rng.choice([-1.0, 0.0, 1.0, np.nan], size=(70, 16), p=[0.3, 0.1, 0.3, 0.3])
    dense[4] = np.nan
    dense[:, 9] = np.nan
    return VoteMatrix.from_dense(dense, moderated_out=[2], meta=[11])


def _operators(votes: VoteMatrix) -> dict[str, CentredVotes]:
    """The operator over Track 2's one-hot (votes on excluded statements left out, rows and
    statements of ``votes``) and over the analysed matrix's own layout (every vote)."""
    work = votes.without_empty()
    excluded = work.is_excluded.copy()
    center = pca._column_means(work, excluded)
    track2 = vote_onehot(votes, np.asarray(votes.is_excluded, dtype=bool))
    own = OnehotVotes(work.compact_indptr, work.onehot_columns(), work.n_statements)
    return {
        "track2's one-hot": CentredVotes(OnehotVotes.of(track2, votes), center, excluded),
        "its own layout": CentredVotes(own, center, excluded),
    }


@pytest.mark.parametrize("block_votes", [1 << 20, 1, 37])
def test_the_operator_is_the_centred_matrix(monkeypatch, block_votes: int) -> None:  # type: ignore[no-untyped-def]
    # blocks of one vote and of 37 cut the rows every way; one block holds them all
    monkeypatch.setattr(pca, "_BLOCK_VOTES", block_votes)
    votes = _awkward_votes(1)
    work = votes.without_empty()
    centred, _ = centred_matrix(work, work.is_excluded.copy())
    rng = np.random.default_rng(2)
    x, xs = rng.standard_normal(work.n_statements), rng.standard_normal((work.n_statements, 2))
    y = rng.standard_normal(work.n_participants)
    for name, operator in _operators(votes).items():
        assert operator.shape == centred.shape, name
        # C @ x: the same products added in the same order, so bit for bit
        np.testing.assert_array_equal(operator @ x, centred @ x, err_msg=name)
        np.testing.assert_array_equal(operator @ xs, centred @ xs, err_msg=name)
        np.testing.assert_allclose(operator.rmatvec(y), centred.T @ y, rtol=0, atol=1e-13)
        # Lanczos's product: the two above block by block, the same numbers bit for bit
        np.testing.assert_array_equal(operator.gram_times(x), operator.rmatvec(operator @ x))
        np.testing.assert_array_equal(operator.to_csr().toarray(), centred.toarray())
        assert not operator.rmatvec(y)[work.is_excluded].any()  # moderated out: weight 0


def test_the_blocks_are_views_of_the_columns_and_one_ones_array(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # scipy's constructors copy a view of a much larger array; the operator's whole point is
    # holding nothing per vote of its own, so a copy here is a failure, not a slowdown
    monkeypatch.setattr(pca, "_BLOCK_VOTES", 50)
    votes = _awkward_votes(3)
    onehot = vote_onehot(votes, np.asarray(votes.is_excluded, dtype=bool))
    work = votes.without_empty()
    operator = CentredVotes(
        OnehotVotes.of(onehot, votes), pca._column_means(work, work.is_excluded), work.is_excluded
    )
    blocks = operator._blocks
    assert len(blocks) > 10
    ones = blocks[0][2].data
    for _, _, block, flipped in blocks:
        assert np.shares_memory(block.indices, onehot.indices)
        assert flipped.indices is block.indices and flipped.data is block.data
        assert np.shares_memory(block.data, ones)
    assert np.all(ones == 1.0) and len(ones) <= 50 + votes.n_statements


def test_a_onehot_of_other_votes_is_refused() -> None:
    votes = _awkward_votes(1)
    other = VoteMatrix.from_dense(np.ones((5, 3)))
    with pytest.raises(ValueError, match="is not of a 70 x 16 vote matrix"):
        OnehotVotes.of(vote_onehot(other), votes)
    work = votes.without_empty()
    placed = OnehotVotes.of(vote_onehot(votes), votes)
    with pytest.raises(
        ValueError, match="place 69 participants x 15 statements, the analysed votes have 69 x 16"
    ):
        CentredVotes(placed, np.zeros(work.n_statements + 1), np.zeros(work.n_statements + 1, bool))
    # refused at every size, not only where the map multiplies through it
    whole = OnehotVotes.of(vote_onehot(votes), votes, nonempty=False)
    with pytest.raises(ValueError, match="place 70 participants x 16 statements"):
        analyze_polis(work, onehot=whole)


@pytest.fixture(scope="module")
def dialogue() -> VoteMatrix:
    params = SimulationParams(n_participants=3000, n_statements=200, n_groups=3, mean_votes=30)
    return simulate_dialogue(params, seed=5).matrix


def _large(monkeypatch: pytest.MonkeyPatch) -> None:
    """The paths of more than 5M votes, on a small dialogue."""
    monkeypatch.setattr(pca, "_EXACT_MAX_VOTES", 1_000)
    monkeypatch.setattr(pca, "_BLOCK_VOTES", 4_000)


def test_above_5m_votes_the_polis_map_goes_through_the_onehot(dialogue, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    work = dialogue.without_empty()
    assert isinstance(
        centred_votes(work, work.is_excluded)[0], type(centred_matrix(work, work.is_excluded)[0])
    )
    _large(monkeypatch)
    assert isinstance(centred_votes(work, work.is_excluded)[0], CentredVotes)
    through = analyze_polis(work, random_state=3)
    given = analyze_polis(
        work, random_state=3, onehot=OnehotVotes.of(vote_onehot(dialogue), dialogue)
    )
    monkeypatch.setattr(pca, "centred_votes", lambda m, e, onehot=None: centred_matrix(m, e))
    matrix = analyze_polis(work, random_state=3)
    for result in (through, given):
        # Lanczos's residual is 1e-12 of each eigenvalue: the components agree to ~1e-13
        np.testing.assert_allclose(result.pca.components, matrix.pca.components, atol=1e-11)
        np.testing.assert_allclose(result.pca.eigenvalues, matrix.pca.eigenvalues, rtol=1e-12)
        np.testing.assert_allclose(result.projections, matrix.projections, atol=1e-10)
        np.testing.assert_array_equal(result.base_clusters.labels, matrix.base_clusters.labels)
        np.testing.assert_array_equal(result.group_labels, matrix.group_labels)


def test_the_fallback_that_needs_the_gram_materialises_the_operator(dialogue, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    work = dialogue.without_empty()
    exact, _ = pca.top_components(centred_matrix(work, work.is_excluded)[0], 2)
    _large(monkeypatch)
    monkeypatch.setattr(pca, "_LANCZOS_STEPS", 3)  # Lanczos gives up

    def stalls(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise spla.ArpackNoConvergence("no convergence", np.zeros(0), np.zeros((0, 0)))

    monkeypatch.setattr(pca.spla, "eigsh", stalls)  # and so does ARPACK
    operator, _ = centred_votes(work, work.is_excluded)
    assert isinstance(operator, CentredVotes)
    found, _ = pca.top_components(operator, 2)
    np.testing.assert_allclose(np.abs(found), np.abs(exact), atol=1e-12)


def test_track2_mode_shares_its_onehot_with_the_polis_map_on_either_thread_count(
    dialogue,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    _large(monkeypatch)
    given: list[object] = []
    real = track2_analysis_module.analyze_polis

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        given.append(kwargs.get("onehot"))
        return real(*args, **kwargs)

    monkeypatch.setattr(track2_analysis_module, "analyze_polis", spy)
    one = analyze_track2(dialogue, random_state=2, workers=1)
    two = analyze_track2(dialogue, random_state=2, workers=2)
    assert all(isinstance(onehot, OnehotVotes) for onehot in given)
    np.testing.assert_array_equal(one.polis.projections, two.polis.projections)
    np.testing.assert_array_equal(one.polis.pca.components, two.polis.pca.components)
    np.testing.assert_array_equal(one.group_labels, two.group_labels)
    np.testing.assert_array_equal(one.map.coordinates, two.map.coordinates)
