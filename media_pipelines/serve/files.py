"""Files the API hands out: only the lake's derived media (keyframes, contact sheets, timelines,
renditions), by lake key, with every way out of that folder refused; and shot clips cut from the mezzanine
on first request into a local cache, so browsers can seek in them with range requests."""

import hashlib
import shutil
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path, PurePosixPath

from media_pipelines.export.clips import cut_clip
from media_pipelines.lake.media import MEDIA_PREFIX
from media_pipelines.lake.store import LocalStore, ObjectStore, checked_key
from media_pipelines.serve.lake_reads import NotFound

# What a key may name, and how large a file from S3 may be (it is read whole into the response).
MEDIA_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".mp4": "video/mp4",
    ".flac": "audio/flac",
    ".wav": "audio/wav",
}
MAX_S3_BYTES = 32 * 1024 * 1024


class RefusedKey(ValueError):
    """A requested key that would leave the lake's media folder, or names no kind of file it serves."""


def media_key(requested: str) -> str:
    """A lake key under media/ with no empty, '.' or '..' part and a served suffix; anything else refused."""
    try:
        key = checked_key(requested)
    except ValueError as error:
        raise RefusedKey("not a key in the lake's media") from error
    if not key.startswith(MEDIA_PREFIX + "/") or "\\" in key or "\x00" in key:
        raise RefusedKey("only the lake's media/ folder is served")
    if PurePosixPath(key).suffix.lower() not in MEDIA_TYPES:
        raise RefusedKey("not a kind of file the API serves")
    return key


def media_type(key: str) -> str:
    return MEDIA_TYPES[PurePosixPath(key).suffix.lower()]


def local_media_path(store: LocalStore, key: str) -> Path:
    """The file a media key names on a local lake: a link anywhere on the way is refused, so nothing
    outside the lake folder is ever read through it."""
    path = store.root / key
    if path.resolve() != path or not path.resolve().is_relative_to(store.root / MEDIA_PREFIX):
        raise RefusedKey("links are not followed")
    if not path.is_file():
        raise NotFound(f"no file {key!r} in the lake")
    return path


def s3_media_bytes(store: ObjectStore, key: str) -> bytes:
    size = store.size(key)
    if size is None:
        raise NotFound(f"no file {key!r} in the lake")
    if size > MAX_S3_BYTES:
        raise RefusedKey(f"{key!r} is larger than the API sends from S3 ({MAX_S3_BYTES} bytes)")
    return store.read_bytes(key)


# Disk a worker's clips may take: a clip is a shot's length of the mezzanine (about 1 MB for 5 s), so
# this keeps the last few thousand shots watched.
CLIP_CACHE_BYTES = 4 * 1024**3
# Cuts of different shots run at once; one lock per stripe, so the locks stay few however many shots
# are watched, and two requests for one shot still cut it once.
CLIP_LOCK_STRIPES = 64


class ClipCache:
    """Each shot's clip, cut once from its mezzanine (re-encoded to start on the shot's first frame) and
    kept under `folder`, named by the mezzanine's key and the shot's span so a new rendition cuts anew.
    Past `max_bytes` the clips watched longest ago are deleted; a temporary cache deletes its folder on
    `close()`."""

    def __init__(self, folder: Path, max_bytes: int = CLIP_CACHE_BYTES, *, temporary: bool = False):
        self.folder = folder
        self.max_bytes = max_bytes
        self.temporary = temporary
        self._stripes = [threading.Lock() for _ in range(CLIP_LOCK_STRIPES)]
        self._guard = threading.Lock()
        self._sizes: OrderedDict[Path, int] = OrderedDict()  # least recently watched first
        self._kept_bytes = 0
        self._adopt_existing()

    @classmethod
    def in_temporary_folder(cls, max_bytes: int = CLIP_CACHE_BYTES) -> "ClipCache":
        return cls(Path(tempfile.mkdtemp(prefix="media-lake-clips-")), max_bytes, temporary=True)

    def clip(self, store: ObjectStore, mezzanine_key: str, start_s: float, end_s: float) -> Path:
        name = hashlib.sha256(f"{mezzanine_key}|{start_s:.6f}|{end_s:.6f}".encode()).hexdigest()[:32]
        out = self.folder / f"{name}.mp4"
        with self._stripes[int(name[:8], 16) % CLIP_LOCK_STRIPES]:
            if not self._touch(out):
                self.folder.mkdir(parents=True, exist_ok=True)
                partial = out.with_name(f".{out.name}.part.mp4")
                with store.local_copy(mezzanine_key) as mezzanine:
                    cut_clip(mezzanine, start_s, end_s, partial)
                partial.replace(out)
                self._keep(out, out.stat().st_size)
        return out

    def close(self) -> None:
        if self.temporary:
            shutil.rmtree(self.folder, ignore_errors=True)

    def _adopt_existing(self) -> None:
        """A cache folder kept from an earlier process: its clips count towards the bound, oldest first;
        the parts of cuts it never finished are deleted."""
        if not self.folder.is_dir():
            return
        for partial in self.folder.glob(".*.part.mp4"):
            partial.unlink(missing_ok=True)
        clips = sorted(self.folder.glob("*.mp4"), key=lambda path: path.stat().st_mtime)
        for path in clips:
            self._keep(path, path.stat().st_size)

    def _touch(self, path: Path) -> bool:
        """False for a clip the cache never cut or that was deleted behind its back (by hand, or by a
        cleaner of the temporary folder): it is cut again rather than answered as a missing file."""
        with self._guard:
            if path in self._sizes:
                if path.exists():
                    self._sizes.move_to_end(path)
                    return True
                self._kept_bytes -= self._sizes.pop(path)
        return False

    def _keep(self, path: Path, size: int) -> None:
        """Counts a new clip in, then deletes the clips watched longest ago until the cache fits (never
        the new one: its request is about to send it)."""
        with self._guard:
            self._sizes[path] = size
            self._kept_bytes += size
            while self._kept_bytes > self.max_bytes and len(self._sizes) > 1:
                oldest, oldest_size = self._sizes.popitem(last=False)
                oldest.unlink(missing_ok=True)
                self._kept_bytes -= oldest_size
