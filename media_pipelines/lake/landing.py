"""The landing zone: title folders, their content fingerprints, and what a sensor tick should do."""

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from media_pipelines.core.titles import is_valid_title_id
from media_pipelines.lake.store import ObjectInfo, ObjectStore


@dataclass(frozen=True)
class TitleSnapshot:
    title_id: str
    files: tuple[ObjectInfo, ...]

    @property
    def fingerprint(self) -> str:
        """Changes whenever a file is added, removed or rewritten (a re-delivery runs again)."""
        digest = hashlib.sha256()
        for info in sorted(self.files, key=lambda i: i.key):
            digest.update(f"{info.key}\0{info.size}\0{info.version}\n".encode())
        return digest.hexdigest()[:16]

    def relative_path(self, info: ObjectInfo) -> str:
        return info.key.split("/", 1)[1]


@dataclass(frozen=True)
class LandingScan:
    titles: dict[str, TitleSnapshot]
    invalid_folders: tuple[str, ...]


def scan_landing(store: ObjectStore) -> LandingScan:
    """Every title folder with its files, in one listing; loose files at the root belong to no title."""
    grouped: dict[str, list[ObjectInfo]] = defaultdict(list)
    for info in store.walk():
        folder, sep, _ = info.key.partition("/")
        if sep:
            grouped[folder].append(info)
    valid = {name: TitleSnapshot(name, tuple(files)) for name, files in grouped.items() if is_valid_title_id(name)}
    invalid = tuple(sorted(name for name in grouped if not is_valid_title_id(name)))
    return LandingScan(titles=valid, invalid_folders=invalid)


def snapshot_title(store: ObjectStore, title_id: str) -> TitleSnapshot:
    return TitleSnapshot(title_id, tuple(store.walk(title_id)))


@dataclass
class TickPlan:
    register: list[str] = field(default_factory=list)
    run: list[TitleSnapshot] = field(default_factory=list)
    cursor: dict[str, str] = field(default_factory=dict)
    pending: int = 0


def plan_tick(
    scan: LandingScan,
    cursor: dict[str, str],
    registered: Iterable[str],
    already_ingested: Callable[[TitleSnapshot], bool],
    max_titles: int,
) -> TickPlan:
    """Register new titles and run changed ones, at most max_titles per tick; the rest wait for the next."""
    known = set(registered)
    plan = TickPlan(cursor={t: fp for t, fp in cursor.items() if t in scan.titles})
    changed = [s for t, s in sorted(scan.titles.items()) if cursor.get(t) != s.fingerprint]
    for snapshot in changed[:max_titles]:
        if snapshot.title_id not in known:
            plan.register.append(snapshot.title_id)
        if not already_ingested(snapshot):
            plan.run.append(snapshot)
        plan.cursor[snapshot.title_id] = snapshot.fingerprint
    plan.pending = max(0, len(changed) - max_titles)
    return plan
