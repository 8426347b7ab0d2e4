"""`plw bench`: its pieces (synthetic corpora, recall, the Markdown section) and one real run
against `plw serve` on the shipped corpus."""

from __future__ import annotations

import re
from pathlib import Path

import faiss
import numpy as np
import pytest
from click.testing import CliRunner
from conftest import REPO, HashEmbedder

from plw_assistant.cli import cli
from plw_assistant.ingest.corpus import load_corpus
from plw_assistant.search.fillers import without_fillers
from plw_assistant.store.reader import Index
from plw_assistant.store.vectors import vector_index
from plw_assistant.store.writer import write_generation
from plw_bench import harness as bm
from plw_bench.synthetic import SciFact, build, tiled

MINI = REPO / "tests" / "fixtures" / "beir-mini"  # made-up data


def test_questions_are_all_different() -> None:
    questions = bm.variants(["Who?", "What?", "Where?"], 90)
    assert len(set(questions)) == 90
    assert all(any(q in v for q in ("Who?", "What?", "Where?")) for v in questions)
    # Still different once the query analysis reads past courtesies: else the cache answers.
    assert len({without_fillers(q) for q in questions}) == 90


def test_tiled_vectors_keep_the_originals_first_and_stay_close() -> None:
    base = HashEmbedder().encode(["cluster funding", "peer learning", "mobility pilots"])
    out = tiled(base, 10)
    assert out.shape == (10, 64) and np.allclose(out[:3], base)
    assert np.allclose(np.linalg.norm(out, axis=1), 1, atol=1e-5)
    copies = (out[3:] * base[np.arange(3, 10) % 3]).sum(1)
    assert copies.min() > 0.7 and copies.max() < 0.9999  # near the original, not equal


def test_synthetic_index_is_served_like_a_built_one(tmp_path: Path) -> None:
    data = SciFact.read(MINI)
    embedder = HashEmbedder()
    base = data.embed(embedder, tmp_path / "cache")
    empty = tmp_path / "corpus"
    empty.mkdir()
    index, vectors = build(data, base, 400, "ivf", embedder.name, "sha", empty)
    assert index.size == 400 and index.manifest.ann == "ivf"
    assert index.chunks[6].document == f"scifact-{data.ids[2]}"
    assert index.chunks[6].text.startswith(data.titles[2])
    write_generation(index, tmp_path / "index")
    loaded = Index.load(tmp_path / "index")
    corpus, _ = load_corpus(empty)
    assert loaded.manifest.corpus_fingerprint == corpus.fingerprint  # serve will not rebuild
    queries = embedder.encode(data.queries)
    assert bm.recall_at_10(loaded.vectors, vectors, queries) >= 0.9
    assert loaded.lexical.scores("EU grant applications").argmax() % 4 == 1


def test_recall_is_measured_against_exact_search() -> None:
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((3000, 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    queries = vectors[:50] + 0.1
    assert bm.recall_at_10(vector_index(vectors, "flat"), vectors, queries) == 1.0
    coarse = vector_index(vectors, "ivf")
    faiss.extract_index_ivf(coarse).nprobe = 1  # one list of many: misses the others
    assert bm.recall_at_10(coarse, vectors, queries) < 0.9


def test_write_section_replaces_only_its_own_block(tmp_path: Path) -> None:
    path = tmp_path / "BENCHMARKS.md"
    path.write_text("# Benchmarks\n\nHand-made notes stay.\n")
    bm.write_section(path, "## first run\n")
    bm.write_section(path, "## second run\n")
    text = path.read_text()
    assert "Hand-made notes stay." in text and "first run" not in text
    assert text.count("<!-- plw bench: begin -->") == 1 and "## second run" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sizes", "5m"], "choose from"),
        (["--clients", "one"], "give numbers"),
        (["--clients", "0"], "1 to 256 clients"),
        (["--sizes", "10k", "--scifact", "/nowhere"], "synthetic sizes need it"),
    ],
)
def test_bench_usage_errors(args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["bench", *args])
    assert result.exit_code == 2 and message in result.output


@pytest.mark.slow
def test_plw_bench_measures_the_shipped_corpus_and_writes_its_section(
    tmp_path: Path, embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLW_CACHE_DIR", str(embedder.cache_dir))  # the session's ONNX export
    monkeypatch.chdir(REPO)
    out = tmp_path / "BENCHMARKS.md"
    args = ["bench", "--sizes", "shipped", "--clients", "1,2", "--requests", "24"]
    args += ["--cold-starts", "1", "--scifact", str(tmp_path / "none"), "-o", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    text = out.read_text()
    for clients in (1, 2):
        assert re.search(rf"\| shipped \| \d+ \| flat \| {clients} \| 24 \| 0 \|", text), text
    assert "Produced by `plw bench --sizes shipped" in text
    assert re.search(r"\| ONNX export, fp32 on onnxruntime \| [\d.]+ \| (0\.9999|1\.0000) \|", text)
    assert re.search(r"\| its 8-bit copy on onnxruntime \| [\d.]+ \| 0\.9[89]\d\d \|", text)
    assert re.search(r"the server uses: onnx( int8)?\.", text)  # auto: the faster here
    assert re.search(r"Shipped corpus: server CPU \d+\.\d ms per question", text)
    assert re.search(r"Cold start of `plw serve` to the first answer .* median \d+\.\d s", text)
    assert "Shipped corpus, one client: p50 = " in text
