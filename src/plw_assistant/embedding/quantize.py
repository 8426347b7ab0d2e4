"""An 8-bit copy of the query encoder: every matrix product with stored weights gets int8
weights, one scale per block of 64 input rows (onnxruntime's ``MatMulNBits``), and its
activations are quantised per block as it runs (``accuracy_level=4``: int8 dot products).
The word embeddings and everything else stay fp32.

A question is a dozen tokens, so encoding it is bound by reading 22 M weights, not by the
arithmetic: a quarter of the bytes is what makes it fast (3.7 ms → 1.5 ms here). Per-block
scales keep it close to fp32 where the earlier per-tensor dynamic quantisation was not
(lowest cosine to torch on the dev questions 0.9988 against 0.9948, at twice that speed;
BENCHMARKS.md, "Query encoding"). The copy is used only if it agrees with torch."""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger("plw_assistant")

# Lowest cosine to torch accepted on the probes (this copy: 0.9988 at worst on the dev
# questions; blocks of 32 rows gave 0.9991 and 16 gave 0.9994, each slower, with SciFact
# nDCG@10 within 0.004 of fp32 for all three).
MIN_COSINE = 0.995
BLOCK = 64
INT8_COMPUTE = 4  # onnxruntime's accuracy_level for int8 activations


def int8_path(graph: Path) -> Path:
    return graph.with_suffix(".int8.onnx")


def quantize(graph: Path) -> Path:
    """Write the 8-bit copy of ``graph`` beside it (atomically) and return its path."""
    import onnx

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        from onnxruntime.quantization.matmul_nbits_quantizer import (
            DefaultWeightOnlyQuantConfig,
            MatMulNBitsQuantizer,
        )
    finally:
        # Importing it calls logging.basicConfig(level=INFO), which would print every
        # library's INFO lines in this process from then on.
        root.handlers[:] = handlers
        root.setLevel(level)
    config = DefaultWeightOnlyQuantConfig(
        block_size=BLOCK, is_symmetric=True, accuracy_level=INT8_COMPUTE, bits=8
    )
    target = int8_path(graph)
    tmp = target.with_suffix(f".{os.getpid()}.tmp")
    quiet = logging.getLogger("onnxruntime.quantization.matmul_nbits_quantizer")
    level = quiet.level
    quiet.setLevel(logging.WARNING)  # it logs every node it skips
    try:
        quantizer = MatMulNBitsQuantizer(
            onnx.load(str(graph)),
            bits=8,
            block_size=BLOCK,
            is_symmetric=True,
            accuracy_level=INT8_COMPUTE,
            algo_config=config,
        )
        quantizer.process()
        model = quantizer.model.model
        if not any(n.op_type == "MatMulNBits" for n in model.graph.node):
            raise ValueError("the model has no matrix products with stored weights")
        onnx.save(model, str(tmp))
        os.replace(tmp, target)
    finally:
        quiet.setLevel(level)
        tmp.unlink(missing_ok=True)
    return target
