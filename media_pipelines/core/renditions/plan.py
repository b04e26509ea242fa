"""One ffmpeg command per source: a single decode feeds the mezzanine, proxy, ASR audio and QC filters."""

from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from pathlib import Path

from media_pipelines.core.probe import Probe, StreamInfo
from media_pipelines.core.renditions.params import RenditionParams
from media_pipelines.core.tools import ffmpeg_exe

# Rates above this are container time bases, not frame rates (seen on some MKV/TS streams).
_MAX_FPS = 120
_BT709 = "colorspace=bt709:color_primaries=bt709:color_trc=bt709:range=tv"
# x264's threaded lookahead runs ahead of the encoder asynchronously and its frame-type and rate decisions
# depend on how far it got: without this, 1 in 7 renders of the same source differed (1 in 1 with two
# threads). With it, every render is the same, at the same thread count.
X264_REPRODUCIBLE = "sync-lookahead=0"


class RenditionKind(StrEnum):
    MEZZANINE = "mezzanine"
    PROXY = "proxy"
    AUDIO = "audio"


FILE_NAMES = {
    RenditionKind.MEZZANINE: "mezzanine.mp4",
    RenditionKind.PROXY: "proxy.mp4",
    RenditionKind.AUDIO: "audio.flac",
}


@dataclass(frozen=True)
class RenditionPlan:
    argv: list[str]
    outputs: dict[RenditionKind, Path]
    fps: Fraction | None
    notes: tuple[str, ...]


def pick_streams(probe: Probe) -> tuple[StreamInfo | None, StreamInfo | None]:
    """The video and audio a source's renditions are made of; a stream that yields no frame is never picked."""
    decodable = [s for s in probe.streams if s.decode_error is None]
    video = next((s for s in decodable if s.type == "video" and not s.attached_pic), None)
    audio_streams = [s for s in decodable if s.type == "audio"]
    audio = next((s for s in audio_streams if s.default), audio_streams[0] if audio_streams else None)
    return video, audio


def target_fps(video: StreamInfo) -> Fraction:
    """The stream's own frame rate; a variable-rate stream is sampled at its base (real) rate."""
    candidates = (
        [video.real_frame_rate, video.avg_frame_rate]
        if video.variable_frame_rate
        else [video.avg_frame_rate, video.real_frame_rate]
    )
    rate = next((r for r in candidates if r and 0 < r <= _MAX_FPS), 25.0)
    return Fraction(rate).limit_denominator(1001)


def keyframe_interval_frames(fps: float, interval_s: float) -> int:
    """The mezzanine's fixed GOP in frames; later stages seek by it."""
    return max(1, round(float(fps) * interval_s))


def plan_renditions(
    source: Path, probe: Probe, params: RenditionParams, out_dir: Path, one_decoder_thread: bool = False
) -> RenditionPlan:
    """The ffmpeg command; one_decoder_thread for a damaged source, whose concealed frames would otherwise
    depend on how the decoder's frame threads happened to interleave."""
    video, audio = pick_streams(probe)
    graph: list[str] = []
    audio_graph: list[str] = []
    outputs_args: list[str] = []
    outputs: dict[RenditionKind, Path] = {}
    notes: list[str] = []
    fps = target_fps(video) if video else None
    audio_branches = (["mezzanine"] if video else []) + ["asr", "qc"]
    if audio:
        labels = "".join(f"[a_{b}]" for b in audio_branches)
        # first_pts=0 puts the audio on the title timeline: silence before a late start, early samples trimmed.
        audio_graph.append(f"[0:{audio.index}]aresample=async=1:first_pts=0,asplit={len(audio_branches)}{labels}")
        audio_graph.append(
            f"[a_asr]aresample={params.asr_sample_rate},aformat=sample_fmts=s16:channel_layouts=mono[asr]"
        )
        # framelog=quiet: the run logs at verbose level for the decoders' error counts, not 10 lines a second.
        audio_graph.append("[a_qc]ebur128=peak=true:framelog=quiet,anullsink")
        if (audio.start_s or 0.0) > 0.02:
            notes.append(f"audio starts {audio.start_s:.3f} s into the title: padded with silence")
        outputs[RenditionKind.AUDIO] = out_dir / FILE_NAMES[RenditionKind.AUDIO]
    else:
        notes.append("no audio stream: no audio rendition")
    if video:
        graph += _video_graph(video, fps, params, notes)
        gop = keyframe_interval_frames(fps, params.keyframe_interval_s)
        outputs[RenditionKind.MEZZANINE] = out_dir / FILE_NAMES[RenditionKind.MEZZANINE]
        outputs[RenditionKind.PROXY] = out_dir / FILE_NAMES[RenditionKind.PROXY]
        mezzanine_audio = (
            ["-map", "[a_mezzanine]", "-c:a", "aac", "-b:a", params.audio_bitrate, "-ac", "2", "-ar", "48000"]
            if audio
            else []
        )
        outputs_args += [
            "-map", "[mezzanine]", *mezzanine_audio,
            "-c:v", "libx264", "-preset", params.preset, "-crf", str(params.crf), "-x264-params", X264_REPRODUCIBLE,
            "-pix_fmt", "yuv420p", "-g", str(gop), "-keyint_min", str(gop), "-sc_threshold", "0",
            "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "tv",
            "-movflags", "+faststart", "-max_muxing_queue_size", "4096",
            str(outputs[RenditionKind.MEZZANINE]),
            "-map", "[proxy]",
            "-c:v", "libx264", "-preset", "ultrafast", "-tune", "fastdecode", "-crf", str(params.proxy_crf),
            "-pix_fmt", "yuv420p", "-g", str(gop), "-movflags", "+faststart", "-max_muxing_queue_size", "4096",
            str(outputs[RenditionKind.PROXY]),
        ]  # fmt: skip
    if audio:
        outputs_args += [
            "-map",
            "[asr]",
            "-c:a",
            "flac",
            "-max_muxing_queue_size",
            "4096",
            str(outputs[RenditionKind.AUDIO]),
        ]
    # Audio and video in separate filter graphs: ffmpeg runs each graph on its own thread, so loudness with
    # true peak (4x oversampling) no longer queues behind the video filters.
    graphs = [arg for g in (graph, audio_graph) if g for arg in ("-filter_complex", ";".join(g))]
    argv = [
        ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-loglevel", "verbose", "-y",
        *(["-threads", "1"] if one_decoder_thread else []), "-i", str(source), *graphs, *outputs_args,
    ]  # fmt: skip
    return RenditionPlan(argv=argv, outputs=outputs, fps=fps, notes=tuple(notes))


def _title_timeline(video: StreamInfo, fps: Fraction, notes: list[str]) -> list[str]:
    """Frame k of every video rendition is at title time k / fps: a late video starts after black frames."""
    offset = video.start_s or 0.0
    if offset * fps < 0.5:
        return [f"fps={fps}:start_time=0"]
    notes.append(f"video starts {offset:.3f} s into the title: padded with black")
    # Shifted by the stream's start, not its first decoded frame: when damage hides the first frames, tpad
    # still puts every later frame back at its own title time.
    return [f"setpts=PTS-{offset:.6f}/TB", f"tpad=start_duration={offset:.6f}:color=black", f"fps={fps}:start_time=0"]


def _video_graph(video: StreamInfo, fps: Fraction, params: RenditionParams, notes: list[str]) -> list[str]:
    chain = []
    if video.interlaced or video.field_order in ("tt", "bb", "tb", "bt"):
        chain.append("bwdif=mode=send_frame:deint=interlaced")
        notes.append(f"deinterlaced (field order {video.field_order})")
    if video.variable_frame_rate:
        notes.append(f"variable frame rate resampled to constant {fps} fps (frames repeated or dropped, never retimed)")
    if video.rotation:
        notes.append(f"display rotation {video.rotation} applied")
    chain += _title_timeline(video, fps, notes)
    # Untagged HD is BT.709 and untagged SD BT.601 in practice; swscale would assume BT.601 for both.
    in_matrix = video.color_space if video.color_space in ("bt709", "bt470bg", "smpte170m") else None
    in_matrix = in_matrix or ("bt709" if (video.height or 0) >= 720 else "bt601")
    height = f"trunc(min({params.target_height},ih)/2)*2"
    chain.append(
        f"scale=w='trunc({height}*dar/2)*2':h='{height}':in_color_matrix={in_matrix}:out_color_matrix=bt709:out_range=tv"
    )
    chain.append(f"setsar=1,setparams={_BT709},split=2[mezzanine][small]")
    proxy_height = f"trunc(min({params.proxy_height},ih)/2)*2"
    return [
        f"[0:{video.index}]" + ",".join(chain),
        f"[small]scale=w=-2:h='{proxy_height}':flags=bilinear,setsar=1,split=2[proxy][v_qc]",
        f"[v_qc]blackdetect=d={params.black_min_s}:pix_th={params.black_pixel_threshold},"
        f"freezedetect=n={params.freeze_noise_db}dB:d={params.freeze_min_s},nullsink",
    ]
