"""The stages of `plw bench`, each returning plain figures; `bench_report` renders them."""

from __future__ import annotations

import gc
import json
import shutil
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from plw_assistant.config import QueryBackend, QueryPrecision, Settings
from plw_assistant.embedding.cache import CachedEmbedder
from plw_assistant.embedding.model import SentenceTransformerEmbedder
from plw_assistant.evaluation.beir import evaluate_beir, load_beir
from plw_assistant.pipeline.build import build_index
from plw_assistant.pipeline.embed import embedding_texts
from plw_assistant.pipeline.freshness import choose_ann
from plw_assistant.store.generations import current_generation
from plw_assistant.store.reader import Index
from plw_assistant.store.writer import write_generation

from . import harness as bm
from .synthetic import SciFact
from .synthetic import build as synthetic_index

Say = Callable[[str], None]
SIZES = {"shipped": 0, "10k": 10_000, "100k": 100_000, "1m": 1_000_000}


def query_encoding(embedder: SentenceTransformerEmbedder, questions: list[str]) -> dict[str, Any]:
    """One question at a time: the bare sentence-transformers call (torch fp32) against the
    ONNX encoders (fp32 and the 8-bit copy), in alternating blocks; ``backend`` is the one
    the server uses (``PLW_QUERY_PRECISION=auto``: the one measured faster on this CPU)."""
    model = embedder.sentence_transformer()
    exact, int8 = (
        SentenceTransformerEmbedder(embedder.name, "onnx", embedder.cache_dir, query_precision=p)
        for p in ("fp32", "int8")
    )
    paths = {
        "torch": lambda t: model.encode([t], normalize_embeddings=True),
        "onnx_fp32": lambda t: exact.encode_queries([t]),
        "onnx": lambda t: int8.encode_queries([t]),
    }
    times: dict[str, list[float]] = {name: [] for name in paths}
    for _ in range(2):  # in blocks: torch's idle OpenMP threads spin and would slow ONNX
        for name, encode in paths.items():
            bm.median_ms(encode, questions[:5])
            times[name] += bm.times_ms(encode, questions)
            time.sleep(1)
    ref = model.encode(questions, normalize_embeddings=True, convert_to_numpy=True)
    out: dict[str, Any] = {"questions": len(questions), "backend": embedder.query_path}
    for name, encoder in (("onnx_fp32", exact), ("onnx", int8)):
        fast = np.concatenate([encoder.encode_queries([q]) for q in questions])
        out[f"{name}_min_cosine"] = float((ref * fast).sum(1).min())
    out.update({f"{name}_ms": statistics.median(t) for name, t in times.items()})
    out["speedup"] = out["torch_ms"] / out["onnx_ms"]
    out["min_cosine"] = out["onnx_min_cosine"]
    return out


def scifact_quality(settings: Settings, folder: Path, say: Say) -> dict[str, Any]:
    """SciFact nDCG@10, hybrid and dense, with questions encoded by torch, by the ONNX
    export and by its 8-bit copy (what the server uses)."""
    data = load_beir(folder)
    out: dict[str, Any] = {}
    paths: dict[str, tuple[QueryBackend, QueryPrecision]] = {
        "torch": ("torch", "fp32"),
        "onnx_fp32": ("onnx", "fp32"),
        "onnx": ("onnx", "int8"),
    }
    for name, (backend, precision) in paths.items():
        say(f"SciFact with questions encoded by {backend} {precision}")
        model = SentenceTransformerEmbedder(
            settings.model, backend, settings.cache_dir, query_precision=precision
        )
        cached = CachedEmbedder(model, settings.cache_dir)
        for mode in ("hybrid", "dense"):
            result = evaluate_beir(data, cached, mode, sentence_vectors=settings.sentence_vectors)
            out[name if mode == "hybrid" else f"{name}_dense"] = result["ndcg@10"]
    out["change"] = out["onnx"] - out["torch"]
    out["method"] = settings.sentence_vectors
    return out


def indexing(
    embedder: SentenceTransformerEmbedder, data: SciFact, docs: int, work: Path, say: Say
) -> dict[str, Any]:
    """`plw index` of ``docs`` abstracts written as notes, against the bare encode of exactly
    the texts it embedded; each twice, alternating, with nothing cached."""
    corpus = work / "indexing" / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for i in range(docs):
        (corpus / f"{data.ids[i]}.md").write_text(f"# {data.titles[i]}\n\n{data.texts[i]}\n")
    model = embedder.sentence_transformer()
    build_s, bare_s = [], []
    texts: list[str] = []
    chunks = 0
    for round_ in range(2):
        run = work / "indexing" / f"run{round_}"
        settings = Settings(corpus_dir=corpus, index_dir=run / "index", cache_dir=run / "cache")
        say(f"indexing {docs} notes, round {round_ + 1} of 2")
        report = build_index(settings, embedder)
        build_s.append(report.seconds)
        assert report.index is not None
        texts, chunks = (
            embedding_texts(report.index.chunks, settings.sentence_vectors),
            report.chunks,
        )
        t = time.perf_counter()
        model.encode(texts, batch_size=settings.batch_size, normalize_embeddings=True)
        bare_s.append(time.perf_counter() - t)
        shutil.rmtree(run, ignore_errors=True)
    b, r = statistics.median(build_s), statistics.median(bare_s)
    return {
        "notes": docs,
        "chunks": chunks,
        "texts": len(texts),
        "build_s": b,
        "bare_s": r,
        "chunks_per_s": chunks / b,
        "texts_per_s": len(texts) / b,
        "bare_texts_per_s": len(texts) / r,
        "ratio": r / b,
    }


def archive(
    embedder: SentenceTransformerEmbedder, data: SciFact, work: Path, say: Say
) -> dict[str, Any]:
    """A full `plw index` of every SciFact abstract saved as a note against one bare
    `SentenceTransformer.encode` (fp32, batch 32) of the abstracts alone: what a plain
    passage-only pipeline would spend on the same archive. Nothing cached."""
    corpus = work / "archive" / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for i, doc_id in enumerate(data.ids):
        (corpus / f"{doc_id}.md").write_text(f"# {data.titles[i]}\n\n{data.texts[i]}\n")
    settings = Settings(
        corpus_dir=corpus, index_dir=work / "archive" / "index", cache_dir=work / "archive" / "c"
    )
    say(f"indexing all {len(data.ids)} SciFact abstracts as notes (nothing cached)")
    report = build_index(settings, embedder)
    assert report.index is not None
    abstracts = [f"{t}: {x}" for t, x in zip(data.titles, data.texts, strict=True)]
    say(f"bare encode of the {len(abstracts)} abstracts")
    t = time.perf_counter()
    embedder.sentence_transformer().encode(abstracts, batch_size=32, normalize_embeddings=True)
    bare = time.perf_counter() - t
    shutil.rmtree(work / "archive", ignore_errors=True)
    return {
        "notes": len(data.ids),
        "chunks": report.chunks,
        "sentences": report.index.sentences.size,
        "texts": report.embedded,
        "long": report.long,
        "windows": report.windows,
        "method": report.index.manifest.sentence_vectors,
        "precision": report.index.manifest.precision,
        "build_s": report.seconds,
        "bare_s": bare,
        "ratio": report.seconds / bare,
        "notes_per_s": len(data.ids) / report.seconds,
        "bare_per_s": len(abstracts) / bare,
    }


def prepare(
    size: str,
    settings: Settings,
    embedder: SentenceTransformerEmbedder,
    data: SciFact | None,
    base: np.ndarray | None,
    work: Path,
) -> tuple[dict[str, str], np.ndarray, Index | None]:
    """The environment for `plw serve` at ``size`` and the chunk vectors it searches."""
    if size == "shipped":
        env_settings = Settings(corpus_dir=settings.corpus_dir, index_dir=work / size / "index")
        report = build_index(env_settings, embedder)
        index = report.index or Index.load(env_settings.index_dir)
        vectors = index.vectors_of(range(index.size))
        env = {"PLW_CORPUS_DIR": str(settings.corpus_dir.resolve())}
        return {**env, "PLW_INDEX_DIR": str(env_settings.index_dir)}, vectors, None
    assert data is not None and base is not None
    n = SIZES[size]
    empty = work / size / "corpus"
    empty.mkdir(parents=True, exist_ok=True)
    index, vectors = synthetic_index(
        data, base, n, choose_ann(settings, n), embedder.name, embedder.weights_sha256(), empty
    )
    write_generation(index, work / size / "index")
    env = {"PLW_CORPUS_DIR": str(empty), "PLW_INDEX_DIR": str(work / size / "index")}
    return env, vectors, index


def serve_size(
    size: str,
    env: dict[str, str],
    questions: list[str],
    clients: list[int],
    rounds: int,
    work: Path,
    say: Say,
) -> dict[str, Any]:
    """Start `plw serve` on the prepared index, then run every load level, in ``rounds``
    rounds of all levels so that a slow spell of the machine hits every level alike."""
    out: dict[str, Any] = {}
    runs: dict[int, list[bm.Load]] = {c: [] for c in clients}
    n = (len(questions) - 1) // (len(clients) * rounds)
    cpu: dict[int, list[float]] = {c: [] for c in clients}
    with bm.serve(env, work / f"serve-{size}.log") as server:
        out["start_s"] = server.first_answer(questions[0])
        asked = iter(questions[1:])
        for r in range(rounds):
            for c in clients:
                say(f"{size}: round {r + 1} of {rounds}, {c} client(s)")
                before = server.cpu_seconds()
                runs[c].append(bm.load(server.base, [next(asked) for _ in range(n)], c))
                cpu[c].append((server.cpu_seconds() - before) * 1000 / n)
        out["rss_mb"], out["peak_mb"] = server.memory_mb()
    out["cpu_ms"] = {str(c): statistics.median(v) for c, v in cpu.items()}
    out["levels"] = [bm.combine(runs[c]).figures() for c in clients]
    if 1 in runs and 8 in runs:
        gains = [e.per_second / o.per_second for o, e in zip(runs[1], runs[8], strict=True)]
        out["gain_8"] = statistics.median(gains)
        out["gains_8"] = gains
    return out


def cold_start(env: dict[str, str], question: str, runs: int, work: Path) -> list[float]:
    """Seconds from `plw serve` starting to its first answer, index already built."""
    times = []
    for _ in range(runs):
        with bm.serve(env, work / "cold-start.log") as server:
            times.append(server.first_answer(question))
    return times


def size_figures(
    vectors: np.ndarray, index: Index | None, query_vectors: np.ndarray, test_vectors: np.ndarray
) -> dict[str, Any]:
    """Bare exact search time at this size and the served vector index's recall@10, both
    through the path `plw serve` takes: the index as it loads it from disk, an IVF index's
    candidates re-scored with the exact vectors (``Index.nearest``)."""
    out: dict[str, Any] = {
        "chunks": len(vectors),
        "flat_ms": bm.flat_search_ms(vectors, query_vectors),
    }
    out["ann"] = index.manifest.ann if index is not None else "flat"
    if index is not None and index.manifest.ann != "flat":
        served = Index.load(index.path.parent) if index.path is not None else index
        flat = faiss.IndexFlatIP(vectors.shape[1])
        flat.add(np.ascontiguousarray(vectors, dtype=np.float32))
        _, truth = flat.search(test_vectors, 10)
        _, found = served.nearest(test_vectors, 10)
        shared = [len(set(a) & set(b)) / 10 for a, b in zip(truth, found, strict=True)]
        out["recall@10"] = float(np.mean(shared))
        out["ann_ms"] = bm.median_ms(lambda q: served.nearest(q, 10), list(query_vectors))
    return out


def run_size(
    size: str,
    ctx: dict[str, Any],
    work: Path,
    say: Say,
) -> dict[str, Any]:
    settings, embedder = ctx["settings"], ctx["embedder"]
    say(f"{size}: preparing the index")
    env, vectors, index = prepare(size, settings, embedder, ctx.get("data"), ctx.get("base"), work)
    figures = size_figures(vectors, index, ctx["query_vectors"], ctx["test_vectors"])
    del index, vectors
    gc.collect()
    if size == "shipped" and ctx["cold_runs"]:
        say("shipped: cold starts")
        figures["cold_start_s"] = cold_start(env, ctx["questions"][0], ctx["cold_runs"], work)
    questions = ctx["questions_for"](size)
    figures.update(serve_size(size, env, questions, ctx["clients"], ctx["rounds"], work, say))
    gen = current_generation(Path(env["PLW_INDEX_DIR"]))
    figures["index_mb"] = sum(f.stat().st_size for f in gen.rglob("*")) / 2**20 if gen else 0
    shutil.rmtree(work / size, ignore_errors=True)
    (work / f"result-{size}.json").write_text(json.dumps(figures, indent=1))
    return figures
