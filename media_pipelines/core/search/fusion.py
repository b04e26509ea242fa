"""Rank fusion: several ranked lists of the same items (vector neighbours, full-text matches) into one."""

from collections.abc import Hashable, Sequence

# Reciprocal-rank fusion's constant: large enough that the first few places of any one list do not
# drown the rest, the value its authors found robust across collections.
RRF_K = 60


def reciprocal_rank_fusion(rankings: Sequence[Sequence[Hashable]], k: int = RRF_K) -> list[tuple[Hashable, float]]:
    """Items by the sum over lists of 1 / (k + rank), best first; ties keep first-seen order."""
    scores: dict[Hashable, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda pair: -pair[1])
