# The code location image: the same image runs the gRPC code server, the webserver, the daemon and every
# run task (EcsRunLauncher starts runs from the code location's task definition).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DAGSTER_HOME=/opt/dagster/home
WORKDIR /opt/media_pipelines

# ffmpeg comes from imageio-ffmpeg's static build and decoding from PyAV wheels; the OCR engine's OpenCV
# (the build rapidocr-onnxruntime requires) links GL and GLib, which the slim image lacks.
RUN apt-get update && apt-get install -y --no-install-recommends libgl1 libglib2.0-0 && \
    rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
COPY media_pipelines ./media_pipelines
RUN pip install --no-cache-dir ".[openai,production]" && \
    mkdir -p "$DAGSTER_HOME"
# Search queries run MiniLM on ONNX Runtime: exported and checked once here (7-17 s, 91 MB in the user's
# cache) instead of by every new task before its first query.
RUN python -c "from media_pipelines.core.search.text import MINILM_L6, query_encoder; query_encoder(MINILM_L6)"
COPY deploy/aws/dagster.yaml "$DAGSTER_HOME/dagster.yaml"
COPY workspace.yaml ./

# Whisper weights: set TranscriptConfig.model to a path baked in here or on a mounted volume, or let the
# backend's cache download `small` on first use (the task needs egress to the model hub then).
EXPOSE 4000
CMD ["dagster", "code-server", "start", "-h", "0.0.0.0", "-p", "4000", "-m", "media_pipelines.definitions"]
