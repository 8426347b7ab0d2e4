"""How long after a note is saved it can be found, in watch mode, beside a large index.

Builds a corpus of real text (SciFact abstracts, one note per abstract) and a previous index
of it whose vectors are random (only the new note's texts are embedded by the timed build, as
in any incremental build; their values do not change the cost). Then `watch` runs with the
real, already loaded model, handing each new index to the serving `Assistant` as
`plw serve --watch` does; a two-page made-up note is saved, and the clock stops when a question
finds it. Usage: python bench/add_note.py [--chunks 10000]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
from pathlib import Path

from plw_assistant.assistant import Assistant
from plw_assistant.config import Settings
from plw_assistant.domain import Question
from plw_assistant.embedding.model import SentenceTransformerEmbedder
from plw_assistant.pipeline.build import build_index
from plw_assistant.pipeline.watch import watch
from plw_bench.synthetic import RandomVectors

SCIFACT = Path(__file__).resolve().parents[2] / "shared" / "bench" / "scifact"
NOTE = "\n\n".join(
    [
        "---\ntitle: Made-up two-page note on a mentoring programme\n---",
        "## Why mentoring",
        *[
            f"Made-up paragraph {i}: the cluster pairs experienced managers with newcomers so that "
            "they learn how to prepare European proposals, find partners and report on projects. "
            "Each pair meets once a month and shares notes with the rest of the network."
            for i in range(8)
        ],
        "## How it works",
        *[
            f"- Made-up step {i}: the pair agrees goals, meets, and writes a short summary."
            for i in range(6)
        ],
    ]
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="plw-bench-"))
    corpus = root / "corpus"
    corpus.mkdir()
    n = 0
    with (SCIFACT / "corpus.jsonl").open() as fh:
        for line in fh:
            doc = json.loads(line)
            paragraphs = [
                " ".join(doc["text"].split()[i : i + 45])
                for i in range(0, len(doc["text"].split()), 45)
            ]
            text = "\n\n".join(paragraphs[: args.chunks - n])
            (corpus / f"{doc['_id']}.md").write_text(f"# {doc['title']}\n\n{text}\n")
            n += min(len(paragraphs), args.chunks - n)
            if n >= args.chunks:
                break
    real = SentenceTransformerEmbedder()
    real.encode(["load the model before the clock starts"])
    settings = Settings(corpus_dir=corpus, index_dir=root / "index", cache_dir=root / "cache")
    first = build_index(settings, RandomVectors(real))
    assistant = Assistant(settings, real)
    assistant.warm_up()
    times = []
    for run in range(args.runs):
        stop = threading.Event()

        def use(report) -> None:  # as `plw serve --watch` does
            if getattr(report, "index", None) is not None:
                assistant.live.use(report.index)

        args = (settings, real, use, stop, assistant.live.loaded)
        thread = threading.Thread(target=watch, args=args)
        thread.start()
        time.sleep(1.0)
        phrase = f"mentoring programme run {run}"
        saved = time.monotonic()
        (corpus / f"mentoring-{run}.md").write_text(NOTE.replace("mentoring programme", phrase))
        while True:
            hits = assistant.retrieve(Question(f"Which note describes the {phrase}?", 5)).hits
            if any(h.chunk.document == f"mentoring-{run}" for h in hits):
                break
            time.sleep(0.02)
        times.append(time.monotonic() - saved)
        stop.set()
        thread.join()
    print(
        f"index: {first.chunks} chunks in {first.documents} notes; note: "
        f"{len(NOTE.split())} words; runs: {args.runs}"
    )
    print(
        f"saved → searchable: median {statistics.median(times):.2f} s, "
        f"all {', '.join(f'{t:.2f}' for t in times)} s"
    )


if __name__ == "__main__":
    main()
