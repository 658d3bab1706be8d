"""A 2-D map drawn from the Track 2 model itself, so that it shows the groups the report names.

Pol.is places participants by two principal components of the mean-imputed votes and then
colours them by its groups. Track 2 groups come from a latent-class model, not from those two
components, so on Pol.is's map groups the text calls distinct can sit on top of each other.
Here the coordinates come from the model that makes the groups:

* each participant's *evidence* for each group is the log-likelihood of their votes under that
  group's answer probabilities, ``sum over voted s of log theta[g, s, vote]`` (the E-step's
  numerator without the prior), centred per participant so that only differences between groups
  count;
* the axes are Fisher's linear discriminants of that evidence for the model's groups: the
  directions that maximise the spread between groups relative to the spread within them, so
  members of one group are drawn together and groups apart. A participant with few votes has
  little evidence and sits near the middle, as they should.

With two groups there is one discriminant (the log-likelihood ratio of the two groups); the
second axis is then the main direction of disagreement left once it is removed (the top
spectral axis of the centred votes, made uncorrelated with the first). Axes are scaled to unit
spread within groups, so distances on the map read in the same units on both axes; when the
members of each group vote exactly alike (delegations voting as blocks) there is no spread
within, and a floor of 1e-4 of the spread between the groups sets the unit instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.linalg
import scipy.sparse as sp

from track2.commonground.matrix import VoteMatrix
from track2.commonground.track2mode import Track2Groups, spectral_embedding, vote_onehot

__all__ = ["FLAT_SECOND_AXIS", "NO_AXIS", "GroupMap", "group_map"]

FloatArray = npt.NDArray[np.float64]
_OWN_SPREAD = 0.5  # share of a participant's own deviation from their posterior blend that is drawn
NO_AXIS = "no axis: one group"  # both axes' words when there is no second group to set apart
_RIDGE = 1e-9  # relative: the centred evidence has rank k - 1, so its within scatter is singular
# ... and at least this share of the between-group variance: when every member of a group votes
# alike (a room's delegations voting as blocks) the within scatter is zero, and a ridge relative
# to it alone scaled the axes by 1e11 (two camps of three drew at ±1.5e11, and identical voters
# apart by 1e9 of rounding noise).
_BETWEEN_RIDGE = 1e-4
_NOTHING_LEFT = 1e-9  # relative spread of the second axis below which there is none
FLAT_SECOND_AXIS = "none: the votes disagree along the horizontal axis only"


@dataclass(frozen=True, eq=False)
class GroupMap:
    """Map coordinates of every participant row of the vote matrix (NaN for a participant in no
    group), and what each axis means, in words a report can print."""

    coordinates: FloatArray
    axes: tuple[str, str]


def _discriminants(features: FloatArray, labels: npt.NDArray[np.int64], k: int) -> FloatArray:
    """Fisher discriminant directions (columns), best first, scaled to unit within-group
    variance per participant."""
    mean = features.mean(axis=0)
    within = np.zeros((features.shape[1], features.shape[1]))
    between = np.zeros_like(within)
    for g in range(k):
        members = features[labels == g]
        if len(members) == 0:
            continue
        centre = members.mean(axis=0)
        spread = members - centre
        within += spread.T @ spread
        between += len(members) * np.outer(centre - mean, centre - mean)
    within /= max(len(features) - k, 1)
    floor = max(
        _RIDGE * float(np.trace(within)),
        _BETWEEN_RIDGE * float(np.trace(between)) / len(features),
        1e-12,
    )
    within += floor * np.eye(len(within))
    values, vectors = scipy.linalg.eigh(between, within)
    return np.asarray(vectors[:, np.argsort(-values)], dtype=np.float64)


def _unit_within(axis: FloatArray, labels: npt.NDArray[np.int64]) -> FloatArray:
    sums = np.bincount(labels, weights=axis)
    counts = np.maximum(np.bincount(labels), 1)
    centred = axis - (sums / counts)[labels]
    scale = float(np.sqrt((centred**2).mean()))
    return axis / scale if scale > 0 else axis


def group_map(
    votes: VoteMatrix, groups: Track2Groups, onehot: sp.csr_array | None = None
) -> GroupMap:
    """The 2-D map of ``groups`` (fitted on ``votes``) described in the module docstring;
    ``onehot`` is :func:`vote_onehot` of ``votes`` without its excluded statements, when the
    caller already has it."""
    coordinates = np.full((votes.n_participants, 2), np.nan)
    grouped = np.flatnonzero(groups.labels >= 0)
    labels = groups.labels[grouped]
    k = groups.n_groups
    # A fit in which every participant is most likely in one group (a room that answers
    # alike) has no second group to discriminate: its axis was an empty group's evidence, a
    # million nats from the members.
    if len(grouped) < 2 or k < 2 or np.count_nonzero(np.bincount(labels, minlength=k)) < 2:
        coordinates[grouped] = 0.0
        return GroupMap(coordinates, (NO_AXIS, NO_AXIS))
    x = vote_onehot(votes, np.asarray(votes.is_excluded, dtype=bool)) if onehot is None else onehot
    if len(grouped) < votes.n_participants:  # no copy of every vote when all are grouped
        x = x[grouped]
    # In the one-hot's own dtype (float32): a float64 factor would make scipy copy every vote
    # into a float64 matrix first (370 MB at 46M votes, 0.8 s of fresh memory on the 1M path).
    # Each row sums at most a few thousand log-probabilities, far within float32's precision.
    log_theta = np.log(groups.vote_probabilities).reshape(k, -1).astype(x.dtype)
    evidence = np.asarray(x @ log_theta.T, dtype=np.float64)
    evidence -= evidence.mean(axis=1, keepdims=True)
    directions = _discriminants(evidence, labels, k)[:, : k - 1]
    scores = evidence @ directions  # participants x (k - 1) discriminant space
    # Each participant-sized array is dropped or overwritten once used: at 1M participants
    # and 7 groups they are 50 MB each, and this stage set the analysis's peak.
    del evidence
    resp = np.asarray(groups.responsibilities[grouped], dtype=np.float64)
    sizes = np.bincount(labels, minlength=k).astype(np.float64)
    centres = (resp.T @ scores) / np.maximum(resp.sum(axis=0), 1e-12)[:, None]
    if k >= 3:
        # Classical scaling of the group centres (weighted by size) to two dimensions.
        mean = (sizes @ centres) / sizes.sum()
        weighted = (centres - mean) * np.sqrt(sizes)[:, None]
        _, _, basis = np.linalg.svd(weighted, full_matrices=False)
        plane = basis[:2].T
        axes = (
            "axis 1 of the groups' positions in the Track 2 model's evidence space",
            "axis 2 of the groups' positions in the Track 2 model's evidence space",
        )
    else:
        plane = np.array([[1.0]])
        axes = (
            "evidence for group 1 over group 0 under the Track 2 model",
            "main remaining direction of disagreement (spectral axis of the votes)",
        )
    # A participant sits at the posterior blend of the group positions (sure members at their
    # group's place, undecided ones between the groups they might belong to), moved by half of
    # their own deviation from that blend so a group's spread stays visible.
    blend = resp @ centres
    del resp
    scores -= blend  # each participant's own deviation from the blend
    within = float(np.sqrt((scores[:, 0] ** 2).mean()))
    scores *= _OWN_SPREAD
    scores += blend
    del blend
    placed = scores @ plane
    first = placed[:, 0]
    if k >= 3:
        second = placed[:, 1]
    else:
        spectral = spectral_embedding(x, votes.n_statements, 1)[:, 0]
        basis2 = np.column_stack([np.ones_like(first), first])
        residual = spectral - basis2 @ np.linalg.lstsq(basis2, spectral, rcond=None)[0]
        if np.std(residual) <= _NOTHING_LEFT * np.std(spectral):
            # The votes' main direction is the first axis itself (two camps, each voting as
            # one): what is left is rounding, which scaling to unit spread drew as a spread.
            second = np.zeros_like(first)
            axes = (axes[0], FLAT_SECOND_AXIS)
        else:
            second = _unit_within(residual, labels) * within * _OWN_SPREAD
    # Orient each axis so that group 0 (the largest) sits on the negative side: a fixed,
    # label-free convention, so the same data draws the same picture.
    first, second = first.copy(), second.copy()
    for axis in (first, second):
        if axis[labels == 0].mean() > 0:
            axis *= -1.0
    coordinates[grouped, 0] = first
    coordinates[grouped, 1] = second
    return GroupMap(coordinates, axes)
