"""``plw eval``: retrieval quality on a BEIR dataset or on golden questions for our corpus."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ..config import get_settings
from ..domain import Mode
from ..errors import PLWError
from .common import CONTEXT, mode_option, progress_bar


@click.command("eval", context_settings=CONTEXT)
@click.argument("dataset", required=False, type=click.Path(path_type=Path))
@click.option(
    "--questions",
    type=click.Path(path_type=Path),
    multiple=True,
    help="Golden-questions file (JSON lines) to check against the current index; repeat the "
    "option for several (conversations are rows with 'turns').",
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
    dataset: Path | None,
    questions: tuple[Path, ...],
    mode: Mode | None,
    split: str,
    as_json: bool,
) -> None:
    """Measure retrieval: on a BEIR dataset (DATASET) or on golden questions (--questions).

    \b
    On DATASET (corpus.jsonl, queries.jsonl, qrels/<split>.tsv) it prints nDCG@10,
    Recall@10, Recall@100 and MRR@10. Passage embeddings are cached (PLW_CACHE_DIR),
    so only the first run embeds the corpus.
    With --questions it asks each question of the current index and prints hit@1, hit@3,
    MRR, abstention accuracy and a suggested PLW_MIN_SCORE, and checks the answer text:
    answer hit (the expected quote is in the answer), lead hit (in its first lesson),
    wrong source (a quote it must not hold), follow-ups, language and unknown webinars.
    The result is kept in the index folder (eval-results.json) and shown on /admin.

    \b
    Examples:
      plw eval ../shared/bench/scifact --mode hybrid --json
      plw eval ../shared/bench/scifact --mode bm25 --split train
      plw eval --questions tests/golden/plw-dev.jsonl
      plw eval --questions tests/golden/plw-dev.jsonl --questions tests/golden/plw-answers.jsonl
    """
    if (dataset is None) == (not questions):
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
    report = _golden(questions, mode, settings)
    _keep(report, questions, settings)
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
    return evaluate_beir(
        data,
        embedder,
        mode,
        progress=progress_bar,
        alpha=settings.hybrid_alpha,
        sentence_vectors=settings.sentence_vectors,
    )


def _golden(questions: tuple[Path, ...], mode: Mode, settings: Any) -> Any:
    from ..assistant import Assistant
    from ..evaluation.golden import evaluate_golden, load_golden

    items = [item for path in questions for item in load_golden(path)]
    return evaluate_golden(items, Assistant(settings), mode, progress=progress_bar)


def _keep(report: Any, questions: tuple[Path, ...], settings: Any) -> None:
    """Keep the result for /admin (which shows how quality moves after each re-index); not
    being able to is worth a warning, not a failed evaluation."""
    from ..evaluation.latest import save_result
    from ..store.generations import read_manifest

    try:
        built_at = read_manifest(settings.index_dir).built_at
        save_result(settings.eval_results_path, report, questions, built_at)
    except (OSError, PLWError) as exc:
        click.echo(f"Warning: the result was not kept for /admin: {exc}", err=True)


def _print_golden(s: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    click.echo(
        f"{s['questions']} questions ({s['in_scope']} in scope, "
        f"{s['out_of_scope']} out of scope), mode {s['mode']}:"
    )
    click.echo(
        f"  hit@1      {s['hit@1']:.4f}\n  hit@3      {s['hit@3']:.4f}\n  MRR        {s['mrr']:.4f}"
    )
    if s["abstention_accuracy"] is not None:
        click.echo(
            f"  abstention {s['abstention_accuracy']:.4f} (out-of-scope questions declined,"
            " or answered that the notes do not give what was asked)"
        )
    click.echo(f"  in-scope questions declined: {s['false_abstentions']}")
    suggested = s["suggested_min_score"]
    click.echo(
        f"  PLW_MIN_SCORE {s['min_score']} (suggested by this set: "
        f"{suggested if suggested is not None else 'none; scores overlap'})"
    )
    _print_answers(s)
    _print_misses(rows)


def _print_answers(s: dict[str, Any]) -> None:
    def share(key: str) -> str:
        return "n/a" if s[key] is None else f"{s[key]:.4f}"

    click.echo(f"  answer hit {share('answer_hit')} (the expected quote is in the answer)")
    click.echo(f"  lead hit   {share('lead_hit')} (it is in the first quoted lesson)")
    click.echo(
        f"  answer and lead hit, any listed passage {share('answer_hit_listed')} and "
        f"{share('lead_hit_listed')} (the quote or one of its listed alternatives)"
    )
    click.echo(f"  wrong source {s['wrong_source']} (answers quoting what they must not)")
    click.echo(f"  follow-ups {share('follow_ups')} ({s['follow_up_questions']} conversations)")
    click.echo(f"  follow-up answers {share('follow_up_answer_hit')} (the expected quote in them)")
    click.echo(f"  language   {share('language')} (questions not in English told so)")
    click.echo(f"  unknown webinars {share('unknown_webinar')} (answered honestly)")
    if s["paraphrase_consistency"] is not None:
        click.echo(
            f"  paraphrase consistency {share('paraphrase_consistency')} "
            "(rewordings leading with the same passage as the question they reword)"
        )
    for label, got in s["labels"].items():
        if got["answers"]:
            click.echo(
                f"  confidence {label:<8}{got['answers']:>4} answers, "
                f"{got['precision']:.4f} right (the expected lesson leads, nothing wrong quoted)"
            )


def _print_misses(rows: list[dict[str, Any]]) -> None:
    from ..evaluation.latest import miss

    misses = [(r, why) for r in rows for why in [miss(r)] if why]
    if misses:
        click.echo("Questions not answered as expected:")
    for r, why in misses:
        turns = " → ".join([*r["turns"], r["question"]])
        click.echo(f"  - {turns} ({why})")
