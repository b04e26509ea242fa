"""The landing zone: title folders, their content fingerprints, and what a sensor tick should do."""

import hashlib
import json
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


# What the landing sensor has seen, kept in the lake rather than in its cursor: the cursor is written into
# every tick row of the instance, and a fingerprint per title made it grow with the landing zone.
LANDING_STATE_PREFIX = "control/landing_sensor"


@dataclass(frozen=True)
class LandingState:
    fingerprints: dict[str, str] = field(default_factory=dict)  # title id -> fingerprint seen
    invalid_folders: tuple[str, ...] = ()


def _state_key(digest: str) -> str:
    return f"{LANDING_STATE_PREFIX}/{digest}.json"


def load_landing_state(store: ObjectStore, digest: str | None) -> LandingState:
    """The state a cursor names. None (a new or reset sensor), or a state no longer in the lake, is an
    empty state: every title is looked at again, and those already ingested are not run again."""
    if not digest:
        return LandingState()
    if digest.startswith("{"):  # a cursor from before the state moved to the lake holds it whole
        legacy = json.loads(digest)
        return LandingState(legacy.get("titles", {}), tuple(legacy.get("invalid", [])))
    if not store.exists(_state_key(digest)):
        return LandingState()
    data = json.loads(store.read_bytes(_state_key(digest)))
    return LandingState(data["fingerprints"], tuple(data["invalid_folders"]))


def save_landing_state(store: ObjectStore, state: LandingState, previous: str | None) -> str:
    """Store a state under its content digest and return the digest, the cursor's whole content. Older
    states are removed, except the previous one: until the daemon commits this tick, its cursor is the one
    a retried tick reads."""
    data = json.dumps({"fingerprints": state.fingerprints, "invalid_folders": list(state.invalid_folders)},
                      sort_keys=True).encode()  # fmt: skip
    digest = hashlib.sha256(data).hexdigest()[:32]
    if not store.exists(_state_key(digest)):
        store.put_bytes(data, _state_key(digest))
    keep = {_state_key(digest)} | ({_state_key(previous)} if previous and not previous.startswith("{") else set())
    for info in store.walk(LANDING_STATE_PREFIX):
        if info.key not in keep:
            store.delete(info.key)
    return digest
