"""How often a second reader picks the same passage to lead the answer as the writer of a
held-out set: the ceiling a lead-hit target can be held to.

The second reader saw only the questions and the notes (never the writer's quotes) and copied
a quote of the passage that should lead (second-annotator-18-19.jsonl). A passage is a
paragraph or a list item of the notes; the article's list of the webinars repeats the notes'
titles and topics, so passages are compared by their text.

    python tests/golden/agreement.py
"""

from __future__ import annotations

import json
import re
from pathlib import Path

HERE = Path(__file__).parent
CORPUS = HERE.parent.parent / "corpus"


def passages(document: str) -> list[str]:
    """The paragraphs and list items of a note, each on one line."""
    out: list[str] = []
    for paragraph in (CORPUS / f"{document}.md").read_text(encoding="utf-8").split("\n\n"):
        lines: list[str] = []
        for line in paragraph.splitlines():
            if re.match(r"^\s*[-*] |#", line):
                out += [" ".join(lines)] if lines else []
                out.append(line)
                lines = []
            else:
                lines.append(line)
        out += [" ".join(lines)] if lines else []
    return out


def _norm(text: str) -> str:
    return " ".join(text.replace("’", "'").split()).lower()


def passage_of(document: str, quote: str) -> str:
    """The text of the passage holding ``quote`` (without list or heading marks)."""
    found = next(p for p in passages(document) if _norm(quote) in _norm(p))
    return re.sub(r"^[#\-*\s]+", "", _norm(found))


def main() -> None:
    second = {
        row["id"]: row
        for row in map(json.loads, (HERE / "second-annotator-18-19.jsonl").read_text().splitlines())
    }
    same = either = n = 0
    for number in (18, 19):
        rows = (HERE / f"heldout-{number}.jsonl").read_text(encoding="utf-8").splitlines()
        for i, row in enumerate(map(json.loads, rows)):
            other = second.get(f"{number}-{i}")
            if other is None:  # a question to decline: no passage leads
                continue
            theirs = passage_of(other["document"], other["quote"])
            alternatives = {passage_of(a["document"], a["quote"]) for a in row["alternatives"]}
            n += 1
            same += theirs == passage_of(row["document"], row["quote"])
            either += theirs == passage_of(row["document"], row["quote"]) or theirs in alternatives
    print(f"{n} questions: the same lead passage {same} ({same / n:.3f}); ", end="")
    print(f"the lead or one of the writer's alternatives {either} ({either / n:.3f})")


if __name__ == "__main__":
    main()
