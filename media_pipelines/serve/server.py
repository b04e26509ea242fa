"""The API's process: the lake MEDIA_LAKE_ROOT names, behind uvicorn."""

import os
from collections.abc import Mapping
from pathlib import Path

from media_pipelines.query import connect_lake
from media_pipelines.serve.api import create_app
from media_pipelines.serve.files import ClipCache
from media_pipelines.serve.lake_reads import LakeReads

TOKEN_VARIABLE = "MEDIA_LAKE_API_TOKEN"
# Requests a worker runs at once. Measured on 2 cores, 50 clients on mixed pages: 2, 4 or 8 threads answered
# 205-210 pages/s (p95 350 ms), anyio's default 40 answered 139/s (p95 900 ms): more threads only contend
# for the interpreter lock between their Lance reads.
REQUEST_THREADS = 2 * (os.cpu_count() or 1)


def app_from_env(env: Mapping[str, str] = os.environ, clip_folder: Path | None = None):
    """The API over the environment's lake; a bearer token is required when MEDIA_LAKE_API_TOKEN is set."""
    import lance

    clips = ClipCache(clip_folder) if clip_folder else ClipCache.in_temporary_folder()
    # Every snapshot opened with one session: what searches loaded of the index stays loaded at the next.
    session = lance.Session()
    reads = LakeReads(lambda: connect_lake(env, session=session))
    reads.warm_up()  # uvicorn calls this factory in each worker before the worker takes a connection
    return create_app(reads, env.get(TOKEN_VARIABLE) or None, clips, request_threads=REQUEST_THREADS)


def serve(host: str, port: int, workers: int = 1) -> int:
    """Workers are processes, each with its own snapshot and clip cache: one Python process answers on
    about one core."""
    import uvicorn

    print(f"media lake on http://{host}:{port}: the shot browser at /, the API's OpenAPI spec at /openapi.json")
    app = "media_pipelines.serve.server:app_from_env"
    uvicorn.run(app, factory=True, host=host, port=port, workers=workers, log_level="warning")
    return 0
