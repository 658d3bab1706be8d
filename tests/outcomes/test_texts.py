"""The pure rules of outcome documents: hashes, diffs, consensus levels, Schulze over drafts."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from track2.commonground.schulze import schulze
from track2.outcomes import texts

DATA = Path(__file__).parent.parent / "data" / "schulze"

SECTIONS = [
    {"heading": "Fisheries", "paragraphs": [{"key": "a1", "text": "Both sides  share\tstocks."}]},
    {"heading": "Incidents", "paragraphs": [{"key": "b2", "text": "سلام — a hotline."}]},
]


def test_canonical_text_and_hash_are_fixed():
    text = texts.canonical_text("joint_statement", "Varena  Sea", SECTIONS)
    assert text == (
        "type: joint_statement\ntitle: Varena Sea\n## Fisheries\n[a1] Both sides share stocks.\n"
        "## Incidents\n[b2] سلام — a hotline.\n"
    )
    # The hash is of these UTF-8 bytes alone: the same on every database and platform.
    assert texts.sha256_hex(text) == hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_unicode_normalisation_does_not_change_the_hash():
    composed = [{"heading": "H", "paragraphs": [{"key": "k", "text": "caf\u00e9"}]}]
    decomposed = [{"heading": "H", "paragraphs": [{"key": "k", "text": "cafe\u0301"}]}]
    assert texts.sha256_hex(texts.canonical_text("non_paper", "T", composed)) == texts.sha256_hex(
        texts.canonical_text("non_paper", "T", decomposed)
    )


def test_any_word_changes_the_hash():
    changed = json.loads(json.dumps(SECTIONS))
    changed[0]["paragraphs"][0]["text"] = "Both sides share fish stocks."
    assert texts.canonical_text("joint_statement", "T", SECTIONS) != texts.canonical_text(
        "joint_statement", "T", changed
    )


def test_word_diff():
    runs = texts.word_diff("the two sides agree to talk", "the sides agree to meet and talk")
    assert runs == [
        ("same", "the"),
        ("removed", "two"),
        ("same", "sides agree to"),
        ("added", "meet and"),
        ("same", "talk"),
    ]


@given(st.text(max_size=60), st.text(max_size=60))
def test_word_diff_rebuilds_both_texts(a, b):
    runs = texts.word_diff(a, b)
    before = " ".join(t for op, t in runs if op != "added" and t)
    after = " ".join(t for op, t in runs if op != "removed" and t)
    assert before == " ".join(texts.words(a))
    assert after == " ".join(texts.words(b))


def test_consensus_levels():
    assert texts.consensus_level({"endorse": 3}, 3).code == "full"
    assert texts.consensus_level({"endorse": 2, "live_with": 1}, 3).code == "reservations"
    assert texts.consensus_level({"endorse": 2, "stand_aside": 1}, 3).code == "reservations"
    assert texts.consensus_level({"endorse": 5, "object": 1}, 3).code == "contested"
    assert texts.consensus_level({"endorse": 2}, 3).code == "too_few"


def test_schulze_on_wikipedias_worked_example():
    example = json.loads((DATA / "wikipedia.json").read_text(encoding="utf-8"))
    letters = example["candidates"]
    ballots = [
        [letters.index(c) for c in group["order"]]
        for group in example["ballots"]
        for _ in range(group["count"])
    ]
    result = texts.rank_alternatives(ballots, len(letters))
    np.testing.assert_array_equal(result.pairwise, example["pairwise"])
    np.testing.assert_array_equal(result.strongest_paths, example["strongest_paths"])
    assert [letters[p[0]] for p in result.order] == example["order"]


def _examples(name):
    data = json.loads((DATA / name).read_text(encoding="utf-8"))
    return [pytest.param(example, id=example["name"]) for example in data["examples"]]


def _positions(order, letters):
    """ "A=B>C" as the position of each candidate (0 for the first), ties sharing a position."""
    positions = {}
    for place, group in enumerate(order.split(">")):
        for letter in group.split("="):
            positions[letters.index(letter)] = place
    return positions


@pytest.mark.parametrize(
    "example", _examples("electowiki.json") + _examples("habermas_machine.json")
)
def test_schulze_on_the_habermas_machines_examples(example):
    letters = example["candidates"]
    ballots = [
        _positions(group["order"], letters)
        for group in example["ballots"]
        for _ in range(group["count"])
    ]
    if all(len(set(b.values())) == len(letters) for b in ballots):
        # Strict orders: the ballots as the outcomes app holds them, best draft first.
        result = texts.rank_alternatives(
            [sorted(b, key=b.__getitem__) for b in ballots], len(letters)
        )
    else:
        # A ballot with a tie: drafts are never ranked equal in the app, so count the rank
        # matrix with the engine rank_alternatives itself calls.
        result = schulze([[b[c] for c in range(len(letters))] for b in ballots])
    if "pairwise" in example:
        np.testing.assert_array_equal(result.pairwise, example["pairwise"])
    if "strongest_paths" in example:
        np.testing.assert_array_equal(result.strongest_paths, example["strongest_paths"])
    ranking = ">".join("=".join(letters[c] for c in sorted(tie)) for tie in result.order)
    assert ranking == example["ranking"]


orders = st.integers(2, 5).flatmap(
    lambda n: st.tuples(st.just(n), st.lists(st.permutations(range(n)), min_size=1, max_size=25))
)


@settings(max_examples=200)
@given(orders)
def test_a_condorcet_winner_always_wins(case):
    n, ballots = case
    result = texts.rank_alternatives(ballots, n)
    d = result.pairwise
    condorcet = [a for a in range(n) if all(d[a, b] > d[b, a] for b in range(n) if b != a)]
    if condorcet:
        assert result.winners == (condorcet[0],)


@settings(max_examples=200)
@given(orders, st.data())
def test_a_clone_does_not_change_the_winner(case, data):
    n, ballots = case
    before = texts.rank_alternatives(ballots, n)
    if len(before.winners) != 1:
        return
    loser = data.draw(st.sampled_from([c for c in range(n) if c != before.winners[0]]))
    # The clone (index n) sits right next to its original on every ballot.
    cloned = []
    for ballot in ballots:
        at = ballot.index(loser)
        first = data.draw(st.booleans())
        pair = [loser, n] if first else [n, loser]
        cloned.append([*ballot[:at], *pair, *ballot[at + 1 :]])
    assert texts.rank_alternatives(cloned, n + 1).winners == before.winners
