"""Near-duplicate grouping by perceptual-hash distance (single linkage)."""

from media_pipelines.core.shots.features import hamming


def group_near_duplicates(hashes: list[str], max_distance: int) -> list[int]:
    """For each hash, the index of the first member of its group; unrelated items are their own group."""
    parent = list(range(len(hashes)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(hashes)):
        for j in range(i + 1, len(hashes)):
            if hamming(hashes[i], hashes[j]) <= max_distance:
                a, b = sorted((root(i), root(j)))
                parent[b] = a
    return [root(i) for i in range(len(hashes))]
