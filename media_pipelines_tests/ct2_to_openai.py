"""Convert a CTranslate2 Whisper model (model.bin) into an openai-whisper checkpoint, for tests only.

model.bin layout (CTranslate2 binary version 6): u32 version, string spec name, u32 revision, u32 variable
count, then per variable: string name, u8 rank, u32 dims, u8 dtype id, u32 byte count, raw bytes; then u32
alias count and (alias, target) string pairs. A string is a u16 length (with its NUL) and the bytes.
"""

import json
import struct
from pathlib import Path

import numpy as np

_DTYPES = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16}


def read_ct2(path: Path) -> dict[str, np.ndarray]:
    with path.open("rb") as f:

        def string() -> str:
            (length,) = struct.unpack("<H", f.read(2))
            return f.read(length)[:-1].decode()

        (binary_version,) = struct.unpack("<I", f.read(4))
        assert binary_version >= 5, binary_version
        spec = string()
        assert spec == "WhisperSpec", spec
        f.read(4)  # revision
        (count,) = struct.unpack("<I", f.read(4))
        variables = {}
        for _ in range(count):
            name = string()
            (rank,) = struct.unpack("<B", f.read(1))
            shape = struct.unpack(f"<{rank}I", f.read(4 * rank))
            (dtype,) = struct.unpack("<B", f.read(1))
            (size,) = struct.unpack("<I", f.read(4))
            variables[name] = np.frombuffer(f.read(size), _DTYPES[dtype]).reshape(shape)
        (aliases,) = struct.unpack("<I", f.read(4))
        for _ in range(aliases):
            alias, target = string(), string()
            variables[alias] = variables[target]
    return variables


def _layer(v, prefix: str, target: str, state: dict) -> None:
    state[f"{target}.weight"] = v[f"{prefix}/gamma"] if f"{prefix}/gamma" in v else v[f"{prefix}/weight"]
    bias = v.get(f"{prefix}/beta", v.get(f"{prefix}/bias"))
    if bias is not None:
        state[f"{target}.bias"] = bias


def _fused(v, prefix: str, targets: list[str], state: dict, bias_for: set[str]) -> None:
    """CTranslate2 fuses query/key/value projections; openai-whisper's key has no bias."""
    weights = np.split(v[f"{prefix}/weight"], len(targets))
    biases = np.split(v[f"{prefix}/bias"], len(targets))
    for target, weight, bias in zip(targets, weights, biases, strict=True):
        state[f"{target}.weight"] = weight
        if target.rsplit(".", 1)[-1] in bias_for:
            state[f"{target}.bias"] = bias


def _block(v, src: str, dst: str, state: dict) -> None:
    """What encoder and decoder layers share: self-attention and the feed-forward network."""
    queries = [f"{dst}.attn.{p}" for p in ("query", "key", "value")]
    _fused(v, f"{src}/self_attention/linear_0", queries, state, {"query", "value"})
    _layer(v, f"{src}/self_attention/linear_1", f"{dst}.attn.out", state)
    _layer(v, f"{src}/self_attention/layer_norm", f"{dst}.attn_ln", state)
    _layer(v, f"{src}/ffn/linear_0", f"{dst}.mlp.0", state)
    _layer(v, f"{src}/ffn/linear_1", f"{dst}.mlp.2", state)
    _layer(v, f"{src}/ffn/layer_norm", f"{dst}.mlp_ln", state)


def convert(model_dir: Path, out: Path) -> Path:
    import torch

    v = read_ct2(model_dir / "model.bin")
    encoder_layers = len(
        {k.split("/")[1] for k in v if k.startswith("encoder/layer_") and not k.startswith("encoder/layer_norm")}
    )
    decoder_layers = len(
        {k.split("/")[1] for k in v if k.startswith("decoder/layer_") and not k.startswith("decoder/layer_norm")}
    )
    state: dict[str, np.ndarray] = {}
    for name in ("conv1", "conv2"):
        _layer(v, f"encoder/{name}", f"encoder.{name}", state)
    state["encoder.positional_embedding"] = v["encoder/position_encodings/encodings"]
    for i in range(encoder_layers):
        _block(v, f"encoder/layer_{i}", f"encoder.blocks.{i}", state)
    _layer(v, "encoder/layer_norm", "encoder.ln_post", state)
    state["decoder.token_embedding.weight"] = v["decoder/embeddings/weight"]
    state["decoder.positional_embedding"] = v["decoder/position_encodings/encodings"]
    for i in range(decoder_layers):
        src, dst = f"decoder/layer_{i}", f"decoder.blocks.{i}"
        _block(v, src, dst, state)
        _layer(v, f"{src}/attention/linear_0", f"{dst}.cross_attn.query", state)
        _fused(v, f"{src}/attention/linear_1", [f"{dst}.cross_attn.{p}" for p in ("key", "value")], state, {"value"})
        _layer(v, f"{src}/attention/linear_2", f"{dst}.cross_attn.out", state)
        _layer(v, f"{src}/attention/layer_norm", f"{dst}.cross_attn_ln", state)
    _layer(v, "decoder/layer_norm", "decoder.ln", state)

    conv1 = v["encoder/conv1/weight"]
    dims = {
        "n_mels": conv1.shape[1],
        "n_audio_ctx": v["encoder/position_encodings/encodings"].shape[0],
        "n_audio_state": conv1.shape[0],
        "n_audio_head": int(v["encoder/num_heads"]),
        "n_audio_layer": encoder_layers,
        "n_vocab": v["decoder/embeddings/weight"].shape[0],
        "n_text_ctx": v["decoder/position_encodings/encodings"].shape[0],
        "n_text_state": v["decoder/embeddings/weight"].shape[1],
        "n_text_head": int(v["decoder/num_heads"]),
        "n_text_layer": decoder_layers,
    }
    tensors = {k: torch.from_numpy(np.array(a, dtype=np.float32)) for k, a in state.items()}
    config = json.loads((model_dir / "config.json").read_text())
    torch.save({"dims": dims, "model_state_dict": tensors, "alignment_heads": config.get("alignment_heads")}, out)
    return out
