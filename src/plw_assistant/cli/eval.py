"""``plw eval``: retrieval quality on a BEIR dataset or on golden questions for our corpus."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ..config import Mode, get_settings
from .common import CONTEXT, mode_option, progress_bar


@click.command("eval", context_settings=CONTEXT)
@click.argument("dataset", required=False, type=click.Path(path_type=Path))
@click.option(
    "--questions",
    type=click.Path(path_type=Path),
    help="Golden-questions file (JSON lines) to check against the current index.",
)
@mode_option
@click.option(
    "--split",
    default="test",
    show_default=True,
    help="Which qrels/<split>.tsv of a BEIR dataset to score.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def eval_cmd(
    dataset: Path | None, questions: Path | None, mode: Mode | None, split: str, as_json: bool
) -> None:
    """Measure retrieval: on a BEIR dataset (DATASET) or on golden questions (--questions).

    \b
    On DATASET (corpus.jsonl, queries.jsonl, qrels/<split>.tsv) it prints nDCG@10,
    Recall@10, Recall@100 and MRR@10. Passage embeddings are cached (PLW_CACHE_DIR),
    so only the first run embeds the corpus.
    With --questions it asks each question of the current index and prints hit@1, hit@3,
    MRR, abstention accuracy and a suggested PLW_MIN_SCORE.

    \b
    Examples:
      plw eval ../shared/bench/scifact --mode hybrid --json
      plw eval ../shared/bench/scifact --mode bm25 --split train
      plw eval --questions tests/golden/plw-dev.jsonl
    """
    if (dataset is None) == (questions is None):
        raise click.UsageError("Give either a BEIR DATASET folder or --questions FILE.")
    settings = get_settings()
    mode = mode or settings.mode
    if dataset is not None:
        result = _beir(dataset, mode, split, settings)
        if as_json:
            click.echo(json.dumps(result))
            return
        click.echo(f"{dataset} ({split}, {result['queries']} queries), mode {mode}:")
        for key in ("ndcg@10", "recall@10", "recall@100", "mrr@10"):
            click.echo(f"  {key:<11}{result[key]:.4f}")
        return
    assert questions is not None
    report = _golden(questions, mode, settings)
    if as_json:
        click.echo(json.dumps(report.summary))
        return
    _print_golden(report.summary, report.rows)


def _beir(dataset: Path, mode: Mode, split: str, settings: Any) -> dict[str, Any]:
    from ..embedding.cache import CachedEmbedder
    from ..embedding.model import SentenceTransformerEmbedder
    from ..evaluation.beir import evaluate_beir, load_beir

    data = load_beir(dataset, split)
    model = SentenceTransformerEmbedder.from_settings(settings)
    embedder = CachedEmbedder(model, settings.cache_dir)
    return evaluate_beir(data, embedder, mode, progress=progress_bar, alpha=settings.hybrid_alpha)


def _golden(questions: Path, mode: Mode, settings: Any) -> Any:
    from ..assistant import Assistant
    from ..evaluation.golden import evaluate_golden, load_golden

    items = load_golden(questions)
    return evaluate_golden(items, Assistant(settings), mode, progress=progress_bar)


def _print_golden(s: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    click.echo(
        f"{s['questions']} questions ({s['in_scope']} in scope, "
        f"{s['out_of_scope']} out of scope), mode {s['mode']}:"
    )
    click.echo(
        f"  hit@1      {s['hit@1']:.4f}\n  hit@3      {s['hit@3']:.4f}\n  MRR        {s['mrr']:.4f}"
    )
    if s["abstention_accuracy"] is not None:
        click.echo(f"  abstention {s['abstention_accuracy']:.4f} (out-of-scope questions declined)")
    click.echo(f"  in-scope questions declined: {s['false_abstentions']}")
    suggested = s["suggested_min_score"]
    click.echo(
        f"  PLW_MIN_SCORE {s['min_score']} (suggested by this set: "
        f"{suggested if suggested is not None else 'none; scores overlap'})"
    )
    misses = [
        r
        for r in rows
        if (
            not r["abstained"]
            if r["expect_abstain"]
            else r["abstained"] or not r["rank"] or r["rank"] > 3
        )
    ]
    if misses:
        click.echo("Questions not answered as expected:")
    for r in misses:
        got = "declined" if r["abstained"] else f"expected passage at rank {r['rank'] or '>k'}"
        click.echo(f"  - {r['question']} ({got})")
