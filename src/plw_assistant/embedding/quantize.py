"""An 8-bit copy of the query encoder: the feed-forward up-projection of every layer (the
largest matrices, half the model's arithmetic) with int8 weights, onnxruntime dynamic
quantisation with one scale per output channel; everything else stays fp32. A question
encodes about a third faster (BENCHMARKS.md, "Query encoding"); the copy is used only if it
agrees with torch."""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger("plw_assistant")

# Lowest cosine to torch accepted on the probes. This copy gave 0.9948 at worst on the dev
# questions and the same golden answers as fp32. Quantising every matrix product but the
# feed-forward outputs was faster still (1.6x) at 0.993, but moved one dev answer's lead;
# every matrix product, 0.987 and SciFact dense nDCG@10 0.0034 lower (BENCHMARKS.md).
MIN_COSINE = 0.98
QUANTISED = "intermediate/dense/MatMul"  # BERT-style names of the up-projections


def int8_path(graph: Path) -> Path:
    return graph.with_suffix(".int8.onnx")


def quantize(graph: Path) -> Path:
    """Write the 8-bit copy of ``graph`` beside it (atomically) and return its path."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    nodes = onnx.load(str(graph), load_external_data=False).graph.node
    chosen = [n.name for n in nodes if n.op_type == "MatMul" and n.name.endswith(QUANTISED)]
    if not chosen:
        raise ValueError("the model has no feed-forward layers named as in BERT")
    target = int8_path(graph)
    tmp = target.with_suffix(f".{os.getpid()}.tmp")
    try:
        logging.getLogger().disabled = True  # the quantiser logs advice on the root logger
        quantize_dynamic(
            str(graph),
            str(tmp),
            weight_type=QuantType.QInt8,
            per_channel=True,
            nodes_to_quantize=chosen,
        )
    finally:
        logging.getLogger().disabled = False
    os.replace(tmp, target)
    return target
