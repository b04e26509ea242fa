"""`media-lake serve`: a read-only HTTP API over the lake (local or S3), described by its OpenAPI spec at
/openapi.json. Errors are JSON with a message, never a stack trace; sizes are bounded by the parameters'
limits; with MEDIA_LAKE_API_TOKEN set, every request needs `Authorization: Bearer <token>`."""

import contextlib
import hmac
import logging
import math
from pathlib import Path
from typing import Annotated, Any

import anyio
from fastapi import Depends, FastAPI, Query, Request
from fastapi import Path as FastPath
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from media_pipelines.core.titles import InvalidTitleIdError, validate_title_id
from media_pipelines.lake.shot_search import SearchError
from media_pipelines.lake.store import LocalStore
from media_pipelines.serve.files import ClipCache, RefusedKey, local_media_path, media_key, media_type, s3_media_bytes
from media_pipelines.serve.lake_reads import (
    DEFAULT_SQL_LIMITS,
    BadQuery,
    LakeReads,
    NotFound,
    ShotFilters,
    SqlLimits,
)
from media_pipelines.serve.vtt import shot_vtt

log = logging.getLogger(__name__)
# The shot browser: a page and its script, served as they are (no build step).
STATIC = Path(__file__).parent / "static"
MAX_PAGE = 500
MAX_K = 100
MAX_TEXT = 500
MAX_SQL = 10_000
SLOW_REQUESTS = 8  # clip cuts and SQL queries a worker runs at once, beside its page requests


class Unauthorized(PermissionError):
    pass


def create_app(
    reads: LakeReads,
    token: str | None = None,
    clips: ClipCache | None = None,
    limits: SqlLimits = DEFAULT_SQL_LIMITS,
    request_threads: int | None = None,
) -> FastAPI:
    """`request_threads`: how many page requests run at once (anyio's default, 40, when None). Cutting a
    clip and running SQL can take seconds: they run on threads of their own, so a few of them never hold
    every page request waiting."""
    slow: dict[str, anyio.CapacityLimiter] = {}

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI):
        if request_threads:
            anyio.to_thread.current_default_thread_limiter().total_tokens = request_threads
        slow["threads"] = anyio.CapacityLimiter(SLOW_REQUESTS)  # limiters belong to the running event loop
        try:
            yield
        finally:
            clips.close()

    app = FastAPI(
        title="media lake",
        version="1",
        summary="Read-only access to the media lake's titles and shots.",
        lifespan=lifespan,
    )
    clips = clips or ClipCache.in_temporary_folder()

    def authorized(request: Request) -> None:
        if token is None:
            return
        given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        given = given or request.cookies.get("media_lake_token", "")
        if not hmac.compare_digest(given.encode(), token.encode()):
            raise Unauthorized("a bearer token is required (MEDIA_LAKE_API_TOKEN)")

    guarded = [Depends(authorized)]
    _errors(app)
    # The page holds no data: it asks for the token when the API answers 401.
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    def browser():
        return FileResponse(STATIC / "index.html", media_type="text/html")

    @app.get("/api/titles", dependencies=guarded)
    def titles(
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100, offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0
    ):
        """Every title with its summary and QC verdict, by title id."""
        return _json({"titles": reads.titles(limit, offset)})

    @app.get("/api/titles/{title_id}", dependencies=guarded)
    def title(title_id: str):
        """One title: its whole summary, renditions and contact sheets (lake keys, served under /media/)."""
        return _json(reads.title(_title(title_id)))

    @app.get("/api/shots", dependencies=guarded)
    def shots(
        title: str | None = None,
        transition: Annotated[str | None, Query(max_length=40)] = None,
        speech: bool | None = None,
        min_music_share: Annotated[float | None, Query(ge=0, le=1)] = None,
        qc_status: Annotated[str | None, Query(max_length=40)] = None,
        text: Annotated[str | None, Query(max_length=MAX_TEXT)] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
        offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
    ):
        """Shots of one title or all, in title order, with the browser's filters (`text`: words spoken or
        subtitled, without the search index)."""
        filters = ShotFilters(transition, speech, min_music_share, qc_status, text)
        return _json({"shots": reads.shots(_title(title) if title else None, filters, limit, offset)})

    @app.get("/api/titles/{title_id}/shots/{source_id}/{shot_index}", dependencies=guarded)
    def shot(title_id: str, source_id: str, shot_index: Annotated[int, FastPath(ge=0, le=2**31 - 1)]):
        """One shot in full: every media table column, its words, cues, on-screen text and annotations."""
        return _json(reads.shot(_title(title_id), source_id, shot_index))

    @app.get("/api/titles/{title_id}/shots/{source_id}/{shot_index}/clip.mp4", dependencies=guarded)
    async def clip(title_id: str, source_id: str, shot_index: Annotated[int, FastPath(ge=0, le=2**31 - 1)]):
        """The shot as its own MP4, starting on its first frame (range requests answered)."""

        def cut():
            row = reads.shot(_title(title_id), source_id, shot_index)
            store = reads.lake.store
            mezzanine = store.key_for(reads.mezzanine(title_id, source_id))
            return clips.clip(store, mezzanine, row["start_s"], row["end_s"])

        path = await anyio.to_thread.run_sync(cut, limiter=slow["threads"])
        return FileResponse(path, media_type="video/mp4")

    @app.get("/api/titles/{title_id}/shots/{source_id}/{shot_index}/subtitles.vtt", dependencies=guarded)
    def subtitles(title_id: str, source_id: str, shot_index: Annotated[int, FastPath(ge=0, le=2**31 - 1)]):
        """The shot's subtitles as WebVTT on the clip's clock (0 is the shot's first frame)."""
        row = reads.shot(_title(title_id), source_id, shot_index)
        return PlainTextResponse(shot_vtt(row["cues"], row["start_s"], row["end_s"]), media_type="text/vtt")

    @app.get("/api/search", dependencies=guarded)
    def search(
        q: Annotated[str | None, Query(max_length=MAX_TEXT)] = None,
        like: Annotated[str | None, Query(max_length=300)] = None,
        title: str | None = None,
        transition: Annotated[str | None, Query(max_length=40)] = None,
        speech: bool | None = None,
        min_music_share: Annotated[float | None, Query(ge=0, le=1)] = None,
        qc_status: Annotated[str | None, Query(max_length=40)] = None,
        k: Annotated[int, Query(ge=1, le=MAX_K)] = 20,
    ):
        """Hybrid search (meaning and words fused, or shots like TITLE/SOURCE/SHOT), filters applied inside."""
        if not (q and q.strip()) and not like:
            raise SearchError("search by q (text) or like (TITLE/SOURCE/SHOT)")
        qc_titles = reads.titles_with_qc(qc_status) if qc_status else None
        filters = ShotFilters(transition, speech, min_music_share)
        where = filters.search_where(_title(title) if title else None, qc_titles)
        found = reads.lake.search(text=q if q and q.strip() else None, like=like or None, where=where, k=k)
        return _json({"shots": found.to_pylist()})

    @app.get("/api/sql", dependencies=guarded)
    async def sql(q: Annotated[str, Query(min_length=1, max_length=MAX_SQL)]):
        """One read-only SELECT over every table, time- and row-limited; no files, no settings."""
        return _json(await anyio.to_thread.run_sync(reads.sql, q, limits, limiter=slow["threads"]))

    @app.get("/media/{key:path}", dependencies=guarded)
    def media(key: str):
        """A file of the lake's derived media by its lake key (as tables store them)."""
        checked = media_key(key)
        store = reads.lake.store
        if isinstance(store, LocalStore):
            return FileResponse(local_media_path(store, checked), media_type=media_type(checked))
        return Response(s3_media_bytes(store, checked), media_type=media_type(checked))

    return app


def _title(title_id: str) -> str:
    try:
        return validate_title_id(title_id)
    except InvalidTitleIdError as error:
        raise NotFound(str(error)) from error


def _json(value: Any) -> JSONResponse:
    return JSONResponse(_plain(value))


def _plain(value: Any) -> Any:
    """JSON has no NaN or infinity (a silent shot's loudness): they go out as null."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, bytes):
        return value.hex()
    if value is None or isinstance(value, str | int | bool):
        return value
    return str(value)  # dates, decimals, UUIDs from SQL


def _errors(app: FastAPI) -> None:
    def answer(status: int, message: str) -> JSONResponse:
        return JSONResponse({"error": message}, status_code=status)

    # A bad title id inside a value (search's `like`) is a bad request; in a path it is a title not found.
    statuses = {
        Unauthorized: 401, NotFound: 404, RefusedKey: 404, BadQuery: 400, SearchError: 400, InvalidTitleIdError: 400,
    }  # fmt: skip
    for kind, status in statuses.items():
        app.add_exception_handler(kind, lambda _request, error, status=status: answer(status, str(error)))
    app.add_exception_handler(
        RequestValidationError,
        lambda _request, error: answer(422, "; ".join(_validation_message(e) for e in error.errors())),
    )
    app.add_exception_handler(HTTPException, lambda _request, error: answer(error.status_code, str(error.detail)))

    async def unexpected(_request, error: Exception) -> JSONResponse:
        log.exception("unexpected error", exc_info=error)
        return answer(500, "internal error: the server's log has the details")

    app.add_exception_handler(Exception, unexpected)


def _validation_message(error: dict) -> str:
    where = ".".join(str(part) for part in error.get("loc", ()))
    return f"{where}: {error.get('msg', 'invalid')}"
