"""``plw gaps``: the questions the notes could not answer, grouped by meaning; ``--recheck``
asks them again against the current index; ``export`` writes the groups as CSV."""

from __future__ import annotations

from pathlib import Path

import click

from ..appdata.database import AppDatabase
from ..appdata.gaps import GapLog
from ..config import Settings, get_settings
from ..gaps.report import SORTS, GapGroup
from .common import CONTEXT, output_option, write_text

OUTCOME_NAMES = {"abstained": "declined", "topic_only": "topic name only", "no": "marked No"}
STATUS_NAMES = {"answered": "ANSWERED NOW", "partly": "partly answered now", "open": "open"}
sort_option = click.option(
    "--sort",
    type=click.Choice(SORTS),
    default="count",
    show_default=True,
    help="Order of the groups: most asked, last asked, by label, answered first.",
)


def _log(settings: Settings) -> GapLog:
    if not settings.gap_log:
        click.echo("PLW_GAP_LOG is off: no new question is recorded.", err=True)
    return GapLog(AppDatabase.from_settings(settings), settings.gap_log_days)


def _groups(settings: Settings, sort: str, recheck: bool = False) -> list[GapGroup]:
    from ..assistant import Assistant
    from ..gaps.recheck import recheck as ask_again
    from ..gaps.report import gap_groups

    log = _log(settings)
    if not log.gaps():
        return []
    assistant = Assistant(settings)
    if recheck:
        results = ask_again(assistant, log)
        built = assistant.index.manifest.built_at
        answered = sum(r.answered for r in results)
        click.echo(
            f"Re-checked {len(results)} question(s) against the index built {built}: "
            f"{answered} answered now."
        )
    return gap_groups(assistant, log, sort)


@click.group("gaps", invoke_without_command=True, context_settings=CONTEXT)
@click.option(
    "--recheck",
    is_flag=True,
    help="First ask every recorded question again against the current index (after notes "
    "were added and indexed), then show which groups are answered now, citing the notes.",
)
@sort_option
@click.pass_context
def gaps_cmd(ctx: click.Context, recheck: bool, sort: str) -> None:
    """Questions the notes could not answer yet, grouped by meaning.

    Recorded from the web chat (PLW_GAP_LOG, kept PLW_GAP_LOG_DAYS days, no identity):
    questions that were declined, answered only with a topic's name, or marked "No". Each
    group shows its most central question, how often and when it was asked, how it went,
    and the passages the notes hold closest to it.

    \b
    Examples:
      plw gaps
      plw gaps --sort last
      plw gaps --recheck             after adding notes and running plw index
      plw gaps export -o gaps.csv
    """
    if ctx.invoked_subcommand is not None:
        return
    settings = get_settings()
    groups = _groups(settings, sort, recheck)
    if not groups:
        click.echo("No unanswered question is recorded.")
        return
    total = sum(g.count for g in groups)
    click.echo(
        f"{len(groups)} group(s) from {total} recorded question(s) "
        f"(the last {settings.gap_log_days} days):"
    )
    for n, group in enumerate(groups, start=1):
        click.echo("")
        _print_group(n, group)


def _print_group(n: int, g: GapGroup) -> None:
    outcomes = ", ".join(f"{k} {OUTCOME_NAMES[o]}" for o, k in g.outcomes.items())
    click.echo(f"{n}. {g.label}")
    click.echo(f"   asked {g.count}x, last {g.last_asked}; {outcomes}; {STATUS_NAMES[g.status]}")
    for other in g.questions[1:]:
        click.echo(f"   · {other}")
    for comment in g.comments:
        click.echo(f"   comment: “{comment}”")
    rc = g.recheck
    if rc is not None and rc.answered:
        click.echo(f"   re-checked {rc.checked_at}: {rc.answer}")
        for c in rc.citations:
            where = f"{c['title']} › {c['section']}" if c.get("section") else c["title"]
            click.echo(f"     [{c['n']}] {c['document']} ({where}) {c['chunk_id']}")
        return
    if rc is not None:
        click.echo(f"   re-checked {rc.checked_at}: still not answered")
    for p in g.closest:
        where = f"{p.document} › {p.section or p.title}"
        click.echo(f"   closest ({p.score:.2f}): {where}: {_cut(p.text)}")


def _cut(text: str, width: int = 90) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


@gaps_cmd.command("export", context_settings=CONTEXT)
@output_option
@sort_option
def export(output: Path | None, sort: str) -> None:
    """Write the groups as CSV: group, label, count, last_asked, abstained, topic_only, no,
    status, rechecked_at, questions, comments, closest_passages, answered_with (lists one
    item a line in their cell).

    \b
    Examples:
      plw gaps export > gaps.csv
      plw gaps export --sort last -o gaps.csv
    """
    from ..gaps.report import to_csv

    settings = get_settings()
    groups = _groups(settings, sort)
    text = to_csv(groups)
    if output is None:
        click.echo(text, nl=False)
        return
    write_text(output, text)
    click.echo(f"Wrote {len(groups)} group(s) to {output}.", err=True)
