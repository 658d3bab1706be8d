"""The common-ground engine: a pure numpy/scipy library (no Django).

Part 1 (Pol.is mode): :func:`analyze_polis` reproduces the Pol.is math on a sparse
:class:`VoteMatrix`; :mod:`track2.commonground.formats` reads and writes Pol.is files.
Part 2 (Track 2 mode): :func:`analyze_track2` adds Track 2 opinion groups, bridging scores and
agreement per declared side (docs/commonground-track2.md).
"""

from track2.commonground.clusters import Clustering, kmeans, silhouette
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
from track2.commonground.live import LiveAnalysis, LiveUpdateError, live_analysis, update
from track2.commonground.matrix import AGREE, DISAGREE, PASS, VoteMatrix
from track2.commonground.pca import PCAResult, polis_pca, project_participants
from track2.commonground.polis import PolisAnalysis, analyze_polis, in_conv_mask
from track2.commonground.repness import (
    GroupStatementStats,
    RepresentativeStatement,
    group_statement_stats,
    select_representative,
)
from track2.commonground.state import PolisState, load_polis_state, polis_state_from_dict
from track2.commonground.stats import adjusted_rand_index, prop_test, two_prop_test
from track2.commonground.track2_analysis import Track2Analysis, analyze_track2

__all__ = [
    "AGREE",
    "DISAGREE",
    "PASS",
    "Clustering",
    "CommonGroundError",
    "Consensus",
    "ConsensusStatement",
    "Conversation",
    "EmptyConversationError",
    "GroupStatementStats",
    "InputFormatError",
    "LiveAnalysis",
    "LiveUpdateError",
    "PCAResult",
    "PolisAnalysis",
    "PolisState",
    "RepresentativeStatement",
    "StateMismatchError",
    "Statement",
    "Track2Analysis",
    "VoteMatrix",
    "adjusted_rand_index",
    "analyze_polis",
    "analyze_track2",
    "comment_priorities",
    "group_informed_consensus",
    "group_statement_stats",
    "in_conv_mask",
    "kmeans",
    "live_analysis",
    "load_conversation",
    "load_polis_state",
    "polis_pca",
    "polis_state_from_dict",
    "project_participants",
    "prop_test",
    "read_comments_csv",
    "read_comments_json",
    "read_participants_votes_csv",
    "read_votes_csv",
    "read_votes_json",
    "select_consensus",
    "select_representative",
    "silhouette",
    "two_prop_test",
    "update",
    "write_comments_csv",
    "write_participants_votes_csv",
    "write_votes_csv",
]
