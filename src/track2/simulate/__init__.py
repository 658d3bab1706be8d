"""Synthetic dialogues with planted opinion groups and declared sides (see :mod:`.dialogue`)."""

from track2.simulate.arrival import Arrival, grown_room
from track2.simulate.dialogue import (
    KINDS,
    SimulationParams,
    SyntheticDialogue,
    SyntheticTruth,
    load_truth,
    plant,
    simulate_dialogue,
    vote_chunks,
    write_polis_folder,
)

__all__ = [
    "Arrival",
    "KINDS",
    "SimulationParams",
    "SyntheticDialogue",
    "SyntheticTruth",
    "grown_room",
    "load_truth",
    "plant",
    "simulate_dialogue",
    "vote_chunks",
    "write_polis_folder",
]
