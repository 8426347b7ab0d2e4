"""``plw bench``: measure speed at every size and write the table into BENCHMARKS.md."""

from __future__ import annotations

import json
import shlex
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from plw_assistant.config import get_settings

# `plw` finds this command through the entry point pyproject.toml declares; it inherits -h
# from the `plw` group there, and keeps it when run on its own.
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
DEFAULT_SCIFACT = Path("../shared/bench/scifact")
DEFAULT_QUESTIONS = Path("tests/golden/plw-dev.jsonl")


def _list(value: str, allowed: set[str] | None = None) -> list[str]:
    items = [v.strip().lower() for v in value.split(",") if v.strip()]
    bad = [v for v in items if allowed is not None and v not in allowed]
    if not items or bad:
        raise click.BadParameter(f"choose from {', '.join(sorted(allowed or []))}")
    return items


@click.command("bench", context_settings=CONTEXT)
@click.option(
    "--sizes",
    default="shipped,10k,100k,1m",
    show_default=True,
    help="Corpus sizes: shipped (the real notes) and synthetic 10k, 100k, 1m chunks.",
)
@click.option(
    "--clients", default="1,8,32", show_default=True, help="Concurrent clients per load level."
)
@click.option(
    "--requests",
    type=click.IntRange(10, 100_000),
    default=240,
    show_default=True,
    help="Questions per load level (each one different).",
)
@click.option(
    "--scifact",
    type=click.Path(path_type=Path),
    default=DEFAULT_SCIFACT,
    show_default=True,
    envvar="PLW_SCIFACT_DIR",
    help="BEIR SciFact folder (or PLW_SCIFACT_DIR): synthetic corpora, nDCG, indexing.",
)
@click.option(
    "--questions",
    type=click.Path(path_type=Path),
    default=DEFAULT_QUESTIONS,
    show_default=True,
    help="Questions about the shipped notes (JSON lines).",
)
@click.option(
    "--rounds",
    type=click.IntRange(1, 20),
    default=3,
    show_default=True,
    help="Times every load level is run, in turn; the questions are split between them.",
)
@click.option(
    "--cold-starts",
    type=click.IntRange(0, 10),
    default=3,
    show_default=True,
    help="Times `plw serve` is started on the shipped corpus to time its first answer.",
)
@click.option(
    "--index-notes",
    type=click.IntRange(0, 5183),
    default=150,
    show_default=True,
    help="SciFact abstracts indexed for the throughput test (0 skips it).",
)
@click.option(
    "--archive/--no-archive",
    default=True,
    show_default=True,
    help="Index all 5,183 SciFact abstracts as notes against a bare encode (about 5 min).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=Path("BENCHMARKS.md"),
    show_default=True,
    help="Markdown file whose `plw bench` section is replaced.",
)
@click.option("--no-write", is_flag=True, help="Print the section instead of writing it.")
def bench_cmd(
    sizes: str,
    clients: str,
    requests: int,
    rounds: int,
    scifact: Path,
    questions: Path,
    cold_starts: int,
    index_notes: int,
    archive: bool,
    output: Path,
    no_write: bool,
) -> None:
    """Benchmark query encoding, indexing and `plw serve` over HTTP at several corpus sizes.

    \b
    For each size it builds an index in a scratch folder, starts `plw serve` on loopback and
    sends every load level; the bare library path (one torch query encoding + one exact
    FAISS search at that size) is measured in the same run, so the overhead is a ratio.
    Synthetic sizes use SciFact's texts and their real embeddings, tiled and perturbed.
    The whole default run takes 15-30 minutes on 2 cores (most of it building the 1M index).

    \b
    Examples:
      plw bench                                  everything, written into BENCHMARKS.md
      plw bench --sizes shipped,10k --no-write   a quick look, printed
      plw bench --clients 1,8 --requests 400
    """
    from . import report as bench_report
    from .run import SIZES

    size_list = _list(sizes, set(SIZES))
    try:
        client_list = [int(c) for c in _list(clients)]
    except ValueError:
        raise click.BadParameter("give numbers, e.g. 1,8,32", param_hint="--clients") from None
    if not all(1 <= c <= 256 for c in client_list):
        raise click.BadParameter("each level is 1 to 256 clients", param_hint="--clients")
    if not questions.is_file():
        raise click.BadParameter(f"{questions} does not exist", param_hint="--questions")
    have_scifact = (scifact / "corpus.jsonl").is_file()
    if not have_scifact and any(s != "shipped" for s in size_list):
        raise click.BadParameter(
            f"{scifact} is not a BEIR SciFact folder; synthetic sizes need it: give its "
            "place with --scifact or PLW_SCIFACT_DIR (or use --sizes shipped)",
            param_hint="--scifact",
        )
    command = _command(click.get_current_context())
    results = _run(
        size_list,
        client_list,
        requests,
        rounds,
        scifact if have_scifact else None,
        questions,
        cold_starts,
        index_notes,
        archive,
    )
    section = bench_report.render(results, command.strip())
    if no_write:
        click.echo(section)
    else:
        from .harness import write_section

        write_section(output, section)
        click.echo(f"Wrote the results to {output}.", err=True)


def _run(
    sizes: list[str],
    clients: list[int],
    requests: int,
    rounds: int,
    scifact: Path | None,
    questions_file: Path,
    cold_runs: int,
    index_notes: int,
    archive: bool,
) -> dict[str, Any]:
    from plw_assistant.embedding.model import SentenceTransformerEmbedder

    from . import run
    from .harness import machine, variants
    from .synthetic import SciFact

    settings = get_settings()

    def say(text: str) -> None:
        click.echo(f"· {text}", err=True)

    plw_questions = [
        json.loads(line)["question"]
        for line in questions_file.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    embedder = SentenceTransformerEmbedder.from_settings(settings)
    results: dict[str, Any] = {"machine": machine(), "sizes": {}, "rounds": rounds}
    say("query encoding: torch against ONNX")
    results["encoding"] = run.query_encoding(embedder, variants(plw_questions, 200))
    ctx: dict[str, Any] = {
        "settings": settings,
        "embedder": embedder,
        "clients": clients,
        "cold_runs": cold_runs,
        "questions": plw_questions,
        "rounds": rounds,
    }
    data = SciFact.read(scifact) if scifact else None
    if data is not None:
        results["scifact"] = run.scifact_quality(settings, scifact, say)  # type: ignore[arg-type]
        if index_notes:
            results["indexing"] = run.indexing(embedder, data, index_notes, Path(_work()), say)
        if archive:
            results["archive"] = run.archive(embedder, data, Path(_work()), say)
        say("embedding SciFact abstracts (cached after the first run)")
        ctx["data"] = data
        ctx["base"] = data.embed(
            embedder, settings.cache_dir, progress_bar("Embedding", len(data.ids), "abstract")
        )
        ctx["test_vectors"] = embedder.encode_queries(data.test_queries)
    else:
        ctx["test_vectors"] = embedder.encode_queries(plw_questions)
    ctx["query_vectors"] = ctx["test_vectors"][:200]
    total = requests * len(clients) + 1
    ctx["questions_for"] = lambda size: (
        variants(plw_questions, total)
        if size == "shipped" or data is None
        else variants(data.queries, total)
    )
    work = Path(_work())
    for size in sizes:
        results["sizes"][size] = run.run_size(size, ctx, work, say)
    return results


def progress_bar(desc: str, total: int, unit: str) -> Callable[[int], None]:
    """A tqdm bar on stderr; the returned function advances it and closes it when full."""
    from tqdm import tqdm

    bar = tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, leave=False)

    def update(n: int) -> None:
        bar.update(n)
        if bar.n >= total:
            bar.close()

    return update


def _command(ctx: click.Context) -> str:
    """The command line as given (options left at their default are omitted)."""
    words = ["plw", "bench"]
    for param in ctx.command.params:
        source = ctx.get_parameter_source(param.name or "")
        if source is click.core.ParameterSource.DEFAULT or not param.opts:
            continue
        value = ctx.params[param.name or ""]
        if isinstance(param, click.Option) and param.is_flag:
            words.append(param.opts[0])
        else:
            words += [param.opts[-1], shlex.quote(str(value))]
    return " ".join(words)


def _work() -> str:
    return tempfile.mkdtemp(prefix="plw-bench-")
