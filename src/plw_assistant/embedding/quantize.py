"""An 8-bit copy of the query encoder: the export's matrix products with int8 weights
(onnxruntime dynamic quantisation, one scale per output channel), except the feed-forward
output layers, which lose the most in 8 bits. A question encodes about twice as fast
(BENCHMARKS.md, "Query encoding"); the copy is used only if it agrees with torch."""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger("plw_assistant")

# Lowest cosine to torch accepted on the probes. On the dev questions the copy gave 0.993 at
# worst, and SciFact nDCG@10 0.6783 dense / 0.7388 hybrid against 0.6770 / 0.7397 in fp32;
# quantising the feed-forward outputs as well gave 0.987 and lost 0.0034 dense nDCG.
MIN_COSINE = 0.98


def int8_path(graph: Path) -> Path:
    return graph.with_suffix(".int8.onnx")


def quantize(graph: Path) -> Path:
    """Write the 8-bit copy of ``graph`` beside it (atomically) and return its path."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    nodes = onnx.load(str(graph), load_external_data=False).graph.node
    keep = [
        n.name
        for n in nodes
        if n.op_type == "MatMul" and n.name.endswith("output/dense/MatMul")
        if "attention" not in n.name
    ]
    target = int8_path(graph)
    tmp = target.with_suffix(f".{os.getpid()}.tmp")
    try:
        logging.getLogger().disabled = True  # the quantiser logs advice on the root logger
        quantize_dynamic(
            str(graph),
            str(tmp),
            weight_type=QuantType.QInt8,
            per_channel=True,
            nodes_to_exclude=keep,
        )
    finally:
        logging.getLogger().disabled = False
    os.replace(tmp, target)
    return target
