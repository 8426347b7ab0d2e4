"""The ONNX query encoder: the same embeddings and rankings as torch, reused without torch,
exported again when damaged, and torch whenever it cannot be used."""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import REPO

from plw_assistant.embedding.model import SentenceTransformerEmbedder
from plw_assistant.errors import ModelError

QUESTIONS = [
    json.loads(line)["question"]
    for line in (REPO / "tests" / "golden" / "plw-dev.jsonl").read_text().splitlines()
    if line.strip()
]


def test_questions_encode_as_in_torch_and_rank_the_same(embedder, assistant) -> None:
    exact = SentenceTransformerEmbedder(cache_dir=embedder.cache_dir, query_precision="fp32")
    fast = exact.encode_queries(QUESTIONS)
    reference = embedder.encode(QUESTIONS)
    assert exact.query_path == "onnx"  # the fp32 export really ran
    assert float((fast * reference).sum(1).min()) >= 0.9999
    index = assistant.index
    for f, r in zip(fast, reference, strict=True):
        assert [row for row, _ in index.dense_search(f, 10)] == [
            row for row, _ in index.dense_search(r, 10)
        ]


def test_the_8_bit_encoder_is_close_to_torch_and_finds_the_same_passages(
    embedder, assistant
) -> None:
    int8 = SentenceTransformerEmbedder(cache_dir=embedder.cache_dir, query_precision="int8")
    assert int8.query_path == "onnx int8"
    fast = int8.encode_queries(QUESTIONS)
    reference = embedder.encode(QUESTIONS)
    assert float((fast * reference).sum(1).min()) >= 0.995  # per-block int8 weights
    index = assistant.index
    same_first = sum(
        index.dense_search(f, 1)[0][0] == index.dense_search(r, 1)[0][0]
        for f, r in zip(fast, reference, strict=True)
    )
    assert same_first >= 0.95 * len(QUESTIONS), f"{same_first} of {len(QUESTIONS)}"


def test_the_8_bit_copy_stores_int8_weights_for_every_matrix_product(embedder) -> None:
    import onnx

    graph = next((embedder.cache_dir / "onnx").glob("*.int8.onnx"))
    ops = [n.op_type for n in onnx.load(str(graph)).graph.node]
    assert ops.count("MatMulNBits") == 36  # 6 layers x (Q, K, V, output, FFN up, FFN down)
    assert graph.stat().st_size < 0.7 * graph.with_suffix("").with_suffix(".onnx").stat().st_size


def test_an_8_bit_copy_that_failed_its_check_is_not_used(embedder, tmp_path: Path) -> None:
    shutil.copytree(embedder.cache_dir / "onnx", tmp_path / "onnx")
    record = next((tmp_path / "onnx").glob("*[0-9a-f].json"))
    data = json.loads(record.read_text())
    record.write_text(json.dumps({**data, "int8_min_cosine": None}))
    fresh = SentenceTransformerEmbedder(cache_dir=tmp_path, query_precision="int8")
    assert fresh.query_path == "onnx"


def test_a_verified_export_is_used_without_importing_torch(embedder) -> None:
    code = (
        "import sys; from pathlib import Path;"
        "from plw_assistant.embedding.model import SentenceTransformerEmbedder as E;"
        f"e = E(cache_dir=Path({str(embedder.cache_dir)!r}));"
        "v = e.encode_queries(['How can clusters support members with EU funding?']);"
        "print(v.shape, 'torch' in sys.modules, e.is_common_word('funding'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["(1,", "384)", "False", "True"]


def test_a_damaged_export_is_made_again(embedder, tmp_path: Path) -> None:
    shutil.copytree(embedder.cache_dir / "onnx", tmp_path / "onnx")
    graphs = list((tmp_path / "onnx").glob("*.onnx"))
    assert len(graphs) == 2  # fp32 and its 8-bit copy
    for graph in graphs:
        graph.write_bytes(b"not a model")
    fresh = SentenceTransformerEmbedder(cache_dir=tmp_path, query_precision="int8")
    vector = fresh.encode_queries(["What is a peer learning webinar?"])
    assert float(vector[0] @ embedder.encode(["What is a peer learning webinar?"])[0]) >= 0.98
    assert fresh.query_path == "onnx int8"
    assert all(graph.stat().st_size > 1_000_000 for graph in graphs)


def test_without_a_usable_cache_questions_go_through_torch(
    embedder, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    not_a_folder = tmp_path / "cache"
    not_a_folder.write_text("a file where the cache folder should be")
    auto = SentenceTransformerEmbedder(cache_dir=not_a_folder)
    with caplog.at_level(logging.WARNING, logger="plw_assistant"):
        vector = auto.encode_queries(["COVID"])
    assert "Encoding questions with torch" in caplog.text
    assert np.allclose(vector, embedder.encode(["COVID"]), atol=1e-5)
    forced = SentenceTransformerEmbedder(query_backend="onnx", cache_dir=not_a_folder)
    with pytest.raises(ModelError, match="PLW_QUERY_BACKEND is 'onnx' but the model"):
        forced.encode_queries(["COVID"])


def test_the_torch_backend_exports_nothing(tmp_path: Path) -> None:
    plain = SentenceTransformerEmbedder(query_backend="torch", cache_dir=tmp_path)
    assert plain.encode_queries(["COVID"]).shape == (1, 384)
    assert not (tmp_path / "onnx").exists()


def test_making_the_8_bit_copy_leaves_the_process_logging_as_it_was(tmp_path: Path) -> None:
    code = (
        "import logging, shutil, sys; from pathlib import Path;"
        "from plw_assistant.embedding.quantize import quantize;"
        "before = (list(logging.getLogger().handlers), logging.getLogger().level);"
        "import onnx; from onnx import helper, TensorProto, numpy_helper; import numpy as np;"
        "w = numpy_helper.from_array(np.ones((64, 8), np.float32), 'w');"
        "x = helper.make_tensor_value_info('x', TensorProto.FLOAT, [1, 64]);"
        "y = helper.make_tensor_value_info('y', TensorProto.FLOAT, [1, 8]);"
        "n = helper.make_node('MatMul', ['x', 'w'], ['y']);"
        "g = helper.make_graph([n], 'g', [x], [y], [w]);"
        f"p = Path({str(tmp_path)!r}) / 'm.onnx'; onnx.save(helper.make_model(g), str(p));"
        "quantize(p);"
        "after = (list(logging.getLogger().handlers), logging.getLogger().level);"
        "print(before == after, p.with_suffix('.int8.onnx').is_file())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "True"]
    assert "skip to quantize" not in out.stderr
