"""A sentence-transformers model exported to ONNX and run by ONNX Runtime, for encoding search queries.

One short query through torch costs 5-14 ms on this machine's CPU, and beside other work on both cores
torch's two intra-op threads slowed to 25 ms at the median and 400 ms at p95; the same weights on ONNX
Runtime, on one thread, took about 3 ms alone and 5-6 ms in those conditions. The export is made once per
model and torch release, checked against torch on texts of several lengths, and kept in the user's cache;
a later process loads it in about a second, with no torch model."""

import json
import logging
import os
import re
import tempfile
import warnings
from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path

import numpy as np

# The largest difference allowed between the exported model's vectors and torch's, per coordinate of a unit
# vector (seen: 2e-7): far below what moves a neighbour's rank.
TOLERANCE = 1e-5
# Checked before an export is kept: short and long queries, and one past the model's token limit.
_PROBES = (
    "a",
    "ask not what your country can do for you",
    "Two riders race down a muddy forest trail at dusk, then stop by the river.",
    " ".join(["the long take follows her through the crowded market"] * 40),
)


class OnnxExportError(RuntimeError):
    """The model has no ONNX form here: its modules are not a transformer, mean pooling and normalising, or
    the export failed, or its vectors differ from torch's."""


class OnnxSentenceEncoder:
    """One text at a time (a query): batch-1 inputs carry no padding, which is the shape it was checked on."""

    def __init__(self, model_file: Path, folder: str, model_id: str):
        import onnxruntime
        from transformers import AutoTokenizer

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(str(model_file), options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._tokenizer = AutoTokenizer.from_pretrained(folder)
        self._max_length = _max_seq_length(folder)
        self.model_id = model_id
        self.dim = self._session.get_outputs()[0].shape[-1]

    @classmethod
    def cached(cls, folder: str, model_id: str, cache: Path) -> "OnnxSentenceEncoder":
        """The export kept in `cache`, made (and checked) first if it is not there."""
        model_file = cache / f"{re.sub(r'[^A-Za-z0-9._-]', '_', model_id)}-torch{version('torch')}.onnx"
        if not model_file.exists():
            _export(folder, model_id, model_file)
        return cls(model_file, folder, model_id)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        vectors = np.zeros((len(texts), self.dim), np.float32)
        for row, text in enumerate(texts):
            tokens = self._tokenizer([text], truncation=True, max_length=self._max_length, return_tensors="np")
            feed = {name: values.astype(np.int64) for name, values in tokens.items() if name in self._inputs}
            hidden = self._session.run(None, feed)[0][0]
            mean = hidden.mean(axis=0)  # every token counts: one text has no padding to mask
            vectors[row] = mean / max(float(np.linalg.norm(mean)), 1e-12)
        return vectors


def _max_seq_length(folder: str) -> int:
    return int(json.loads((Path(folder) / "sentence_bert_config.json").read_text())["max_seq_length"])


def _export(folder: str, model_id: str, model_file: Path) -> None:
    """Exported to a file beside the target and renamed into place once its vectors match torch's, so a
    concurrent process reads no half-written or unchecked model."""
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(folder, device="cpu", local_files_only=True)
    modules = [type(module).__name__ for module in model]
    if modules != ["Transformer", "Pooling", "Normalize"] or model[1].get_config_dict()["pooling_mode"] != "mean":
        raise OnnxExportError(f"{model_id}: modules {modules} are not a transformer, mean pooling and normalising")
    transformer = model[0].auto_model.eval()
    tokens = model.tokenizer(list(_PROBES[1:2]), return_tensors="pt")
    names = list(tokens.keys())
    length = torch.export.Dim("tokens", min=1, max=model.max_seq_length)

    class LastHidden(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.transformer = transformer

        def forward(self, *inputs):
            return self.transformer(**dict(zip(names, inputs, strict=True))).last_hidden_state

    model_file.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=model_file.parent, prefix=".export-") as work:
        candidate = Path(work) / model_file.name
        exporter_log = logging.getLogger("torch.onnx")
        level = exporter_log.level
        try:
            # Its tracer warnings and a line per torchvision operator it cannot find are of no use here.
            exporter_log.setLevel(logging.ERROR)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                exported = torch.onnx.export(
                    LastHidden(),
                    tuple(tokens.values()),
                    dynamo=True,
                    input_names=names,
                    output_names=["last_hidden_state"],
                    dynamic_shapes=(tuple({1: length} for _ in names),),  # the one *inputs argument
                    verbose=False,
                )
            exported.save(str(candidate))
        except Exception as error:  # the exporter raises many kinds; any of them means torch runs queries
            raise OnnxExportError(f"{model_id}: the ONNX export failed: {error}") from error
        finally:
            exporter_log.setLevel(level)
        expected = model.encode(list(_PROBES), normalize_embeddings=True, convert_to_numpy=True)
        got = OnnxSentenceEncoder(candidate, folder, model_id).encode(_PROBES)
        difference = float(np.abs(got - expected).max())
        if difference > TOLERANCE:
            raise OnnxExportError(f"{model_id}: ONNX vectors differ from torch's by {difference:.2e}")
        os.replace(candidate, model_file)
