"""Agreement per declared side: posterior numbers checked against closed forms."""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import betainc

from track2.commonground import sides as sides_module
from track2.commonground.errors import CommonGroundError, InputFormatError
from track2.commonground.matrix import VoteMatrix
from track2.commonground.sides import (
    COMMON_GROUND,
    DIVISIVE,
    NO_COMMON_GROUND,
    TOO_FEW_VOTES,
    DeclaredSides,
    SidesError,
    _min_share_quantile,
    _one_min_share_quantile,
    agreement_by_side,
    read_sides_csv,
    side_of_participants,
    statement_agreement,
)

PI = math.pi
# P(share > 1/2) under Beta(A + 1/2, n - A + 1/2), by hand from the arcsine law
# I_x(1/2, 1/2) = (2/pi) asin(sqrt x) and the recurrences
# I_x(a + 1, b) = I_x(a, b) - x^a (1-x)^b / (a B(a, b)),  I_x(a, b + 1) = I_x(a, b) + x^a (1-x)^b / (b B(a, b)).
P_1_OF_1 = 0.5 + 1 / PI
P_2_OF_2 = 0.5 + 4 / (3 * PI)
P_3_OF_3 = 0.5 + 22 / (15 * PI)
P_2_OF_3 = 0.5 + 2 / (3 * PI)
P_0_OF_3 = 0.5 - 22 / (15 * PI)


def room(columns: dict[str, list[str]]) -> tuple[VoteMatrix, list[str | None]]:
    """Votes of a small room: {side: ["+-0.", ...]}: one string per participant, one character
    per statement (+ agree, - disagree, 0 pass, . not seen)."""
    participants, statements, values, side_of = [], [], [], []
    code = {"+": 1, "-": -1, "0": 0}
    pid = 0
    for side, people in columns.items():
        for person in people:
            for j, char in enumerate(person):
                if char != ".":
                    participants.append(pid)
                    statements.append(j)
                    values.append(code[char])
            side_of.append(side)
            pid += 1
    n_statements = max(len(p) for people in columns.values() for p in people)
    votes = VoteMatrix.from_triples(
        participants,
        statements,
        values,
        participant_ids=range(pid),
        statement_ids=range(n_statements),
    )
    return votes, side_of


def test_three_per_side_hand_computed() -> None:
    # statement 0: everyone agrees; 1: side B has 2 agree + 1 pass;
    # 2: A agrees, B disagrees; 3: everyone disagrees; 4: one vote per side.
    votes, side_of = room({"A": ["+++-+", "+++-.", "+++-."], "B": ["++--+", "+0--.", "++--."]})
    result = agreement_by_side(votes, side_of)
    assert result.sides == ("A", "B")
    np.testing.assert_array_equal(result.n, [[3, 3, 3, 3, 1], [3, 3, 3, 3, 1]])
    np.testing.assert_array_equal(result.agree[1], [3, 2, 0, 0, 1])
    np.testing.assert_array_equal(result.passes[1], [0, 1, 0, 0, 0])
    np.testing.assert_array_equal(result.disagree[1], [0, 0, 3, 3, 0])
    np.testing.assert_allclose(
        result.p_majority_agrees,
        [[P_3_OF_3, P_3_OF_3, P_3_OF_3, P_0_OF_3, P_1_OF_1],
         [P_3_OF_3, P_2_OF_3, P_0_OF_3, P_0_OF_3, P_1_OF_1]],
        rtol=1e-12,
    )  # fmt: skip
    np.testing.assert_allclose(
        result.p_common_ground,
        [P_3_OF_3**2, P_3_OF_3 * P_2_OF_3, P_3_OF_3 * P_0_OF_3, P_0_OF_3**2, P_1_OF_1**2],
        rtol=1e-12,
    )
    # Divisive: A's majority agrees while B's majority disagrees on statement 2.
    assert result.p_divisive[2] == pytest.approx(P_3_OF_3 * P_3_OF_3, rel=1e-12)
    assert result.labels == (
        COMMON_GROUND,  # 0.935
        TOO_FEW_VOTES,  # 0.689: a pass does not count as agreement
        DIVISIVE,
        NO_COMMON_GROUND,
        TOO_FEW_VOTES,  # one vote per side is below the 3-vote floor
    )
    # Posterior mean of the agree share: (A + 1/2) / (n + 1).
    assert result.agree_share_mean[1, 1] == pytest.approx(2.5 / 4)


def test_no_votes_gives_the_arcsine_prior_interval() -> None:
    votes, side_of = room({"A": ["+.", "+."], "B": [".+", ".+"]})
    result = agreement_by_side(votes, side_of)
    # Side B never saw statement 0: its agree share is the Jeffreys prior Beta(1/2, 1/2), whose
    # quantile function is sin^2(pi q / 2).
    assert result.n[1, 0] == 0
    assert result.agree_share_low[1, 0] == pytest.approx(math.sin(PI * 0.05 / 2) ** 2, rel=1e-9)
    assert result.agree_share_high[1, 0] == pytest.approx(math.sin(PI * 0.95 / 2) ** 2, rel=1e-9)
    assert result.p_majority_agrees[1, 0] == pytest.approx(0.5)
    assert result.labels[0] == TOO_FEW_VOTES


def test_min_share_interval_of_two_unvoted_sides() -> None:
    # Both sides have no votes on statement 1: min of two arcsine variables has
    # CDF 1 - (1 - F)^2, so its q-quantile is sin^2(pi/2 * (1 - sqrt(1 - q))).
    votes, side_of = room({"A": ["+.", "+."], "B": ["+.", "+."]})
    result = agreement_by_side(votes, side_of)

    def quantile(q: float) -> float:
        return math.sin(PI / 2 * (1 - math.sqrt(1 - q))) ** 2

    assert result.min_share_low[1] == pytest.approx(quantile(0.05), abs=1e-12)
    assert result.min_share_high[1] == pytest.approx(quantile(0.95), abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from("+-0."), min_size=4, max_size=4), min_size=2, max_size=8),
    st.lists(st.sampled_from("XYZ"), min_size=8, max_size=8),
)
def test_posterior_invariants(people: list[list[str]], sides: list[str]) -> None:
    labels = sides[: len(people)]
    if len(set(labels)) < 2:
        labels[0], labels[1] = "X", "Y"
    columns: dict[str, list[str]] = {}
    for person, side in zip(people, labels, strict=True):
        columns.setdefault(side, []).append("".join(person))
    votes, side_of = room(columns)
    result = agreement_by_side(votes, side_of)
    # P(min share > 1/2) is the product; the min interval sits below each side's upper bound.
    assert np.all(result.min_share_low <= result.agree_share_low.min(axis=0) + 1e-9)
    assert np.all(result.min_share_high <= result.agree_share_high.min(axis=0) + 1e-9)
    assert np.all((result.p_common_ground >= 0) & (result.p_common_ground <= 1))
    assert np.all(result.agree_share_low <= result.agree_share_mean)
    assert np.all(result.agree_share_mean <= result.agree_share_high)
    np.testing.assert_array_equal(result.n, result.agree + result.disagree + result.passes)


def test_more_agreement_never_lowers_the_probability() -> None:
    base = {"A": ["+", "+", "-", "-"], "B": ["+", "+", "+", "-"]}
    votes, side_of = room(base)
    before = agreement_by_side(votes, side_of).p_common_ground[0]
    votes, side_of = room({"A": ["+", "+", "+", "-"], "B": base["B"]})
    after = agreement_by_side(votes, side_of).p_common_ground[0]
    assert after > before


def test_participants_without_a_side_are_left_out() -> None:
    votes, side_of = room({"A": ["+", "+", "+"], "B": ["+", "+", "+"], "": ["-", "-"]})
    result = agreement_by_side(votes, side_of)
    assert result.sides == ("A", "B")
    assert result.n[:, 0].tolist() == [3, 3]


def test_three_sides_and_json() -> None:
    votes, side_of = room({"A": ["+-"] * 4, "B": ["+-"] * 4, "C": ["+0"] * 4})
    result = agreement_by_side(votes, side_of)
    assert result.labels == (COMMON_GROUND, NO_COMMON_GROUND)
    doc = result.to_json()
    assert set(doc) == {"0", "1"}
    c = doc["1"]["sides"]["C"]
    assert c == {
        "n": 4,
        "agree": 0,
        "disagree": 0,
        "pass": 4,
        "p_majority_agrees": pytest.approx(c["p_majority_agrees"]),
        "agree_share": {"mean": 0.1, "interval": c["agree_share"]["interval"]},
    }
    assert doc["0"]["label"] == COMMON_GROUND
    assert 0 < doc["0"]["min_agree_share_interval"][0] < doc["0"]["min_agree_share_interval"][1]


def test_vectorised_on_a_large_room_matches_a_loop() -> None:
    rng = np.random.default_rng(5)
    n, m = 300, 40
    dense = rng.choice([-1.0, 0.0, 1.0, np.nan], size=(n, m), p=[0.3, 0.1, 0.4, 0.2])
    votes = VoteMatrix.from_dense(dense)
    side_of = [("north", "south", "east")[i % 3] for i in range(n)]
    result = agreement_by_side(votes, side_of)
    from scipy.stats import beta

    for s, side in enumerate(result.sides):
        rows = [i for i in range(n) if side_of[i] == side]
        for j in (0, 17, 39):
            col = dense[rows, j]
            seen = col[~np.isnan(col)]
            a = float((seen == 1).sum())
            assert result.agree[s, j] == a
            assert result.p_majority_agrees[s, j] == pytest.approx(
                beta.sf(0.5, a + 0.5, len(seen) - a + 0.5), rel=1e-10
            )
            assert result.agree_share_low[s, j] == pytest.approx(
                beta.ppf(0.05, a + 0.5, len(seen) - a + 0.5), rel=1e-8
            )


# --- bad input ------------------------------------------------------------------------------


def test_one_side_only_is_refused() -> None:
    votes, _ = room({"A": ["+", "+"]})
    with pytest.raises(SidesError, match="at least two declared sides, found 1"):
        agreement_by_side(votes, ["A", "A"])
    with pytest.raises(SidesError, match="one side per participant"):
        agreement_by_side(votes, ["A"])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"credible_mass": 1.0}, "credible_mass"),
        ({"threshold": 0.4}, "threshold"),
        ({"min_votes": 0}, "min_votes"),
    ],
)
def test_bad_settings_are_refused(kwargs: dict[str, float], message: str) -> None:
    votes, side_of = room({"A": ["+"], "B": ["+"]})
    with pytest.raises(SidesError, match=message):
        agreement_by_side(votes, side_of, **kwargs)  # type: ignore[arg-type]  # kwargs by test case


def test_side_mapping_by_id_text_and_unknown_participants() -> None:
    votes, _ = room({"A": ["+", "+"], "B": ["-", "-"]})
    assert side_of_participants(votes, {"0": "A", "3": "B"}) == ["A", None, None, "B"]
    with pytest.raises(
        SidesError, match="1 participant\\(s\\) in the sides are not in the votes: 99"
    ):
        side_of_participants(votes, {"0": "A", "99": "B"})


def test_read_sides_csv() -> None:
    sides = read_sides_csv(io.StringIO("\ufeffparticipant,side\n1,North\n2, South \n\n"))
    assert sides == {"1": "North", "2": "South"}


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("", 1, "empty"),
        ("person,team\n1,a\n", 1, "unknown header"),
        ("participant,side\n1,a\n2\n", 3, "expected 2 fields"),
        ("participant,side\n1,\n", 2, "empty participant or side"),
        ("participant,side\n1,a\n2,b\x1b[31m\n", 3, "the side 'b\\x1b[31m' holds a control"),
        ("participant,side\n1\x07,a\n2,b\n", 2, "participant '1\\x07' holds a control"),
        ("participant,side\n1,a\n2,b\n1,b\n", 4, "listed twice (first on line 2)"),
        ("participant,side\n1,a\n2,a\n", 3, "at least two sides, found only 'a'"),
        ("participant,side\n", 1, "found none"),
    ],
)
def test_read_sides_csv_errors(text: str, line: int, words: str) -> None:
    with pytest.raises(InputFormatError) as raised:
        read_sides_csv(io.StringIO(text), source="sides.csv")
    assert raised.value.line == line
    assert str(raised.value).startswith(f"sides.csv:{line}: ")
    assert words in str(raised.value)
    assert isinstance(raised.value, CommonGroundError)


def test_every_bad_row_of_a_sides_file_is_named_at_once() -> None:
    # only the first was named: the file took one run per bad row
    text = "participant,side\n0,A\n0,B\nabc,A\n1,\n2,A\x1b\n3,B\n"
    with pytest.raises(InputFormatError) as raised:
        read_sides_csv(io.StringIO(text), source="sides.csv")
    assert raised.value.line == 3
    message = str(raised.value)
    assert message.startswith("sides.csv:3: participant '0' is listed twice (first on line 2)")
    assert "Also line 5: empty participant or side" in message
    assert "line 6: the side 'A\\x1b' holds a control character (U+001B)" in message
    assert "\n" not in message


def test_a_sides_field_over_the_csv_limit_is_a_typed_error() -> None:
    # a traceback: _csv.Error: field larger than field limit (131072)
    for text, line in (
        ("participant,side\n1,A\n2," + "B" * 200_000 + "\n", 3),
        ("participant," + "s" * 200_000 + "\n1,A\n", 1),
    ):
        with pytest.raises(InputFormatError) as raised:
            read_sides_csv(io.StringIO(text), source="sides.csv")
        assert raised.value.line == line
        assert "a field is longer than 128 KB (a stray quote?); fix this row" in str(raised.value)


def test_a_sides_file_with_no_line_break_is_refused_after_16_mb(tmp_path: Path) -> None:
    from track2.commonground.csv_rows import bounded_lines

    path = tmp_path / "sides.csv"
    with path.open("wb") as sparse:
        sparse.truncate(300 * 2**20)  # no disk used; reading stops long before its end
    with path.open(encoding="utf-8", newline="") as f, pytest.raises(InputFormatError) as raised:
        read_sides_csv(bounded_lines(f), source="sides.csv")
    assert raised.value.line == 1
    assert "no line break in 16 MB: this is not a participant,side CSV file" in str(raised.value)


@pytest.mark.parametrize("n_sides", [2, 3, 5])
def test_min_share_quantile_equals_a_plain_bisection(n_sides: int) -> None:
    # The safeguarded Newton solver against 60 halvings of [0, 1], on random counts from no
    # votes to a million per side (the density's logarithm must not overflow there).
    rng = np.random.default_rng(n_sides)
    n = np.concatenate(
        [rng.integers(0, 300, (n_sides, 200)), np.full((n_sides, 2), 1_000_000)], axis=1
    )
    agree = rng.binomial(n, rng.random(n.shape))
    a, b = agree + 0.5, n - agree + 0.5
    for level in (0.05, 0.95):
        low, high = np.zeros(n.shape[1]), np.ones(n.shape[1])
        for _ in range(60):
            mid = 0.5 * (low + high)
            below = 1.0 - np.prod(1.0 - betainc(a, b, mid), axis=0) < level
            low, high = np.where(below, mid, low), np.where(below, high, mid)
        np.testing.assert_allclose(_min_share_quantile(a, b, level), low, rtol=0, atol=1e-12)
        # A few statements at a time (a live update) take the per-statement path: same values.
        few = np.concatenate(
            [_min_share_quantile(a[:, j : j + 3], b[:, j : j + 3], level) for j in range(0, 202, 3)]
        )
        np.testing.assert_allclose(few, low, rtol=0, atol=1e-12)


def test_a_quantile_whose_bracket_closes_at_the_start_takes_one_step(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Counts from the 1M x 5k benchmark: at the upper level the start (the upper end of the
    # bracket, from betaincinv) lies a rounding error below the root, the bracket closes at
    # once and every Newton step leaves it. Such statements stop there, instead of holding
    # every statement in the loop for all its steps (60 calls of betainc over 10,000 values).
    a = np.array([[907.5, 484.5, 500.5, 1008.5, 1873.5], [1062.5, 576.5, 584.5, 1074.5, 2180.5]])
    b = np.array([[927.5, 494.5, 511.5, 987.5, 1834.5], [423.5, 198.5, 159.5, 466.5, 703.5]])
    a = np.concatenate([a, np.full((2, 20), 40.5)], axis=1)  # and ordinary statements beside
    b = np.concatenate([b, np.full((2, 20), 60.5)], axis=1)
    evaluated: list[int] = []
    plain = sides_module.betainc

    def counting(*args):  # type: ignore[no-untyped-def]
        evaluated.append(np.size(args[2]))
        return plain(*args)

    monkeypatch.setattr(sides_module, "betainc", counting)
    got = _min_share_quantile(a, b, 0.975)
    assert evaluated[:2] == [25, 20] and len(evaluated) <= 10, evaluated  # the 5 leave at once
    evaluated.clear()
    one = [_one_min_share_quantile(a[:, j], b[:, j], 0.975) for j in range(5)]
    assert len(evaluated) <= 5 * 2 * 2, len(evaluated)  # one step each (a call per side)
    monkeypatch.setattr(sides_module, "betainc", plain)
    low, high = np.zeros(25), np.ones(25)
    for _ in range(60):
        mid = 0.5 * (low + high)
        below = 1.0 - np.prod(1.0 - betainc(a, b, mid), axis=0) < 0.975
        low, high = np.where(below, mid, low), np.where(below, high, mid)
    np.testing.assert_allclose(got, low, rtol=0, atol=1e-12)
    np.testing.assert_allclose(one, low[:5], rtol=0, atol=1e-12)


def test_some_statements_and_declared_sides_give_the_same_figures() -> None:
    # A live update recomputes only the statements that got votes, with the sides checked once.
    rng = np.random.default_rng(7)
    dense = rng.choice([-1.0, 0.0, 1.0, np.nan], size=(60, 12))
    votes = VoteMatrix.from_dense(dense)
    side_of = [None if i % 7 == 0 else ("north", "south", "east")[i % 3] for i in range(60)]
    full = agreement_by_side(votes, side_of)
    declared = DeclaredSides.from_side_of(side_of, votes.n_participants)
    assert declared.names == ("east", "north", "south")
    chosen = np.array([9, 2, 5])
    part = agreement_by_side(votes, declared, statements=chosen)
    assert part.statement_ids.tolist() == votes.statement_ids[chosen].tolist()
    assert part.labels == tuple(full.labels[j] for j in chosen)
    for name in (
        "n",
        "agree",
        "disagree",
        "passes",
        "agree_share_low",
        "agree_share_high",
        "p_majority_agrees",
        "p_common_ground",
        "p_divisive",
        "min_share_low",
        "min_share_high",
    ):
        np.testing.assert_allclose(
            getattr(part, name), getattr(full, name)[..., chosen], rtol=0, atol=1e-12
        )
    with pytest.raises(SidesError, match="one side per participant"):
        agreement_by_side(votes.select(participants=np.arange(10)), declared)


def test_declared_sides_grow_with_known_sides_only() -> None:
    declared = DeclaredSides.from_side_of(["a", "b", None], 3)
    grown = declared.extended(["b", None, ""])
    assert grown.index.tolist() == [0, 1, -1, 1, -1, -1]
    assert declared.index.tolist() == [0, 1, -1]
    with pytest.raises(SidesError, match="'c' is not one of the declared sides"):
        declared.extended(["c"])


@pytest.mark.parametrize("n_sides", [2, 3, 4])
def test_one_statement_figures_equal_the_vectorised_ones(n_sides: int) -> None:
    # A live room recomputes one statement per vote with statement_agreement; every figure
    # must be the one agreement_by_side gives for that statement, from any Newton start.
    rng = np.random.default_rng(10 + n_sides)
    n_people, n_statements = 25 * n_sides, 40
    dense = rng.choice([-1.0, 0.0, 1.0, np.nan], size=(n_people, n_statements))
    dense[:, 0] = np.nan  # nobody voted on the first statement
    dense[: n_people // 2, 1] = 1.0  # a statement some sides agree on
    side_of = [f"side {i % n_sides}" for i in range(n_people)]
    full = agreement_by_side(VoteMatrix.from_dense(dense), side_of)
    for j in range(n_statements):
        starts = [None, (0.5, 0.5), (float(full.min_share_low[j]), float(full.min_share_high[j]))]
        for start in starts:
            one = statement_agreement(
                full.n[:, j].tolist(),
                full.agree[:, j].tolist(),
                full.disagree[:, j].tolist(),
                start=start,
            )
            assert one["labels"] == full.labels[j]
            for name, value in one.items():
                if name != "labels":
                    expected = getattr(full, name)[..., j]
                    np.testing.assert_allclose(value, expected, rtol=0, atol=1e-12, err_msg=name)


def test_groups_by_side_counts_each_participant_once() -> None:
    from track2.commonground import groups_by_side

    labels = [0, 0, 1, 1, 1, -1, 2]
    sides = ["South", "North", "North", None, "North", "South", ""]
    crossed = groups_by_side(labels, [0, 1, 2], sides)
    # sides sorted; no side ("" or None) and no group (-1) are not counted
    assert crossed.sides == ("North", "South")
    assert crossed.table() == [[1, 1], [2, 0], [0, 0]]
    assert crossed.group_ids == (0, 1, 2)
    # a label that is no listed group, and groups listed out of order
    crossed = groups_by_side([5, 7, 2, 2], [5, 2], ["A", "B", "A", "B"])
    assert crossed.group_ids == (5, 2) and crossed.table() == [[1, 0], [1, 1]]
    assert groups_by_side([0, 1], [], ["A", "B"]).table() == []


def test_groups_by_side_refuses_what_it_cannot_count() -> None:
    from track2.commonground import groups_by_side

    with pytest.raises(SidesError, match="one side per participant is needed"):
        groups_by_side([0, 1], [0, 1], ["North"])
    with pytest.raises(SidesError, match="at least two declared sides"):
        groups_by_side([0, 1], [0, 1], ["North", "North"])
