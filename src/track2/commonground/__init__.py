"""The common-ground engine: a pure numpy/scipy library (no Django).

Part 1 (Pol.is mode): :func:`analyze_polis` reproduces the Pol.is math on a sparse
:class:`VoteMatrix`; :mod:`track2.commonground.formats` reads and writes Pol.is files.
Part 2 (Track 2 mode): :func:`analyze_track2` adds Track 2 opinion groups
(:func:`track2_groups`), bridging scores (:func:`bridging_scores`), agreement per declared side
(:func:`agreement_by_side`) and Schulze ranking (:func:`schulze`, :func:`parse_ballots`); see
docs/commonground-track2.md. Every public function and result type is exported here: import from
``track2.commonground``, not from its modules (docs/engine.md, "From Python").
"""

from track2.commonground.ballots import (
    BallotFileError,
    BallotHeaderError,
    BallotRankError,
    BallotRowError,
    BallotSet,
    EmptyBallotError,
    EmptyBallotFileError,
    RepeatedCandidateError,
    UnknownCandidateError,
    parse_ballots,
    rank_ballots,
)
from track2.commonground.bridging import (
    RATING,
    BridgingError,
    BridgingScores,
    bridging_scores,
)
from track2.commonground.clusters import Clustering, kmeans, kmeans_on_sample, silhouette
from track2.commonground.consensus import (
    Consensus,
    ConsensusStatement,
    comment_priorities,
    group_informed_consensus,
    select_consensus,
)
from track2.commonground.errors import (
    CommonGroundError,
    EmptyConversationError,
    GroupCountError,
    InputFormatError,
    StateMismatchError,
)
from track2.commonground.formats import (
    Conversation,
    Statement,
    load_conversation,
    read_comments_csv,
    read_comments_json,
    read_participants_votes_csv,
    read_votes_csv,
    read_votes_json,
    write_comments_csv,
    write_participants_votes_csv,
    write_votes_csv,
)
from track2.commonground.group_map import GroupMap, group_map
from track2.commonground.live import (
    LiveAnalysis,
    LiveUpdateError,
    catch_up,
    live_analysis,
    regroup,
    update,
)
from track2.commonground.matrix import AGREE, DISAGREE, PASS, OnehotVotes, VoteMatrix
from track2.commonground.pca import (
    CentredVotes,
    PCAResult,
    polis_pca,
    project_participants,
)
from track2.commonground.polis import PolisAnalysis, analyze_polis, in_conv_mask
from track2.commonground.repness import (
    GroupStatementStats,
    RepresentativeStatement,
    group_statement_stats,
    group_vote_counts,
    pass_shares,
    select_representative,
)
from track2.commonground.schulze import (
    SchulzeInputError,
    SchulzeResult,
    pairwise_preferences,
    schulze,
    strongest_paths,
)
from track2.commonground.sides import (
    COMMON_GROUND,
    DIVISIVE,
    NO_COMMON_GROUND,
    TOO_FEW_VOTES,
    DeclaredSides,
    GroupsBySide,
    SideAgreement,
    SidesError,
    agreement_by_side,
    groups_by_side,
    read_sides_csv,
    side_of_participants,
)
from track2.commonground.state import PolisState, load_polis_state, polis_state_from_dict
from track2.commonground.stats import adjusted_rand_index, prop_test, two_prop_test
from track2.commonground.track2_analysis import (
    Track2Analysis,
    analyze_track2,
    labels_by_id,
    rows_by_id,
)
from track2.commonground.track2mode import (
    Track2Groups,
    Track2ModeError,
    group_posteriors,
    model_from_responsibilities,
    spectral_embedding,
    track2_groups,
    vote_onehot,
)

__all__ = [
    "AGREE",
    "BallotFileError",
    "BallotHeaderError",
    "BallotRankError",
    "BallotRowError",
    "BallotSet",
    "BridgingError",
    "BridgingScores",
    "COMMON_GROUND",
    "CentredVotes",
    "Clustering",
    "CommonGroundError",
    "Consensus",
    "ConsensusStatement",
    "Conversation",
    "DISAGREE",
    "DIVISIVE",
    "EmptyBallotError",
    "EmptyBallotFileError",
    "EmptyConversationError",
    "GroupCountError",
    "GroupStatementStats",
    "InputFormatError",
    "LiveAnalysis",
    "LiveUpdateError",
    "NO_COMMON_GROUND",
    "OnehotVotes",
    "PASS",
    "PCAResult",
    "PolisAnalysis",
    "PolisState",
    "RATING",
    "RepeatedCandidateError",
    "RepresentativeStatement",
    "SchulzeInputError",
    "SchulzeResult",
    "SideAgreement",
    "SidesError",
    "StateMismatchError",
    "Statement",
    "TOO_FEW_VOTES",
    "Track2Analysis",
    "Track2Groups",
    "DeclaredSides",
    "Track2ModeError",
    "GroupMap",
    "GroupsBySide",
    "UnknownCandidateError",
    "VoteMatrix",
    "adjusted_rand_index",
    "agreement_by_side",
    "analyze_polis",
    "analyze_track2",
    "bridging_scores",
    "catch_up",
    "comment_priorities",
    "group_informed_consensus",
    "group_posteriors",
    "group_statement_stats",
    "group_vote_counts",
    "in_conv_mask",
    "kmeans",
    "kmeans_on_sample",
    "live_analysis",
    "labels_by_id",
    "load_conversation",
    "load_polis_state",
    "model_from_responsibilities",
    "pairwise_preferences",
    "pass_shares",
    "parse_ballots",
    "polis_pca",
    "polis_state_from_dict",
    "project_participants",
    "prop_test",
    "rank_ballots",
    "read_comments_csv",
    "read_comments_json",
    "read_participants_votes_csv",
    "read_sides_csv",
    "read_votes_csv",
    "read_votes_json",
    "regroup",
    "schulze",
    "select_consensus",
    "select_representative",
    "side_of_participants",
    "silhouette",
    "strongest_paths",
    "track2_groups",
    "group_map",
    "groups_by_side",
    "spectral_embedding",
    "rows_by_id",
    "two_prop_test",
    "update",
    "vote_onehot",
    "write_comments_csv",
    "write_participants_votes_csv",
    "write_votes_csv",
]
