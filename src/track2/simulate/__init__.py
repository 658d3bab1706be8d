"""Synthetic dialogues with planted opinion groups and declared sides (see :mod:`.dialogue`)."""

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
    "KINDS",
    "SimulationParams",
    "SyntheticDialogue",
    "SyntheticTruth",
    "load_truth",
    "plant",
    "simulate_dialogue",
    "vote_chunks",
    "write_polis_folder",
]
