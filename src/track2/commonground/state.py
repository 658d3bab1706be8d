"""Pol.is math state (``math-pca2.json``) as a warm start for :func:`analyze_polis`.

Pol.is is incremental: each update starts from the previous one's ``in-conv`` set, base
clusters, group clusters and PCA components (conversation.clj). Reading its last state lets an
imported conversation continue exactly where Pol.is left it, so its groups are kept.

Sign convention: Pol.is stores agree = -1, we use agree = +1. Coordinates in the file (PCA
centre, cluster centres, projections) are therefore the negation of ours for the same data.
This module keeps the file's numbers as they are and says so in each field's name
(``*_polis_sign``); :func:`analyze_polis` does the conversion.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from track2.commonground.errors import InputFormatError
from track2.commonground.json_files import read_json


@dataclass(frozen=True, eq=False)
class PolisState:
    """The parts of a Pol.is math state that carry history from one update to the next."""

    in_conv: tuple[Any, ...]
    base_cluster_ids: tuple[int, ...]
    base_cluster_members: tuple[tuple[Any, ...], ...]
    base_cluster_centers_polis_sign: np.ndarray
    group_cluster_ids: tuple[int, ...]
    group_cluster_members: tuple[tuple[int, ...], ...]  # base-cluster ids
    group_cluster_centers_polis_sign: np.ndarray
    statement_ids: tuple[Any, ...]  # ``tids``: the column order of the PCA arrays
    pca_center_polis_sign: np.ndarray
    pca_components: np.ndarray  # 2 × len(statement_ids), Pol.is sign convention
    mod_out: tuple[Any, ...]
    meta: tuple[Any, ...]

    @property
    def n_groups(self) -> int:
        return len(self.group_cluster_ids)


def _need(data: dict[str, Any], key: str, path: str) -> Any:
    if key not in data:
        raise InputFormatError(
            path,
            None,
            f"not a Pol.is math state: no {key!r} key; "
            "pass the math-pca2.json exported with the conversation",
        )
    return data[key]


def polis_state_from_dict(data: Any, path: str = "<math-pca2.json>") -> PolisState:
    """Parse the decoded JSON of a ``math-pca2.json`` file."""
    if not isinstance(data, dict):
        raise InputFormatError(path, None, "not a Pol.is math state: expected a JSON object")
    try:
        base = _need(data, "base-clusters", path)
        groups = _need(data, "group-clusters", path)
        pca = _need(data, "pca", path)
        tids = tuple(_need(data, "tids", path))
        comps = np.asarray(pca["comps"], dtype=np.float64)
        center = np.asarray(pca["center"], dtype=np.float64)
        if comps.ndim != 2 or comps.shape[1] != len(tids) or center.shape != (len(tids),):
            raise InputFormatError(path, None, "pca comps/center do not match the tids list")
        base_ids = tuple(int(x) for x in base["id"])
        base_members = tuple(tuple(m) for m in base["members"])
        base_xy = np.column_stack([np.asarray(base["x"], float), np.asarray(base["y"], float)])
        if not (len(base_ids) == len(base_members) == len(base_xy)):
            raise InputFormatError(path, None, "base-clusters id/members/x/y differ in length")
        group_ids = tuple(int(g["id"]) for g in groups)
        group_members = tuple(tuple(int(b) for b in g["members"]) for g in groups)
        group_xy = np.asarray([g["center"] for g in groups], dtype=np.float64).reshape(-1, 2)
        return PolisState(
            in_conv=tuple(_need(data, "in-conv", path)),
            base_cluster_ids=base_ids,
            base_cluster_members=base_members,
            base_cluster_centers_polis_sign=base_xy,
            group_cluster_ids=group_ids,
            group_cluster_members=group_members,
            group_cluster_centers_polis_sign=group_xy,
            statement_ids=tids,
            pca_center_polis_sign=center,
            pca_components=comps,
            mod_out=tuple(data.get("mod-out") or ()),
            meta=tuple(data.get("meta-tids") or ()),
        )
    except (KeyError, TypeError, ValueError, OverflowError) as err:
        raise InputFormatError(
            path, None, f"malformed Pol.is math state ({err}); pass the unmodified math-pca2.json"
        ) from err


def load_polis_state(path: str | Path) -> PolisState:
    """Read a ``math-pca2.json`` file."""
    p = Path(path)
    _text, data = read_json(p, "pass the unmodified math-pca2.json", option="--polis-state")
    return polis_state_from_dict(data, str(p))
