"""CSV for people who open it in a spreadsheet: no cell can be read as a formula.

Questions and comments are typed by anyone; a cell starting with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return would be evaluated (``=HYPERLINK(…)`` sends data away, DDE runs
commands), so such a cell gets a leading apostrophe, as OWASP recommends: the spreadsheet
shows the text as it was typed, and the cell stays a string."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """``value`` as a spreadsheet will not evaluate it (numbers stay numbers)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([safe_cell(v) for v in row] for row in rows)
    return out.getvalue()
