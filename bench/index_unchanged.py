"""How long `plw index` takes when nothing changed, on the shipped notes and on many notes.

Copies the notes into a scratch folder and builds their index once, untimed: the shipped notes
with the real model; the large corpus (SciFact abstracts, each cut in two notes at a sentence
end) with random vectors standing in for the embeddings, written as if by the real model (its
name and weights), since a run with nothing changed reads no vector. The notes are written a
few seconds before the build, as notes usually are (a note written within two seconds of a
build is read again by the next one: see pipeline/freshness.py). Then runs `plw index` as a
user would, a new process each time, and reports the wall and CPU time of each run (after one
untimed run, so the files are in the page cache as after any recent build); then once more
with every note touched (new times, same bytes: after a checkout or a copy), so each is read
and hashed. Every timed run must say "Nothing changed" and leave the index as it was.
``--code DIR`` runs `plw index` from another source tree (say, an older commit's ``src``)
against the same index, to compare.
Usage: python bench/index_unchanged.py [--notes 10000] [--runs 5] [--scifact DIR] [--code DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from plw_assistant.config import Settings
from plw_assistant.embedding.model import SentenceTransformerEmbedder
from plw_assistant.pipeline.build import build_index
from plw_assistant.store.generations import current_generation
from plw_bench.harness import machine
from plw_bench.synthetic import RandomVectors

REPO = Path(__file__).resolve().parents[1]
SCIFACT = REPO.parent / "shared" / "bench" / "scifact"


def many_notes(folder: Path, scifact: Path, count: int) -> None:
    """``count`` notes from SciFact abstracts, each abstract's two halves two notes."""
    folder.mkdir(parents=True)
    made = 0
    with (scifact / "corpus.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            doc = json.loads(line)
            sentences = doc["text"].split(". ")
            half = max(1, len(sentences) // 2)
            for part, body in enumerate((sentences[:half], sentences[half:])):
                if made < count and body:
                    text = f"# {doc['title']} ({part + 1})\n\n{'. '.join(body)}\n"
                    (folder / f"{doc['_id']}-{part + 1}.md").write_text(text, encoding="utf-8")
                    made += 1
            if made >= count:
                return
    raise SystemExit(f"{scifact} holds too few abstracts for {count} notes")


def timed_runs(settings: Settings, runs: int, code: Path | None) -> list[tuple[float, float]]:
    """(wall, CPU) seconds of each `plw index` run (one untimed run first)."""
    env = {
        **os.environ,
        "PLW_CORPUS_DIR": str(settings.corpus_dir),
        "PLW_INDEX_DIR": str(settings.index_dir),
        "PLW_CACHE_DIR": str(settings.cache_dir),
        "HF_HUB_OFFLINE": "1",
    }
    if code is not None:
        env["PYTHONPATH"] = str(code)
    plw = str(Path(sys.executable).parent / "plw")
    before = current_generation(settings.index_dir)
    times = []
    for run in range(runs + 1):
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        out = subprocess.run([plw, "index"], env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        now = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = now.ru_utime + now.ru_stime - used.ru_utime - used.ru_stime
        if out.returncode != 0 or "Nothing changed" not in out.stdout:
            raise SystemExit(f"`plw index` did not find the index up to date:\n{out.stdout}")
        if current_generation(settings.index_dir) != before:
            raise SystemExit("`plw index` wrote a new generation though nothing changed")
        if run:
            times.append((seconds, cpu))
    return times


def report(name: str, times: list[tuple[float, float]]) -> None:
    wall, cpu = [t for t, _ in times], [c for _, c in times]
    print(
        f"{name}: `plw index`, nothing changed: median {statistics.median(wall):.2f} s wall "
        f"({', '.join(f'{t:.2f}' for t in wall)}), {statistics.median(cpu):.2f} s CPU"
    )


def notes_in(folder: Path) -> int:
    return sum(1 for p in folder.rglob("*") if p.is_file() and p.name.lower() != "readme.md")


def touch_all(folder: Path) -> None:
    for note in folder.rglob("*.md"):
        os.utime(note)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=10_000, help="0: shipped notes only")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scifact", type=Path, default=SCIFACT)
    parser.add_argument("--code", type=Path, help="source tree `plw index` runs from")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="plw-bench-"))
    print(machine()["cpu"])
    real = SentenceTransformerEmbedder(cache_dir=root / "cache")
    shipped = Settings(
        corpus_dir=root / "shipped", index_dir=root / "shipped-index", cache_dir=root / "cache"
    )
    shutil.copytree(REPO / "corpus", shipped.corpus_dir)
    time.sleep(3)  # notes written a while before the build, as they usually are
    build_index(shipped, real)
    name = f"shipped ({notes_in(shipped.corpus_dir)} files)"
    report(name, timed_runs(shipped, args.runs, args.code))
    if args.notes:
        many = Settings(
            corpus_dir=root / "many", index_dir=root / "many-index", cache_dir=root / "cache"
        )
        many_notes(many.corpus_dir, args.scifact, args.notes)
        time.sleep(3)
        built = build_index(many, RandomVectors(real))
        name = f"{built.documents:,} notes ({built.chunks:,} passages)"
        report(name, timed_runs(many, args.runs, args.code))
        touch_all(many.corpus_dir)
        report(f"{name}, every note touched", timed_runs(many, args.runs, args.code))
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
