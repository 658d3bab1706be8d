"""Synthetic dialogues: reproducible, faithful to the planted truth, Pol.is layout on disk."""

from __future__ import annotations

import numpy as np
import pytest

from track2.commonground import adjusted_rand_index, analyze_polis, load_conversation
from track2.simulate import SimulationParams, load_truth, simulate_dialogue, write_polis_folder

SMALL = SimulationParams(n_participants=400, n_statements=50, mean_votes=25)


def test_same_seed_same_dialogue_other_seed_differs():
    a = simulate_dialogue(SMALL, seed=5)
    b = simulate_dialogue(SMALL, seed=5)
    c = simulate_dialogue(SMALL, seed=6)
    np.testing.assert_array_equal(a.matrix.to_dense(9), b.matrix.to_dense(9))
    np.testing.assert_array_equal(a.truth.group, b.truth.group)
    assert not np.array_equal(a.matrix.to_dense(9), c.matrix.to_dense(9))


def test_votes_follow_the_planted_probabilities():
    params = SimulationParams(
        n_participants=3000, n_statements=20, mean_votes=15, pass_rate=0.2, revision_rate=0.0
    )
    d = simulate_dialogue(params, seed=2)
    dense = d.matrix.to_dense()
    seen = ~np.isnan(dense)
    assert abs((dense[seen] == 0).mean() - 0.2) < 0.02
    for g in range(params.n_groups):
        rows = d.truth.group == g
        voted = seen[rows] & (dense[rows] != 0)
        agree = (dense[rows] == 1) & voted
        j = int(np.argmax(voted.sum(axis=0)))
        rate = agree[:, j].sum() / voted[:, j].sum()
        assert abs(rate - d.truth.agree_probability[g, j]) < 0.1


def test_exposure_is_heavy_tailed():
    d = simulate_dialogue(
        SimulationParams(n_participants=3000, n_statements=300, mean_votes=10), seed=2
    )
    per = d.matrix.votes_per_participant
    assert per.max() >= 5 * np.median(per)
    assert abs(per.mean() - 10) < 2


def test_sides_follow_groups_with_fidelity():
    d = simulate_dialogue(SimulationParams(n_participants=4000, side_fidelity=0.8), seed=1)
    match = (d.truth.side == d.truth.group % 2).mean()
    assert 0.85 < match < 0.95  # 0.8 faithful + half of the 0.2 random land right


def test_planted_groups_are_recovered():
    params = SimulationParams(
        n_participants=1500,
        n_statements=60,
        mean_votes=40,
        n_groups=3,
        noise_share=0.05,
        divisive_share=0.7,
    )
    d = simulate_dialogue(params, seed=3)
    a = analyze_polis(d.matrix, random_state=0)
    ic = a.in_conv
    truth = d.truth.group[a.participant_ids[ic]]
    assert a.group_clusters.k == 3
    assert adjusted_rand_index(a.group_labels[ic], truth) > 0.8


def test_written_folder_reads_back_with_revisions_and_moderation(tmp_path):
    params = SimulationParams(
        n_participants=300, n_statements=40, revision_rate=0.1, moderation_rate=0.2
    )
    truth = write_polis_folder(tmp_path, params, seed=4)
    conv = load_conversation(tmp_path)
    d = simulate_dialogue(params, seed=4)
    np.testing.assert_array_equal(conv.matrix.to_dense(9), d.matrix.to_dense(9))
    lines = (tmp_path / "votes.csv").read_text().count("\n") - 1
    assert lines > conv.matrix.n_votes  # revisions are written as earlier votes
    np.testing.assert_array_equal(conv.matrix.is_moderated_out, truth.moderated_out)
    saved = load_truth(tmp_path)
    np.testing.assert_array_equal(saved["group"], truth.group)
    assert conv.export_group_ids[0] == int(truth.group[0])
    assert (tmp_path / "sides.csv").read_text().startswith("participant,side\n")


def test_invalid_parameters():
    with pytest.raises(ValueError):
        SimulationParams(n_participants=1)
    with pytest.raises(ValueError):
        SimulationParams(consensus_share=0.8, divisive_share=0.5)


def test_block_by_block_matrix_equals_one_shot_build():
    from track2.commonground import VoteMatrix
    from track2.simulate import plant, vote_chunks

    params = SimulationParams(
        n_participants=45_000, n_statements=20, mean_votes=4, revision_rate=0.05
    )
    d = simulate_dialogue(params, seed=9)  # three generation blocks
    parts = list(vote_chunks(plant(params, 9)))
    whole = VoteMatrix.from_triples(
        np.concatenate([p[2] for p in parts]),
        np.concatenate([p[1] for p in parts]),
        np.concatenate([p[3] for p in parts]),
        timestamps=np.concatenate([p[0] for p in parts]),
        participant_ids=np.arange(45_000),
        statement_ids=np.arange(20),
    )
    np.testing.assert_array_equal(d.matrix.indptr, whole.indptr)
    np.testing.assert_array_equal(d.matrix.indices, whole.indices)
    np.testing.assert_array_equal(d.matrix.values, whole.values)
