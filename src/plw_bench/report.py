"""The Markdown that `plw bench` writes into BENCHMARKS.md, targets checked against it."""

from __future__ import annotations

import statistics
from typing import Any


def _ok(passed: bool) -> str:
    return "met" if passed else "**not met**"


def _bare(results: dict[str, Any], size: dict[str, Any]) -> float:
    return float(results["encoding"]["torch_ms"] + size["flat_ms"])


def render(results: dict[str, Any], command: str) -> str:
    m, enc = results["machine"], results["encoding"]
    lines = [
        "## `plw bench`: speed at every size",
        "",
        f"Produced by `{command}` on {m['date']}.",
        f"Machine: {m['cpu']}. {m['software']}.",
        "",
        "Every figure below comes from that one run; ratios compare figures of the same run.",
        "",
        "### Query encoding (one question at a time)",
        "",
        "| path | median ms | lowest cosine to torch | |",
        "|---|---:|---:|---|",
        f"| sentence-transformers, torch fp32 (the bare library call) | {enc['torch_ms']:.2f} "
        "| 1 | |",
        *_onnx_rows(enc),
        "",
        f"{enc['questions']} different questions; the server uses: {enc['backend']}.",
    ]
    if "scifact" in results:
        lines += _scifact(results["scifact"])
    if "indexing" in results:
        ix = results["indexing"]
        lines += [
            "",
            "### Indexing throughput",
            "",
            f"`plw index` of {ix['notes']} SciFact abstracts saved as notes ({ix['chunks']} "
            f"chunks, {ix['texts']} texts read by the model), nothing cached, against one bare "
            "`SentenceTransformer.encode` of exactly those texts; median of two rounds each.",
            "",
            "| | seconds | texts/s | chunks/s |",
            "|---|---:|---:|---:|",
            f"| `plw index` (read, chunk, embed, BM25, FAISS, save) | {ix['build_s']:.1f} | "
            f"{ix['texts_per_s']:.1f} | {ix['chunks_per_s']:.1f} |",
            f"| bare encode of the same texts | {ix['bare_s']:.1f} | "
            f"{ix['bare_texts_per_s']:.1f} | |",
            "",
            f"Indexing runs at **{ix['ratio']:.0%}** of the bare encode.",
        ]
    if "archive" in results:
        lines += _archive(results["archive"])
    lines += [
        "",
        "### `/api/ask` over HTTP on loopback",
        "",
        f"Each client sends its questions one after another on a keep-alive connection; every "
        f"question is different (no cache hits). The levels run {results['rounds']} times in "
        "turn (1, 8, 32 clients, then again): percentiles are over every request of a level, "
        "req/s is the median of its rounds. *Bare* is one torch fp32 query encoding + "
        "one exact FAISS search over the same vectors, measured in this run. The load "
        "generator runs on the same 2 cores as the server. Memory is the PSS of the "
        "server's process tree (shared pages counted once), with the summed peak RSS in "
        "brackets (an upper bound).",
        "",
        "| corpus | chunks | vectors | clients | requests | errors | p50 ms | p95 ms | "
        "p99 ms | req/s | p50 / bare |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, size in results["sizes"].items():
        bare = _bare(results, size)
        for level in size["levels"]:
            lines.append(
                f"| {name} | {size['chunks']:,} | {size['ann']} | {level['clients']} | "
                f"{level['requests']} | {level['errors']} | {level['p50']:.1f} | "
                f"{level['p95']:.1f} | {level['p99']:.1f} | {level['per_second']:.1f} | "
                f"{level['p50'] / bare:.2f}x |"
            )
    lines += [
        "",
        "| corpus | bare ms (encode + flat search) | flat search ms | served vector search "
        "| recall@10 vs flat | server PSS MB (peak RSS) | index on disk MB "
        "| start to first answer s | server CPU ms per question (1 / 8 clients) |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for name, size in results["sizes"].items():
        recall = f"{size['recall@10']:.4f}" if "recall@10" in size else "1 (exact)"
        search = size["ann"] + (f", {size['ann_ms']:.2f} ms" if "ann_ms" in size else "")
        lines.append(
            f"| {name} | {_bare(results, size):.2f} | {size['flat_ms']:.2f} | {search} | "
            f"{recall} | {size['rss_mb']:.0f} "
            f"({size['peak_mb']:.0f}) | {size['index_mb']:.0f} "
            f"| {size['start_s']:.1f} | {_cpu(size)} |"
        )
    lines += ["", "### Targets", "", *targets(results)]
    return "\n".join(lines) + "\n"


def _onnx_rows(enc: dict[str, Any]) -> list[str]:
    rows = []
    for name, label in (("onnx_fp32", "ONNX export, fp32"), ("onnx", "its 8-bit copy")):
        if f"{name}_ms" in enc:
            ms = enc[f"{name}_ms"]
            rows.append(
                f"| {label} on onnxruntime | {ms:.2f} | {enc[f'{name}_min_cosine']:.4f} | "
                f"{enc['torch_ms'] / ms:.2f}x faster |"
            )
    return rows


def _scifact(s: dict[str, Any]) -> list[str]:
    lines = [
        "",
        f"SciFact nDCG@10 (300 test queries; sentence vectors: {s.get('method', 'separate')}) "
        "with the questions encoded by each path:",
        "",
        "| questions encoded by | hybrid | dense |",
        "|---|---:|---:|",
    ]
    for name, label in (("torch", "torch fp32"), ("onnx_fp32", "ONNX fp32"), ("onnx", "ONNX int8")):
        if name in s:
            dense = s.get(f"{name}_dense", float("nan"))
            lines.append(f"| {label} | {s[name]:.4f} | {dense:.4f} |")
    return lines


def _archive(a: dict[str, Any]) -> list[str]:
    return [
        "",
        "### Indexing an archive against a plain pipeline",
        "",
        f"`plw index` of all {a['notes']:,} SciFact abstracts saved as notes ({a['chunks']:,} "
        f"passages, {a['sentences']:,} sentences; sentence vectors: {a['method']}, "
        f"{a['precision']}; {a['long']} passages longer than the model's window read in "
        f"{a['windows']} extra windows; the model read {a['texts']:,} sequences), nothing "
        "cached, against one bare `SentenceTransformer.encode` (fp32, batch 32) of the "
        f"{a['notes']:,} abstracts alone (title: text, cut at the model's 256 tokens as the "
        "library does), in the same run.",
        "",
        "| | seconds | abstracts/s |",
        "|---|---:|---:|",
        f"| `plw index` (read, chunk, embed passages and sentences, BM25, FAISS, save) | "
        f"{a['build_s']:.1f} | {a['notes_per_s']:.1f} |",
        f"| bare encode of the abstracts | {a['bare_s']:.1f} | {a['bare_per_s']:.1f} |",
        "",
        f"The full build takes **{a['ratio']:.2f}x** the bare encode.",
    ]


def _cpu(size: dict[str, Any]) -> str:
    cpu = size.get("cpu_ms", {})
    return " / ".join(f"{cpu[c]:.1f}" for c in ("1", "8") if c in cpu) or "–"


def _level(size: dict[str, Any], clients: int) -> dict[str, Any] | None:
    return next((lv for lv in size["levels"] if lv["clients"] == clients), None)


def targets(results: dict[str, Any]) -> list[str]:
    out = []
    sizes = results["sizes"]
    if "shipped" in sizes and _level(sizes["shipped"], 1):
        s = sizes["shipped"]
        r = _level(s, 1)["p50"] / _bare(results, s)  # type: ignore[index]
        out.append(
            f"- Shipped corpus, one client: p50 = {r:.2f} x bare (target ≤ 1.0): {_ok(r <= 1.0)}."
        )
        cpu = s.get("cpu_ms", {}).get("1")
        if cpu is not None:
            out.append(
                f"- Shipped corpus: server CPU {cpu:.1f} ms per question, one client "
                f"(target ≤ 5 ms): {_ok(cpu <= 5)}."
            )
    if "1m" in sizes and _level(sizes["1m"], 1):
        out += _million(results, sizes["1m"])
    out += _gains(sizes)
    if "archive" in results:
        r = results["archive"]["ratio"]
        out.append(
            f"- Full build of SciFact as notes: {r:.2f} x the bare encode of the abstracts "
            f"(target ≤ 1.3): {_ok(r <= 1.3)}."
        )
    if "indexing" in results:
        r = results["indexing"]["ratio"]
        out.append(f"- Indexing at {r:.0%} of the bare encode (target ≥ 90%): {_ok(r >= 0.9)}.")
    cold = sizes.get("shipped", {}).get("cold_start_s")
    if cold:
        c = statistics.median(cold)
        runs = ", ".join(f"{x:.1f}" for x in cold)
        out.append(
            f"- Cold start of `plw serve` to the first answer (shipped corpus, index built): "
            f"median {c:.1f} s of {runs} (target ≤ 10 s): {_ok(c <= 10)}."
        )
    return out


def _million(results: dict[str, Any], s: dict[str, Any]) -> list[str]:
    r = _level(s, 1)["p50"] / _bare(results, s)  # type: ignore[index]
    rec = s.get("recall@10", 1.0)
    return [
        f"- 1M chunks, one client: p50 = {r:.2f} x bare (target ≤ 0.3) with recall@10 "
        f"{rec:.4f} (target ≥ 0.99): {_ok(r <= 0.3 and rec >= 0.99)}.",
        f"- 1M chunks: server PSS {s['rss_mb']:.0f} MB (target ≤ 1,200) and {s['start_s']:.1f} s "
        f"from start to first answer (target ≤ 3 s): "
        f"{_ok(s['rss_mb'] <= 1200 and s['start_s'] <= 3)}.",
    ]


def _gains(sizes: dict[str, Any]) -> list[str]:
    out = []
    for name, s in sizes.items():
        eight = _level(s, 8)
        if eight and "gain_8" in s:
            gain = s["gain_8"]
            each = ", ".join(f"{g:.2f}" for g in s["gains_8"])
            out.append(
                f"- {name}, 8 clients: {eight['errors']} errors, throughput {gain:.2f} x one "
                f"client's (median of the rounds: {each}; target 0 errors and ≥ 1.6x): "
                f"{_ok(eight['errors'] == 0 and gain >= 1.6)}."
            )
    return out
