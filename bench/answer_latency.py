"""What composing the extractive answer adds on top of retrieval, per question.

Runs every in-scope question of the PLW dev set and of the answers set (questions about
webinars, dates, authors, lists) against the current index (``plw index`` first), timing
retrieval and answer composition separately, several rounds, each round asking the questions
in other words (so the question-embedding cache never answers); prints medians and p95.
Usage: python bench/answer_latency.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from plw_assistant.answer.extractive import compose
from plw_assistant.assistant import Assistant
from plw_assistant.config import get_settings
from plw_assistant.domain import Question
from plw_assistant.evaluation.golden import load_golden
from plw_bench.harness import variants

GOLDEN = Path(__file__).resolve().parents[1] / "tests" / "golden"
SETS = (GOLDEN / "plw-dev.jsonl", GOLDEN / "plw-answers.jsonl")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    assistant = Assistant(get_settings())
    assistant.warm_up()
    questions = [g.question for path in SETS for g in load_golden(path) if g.in_scope]
    retrieve_ms: list[float] = []
    compose_ms: list[float] = []
    asked = variants(questions, len(questions) * args.rounds)
    for lo in range(0, len(asked), len(questions)):
        for q in asked[lo : lo + len(questions)]:
            t0 = time.perf_counter()
            question = Question(q)
            retrieval = assistant.retrieve(question)
            t1 = time.perf_counter()
            compose(question, retrieval, assistant.settings.min_score)
            t2 = time.perf_counter()
            retrieve_ms.append((t1 - t0) * 1000)
            compose_ms.append((t2 - t1) * 1000)

    def p95(xs: list[float]) -> float:
        return statistics.quantiles(xs, n=20)[-1]

    print(f"{len(questions)} questions x {args.rounds} rounds, {assistant.index.size} chunks")
    print("| step | p50 ms | p95 ms |\n|---|---:|---:|")
    print(
        f"| retrieval (query embedding + search) | {statistics.median(retrieve_ms):.2f} | "
        f"{p95(retrieve_ms):.2f} |"
    )
    print(f"| answer composition | {statistics.median(compose_ms):.2f} | {p95(compose_ms):.2f} |")


if __name__ == "__main__":
    main()
