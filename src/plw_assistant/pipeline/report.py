"""What a build did: each file's status, the totals, the glossary, and the new index."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..appdata.builds import FileLine, LastBuild
from ..domain import Glossary
from ..ingest.files import FileStatus

if TYPE_CHECKING:  # a report with nothing built is made without loading FAISS
    from ..store.reader import Index


@dataclass
class BuildReport:
    documents: int
    chunks: int
    seconds: float
    path: Path | None  # the new generation; None when nothing changed
    files: list[FileStatus] = field(default_factory=list)
    embedded: int = 0  # texts (passages and sentences) embedded by this build
    full_rebuild: str = ""  # why every file was processed again, if it was
    index: Index | None = field(default=None, repr=False)  # the new index, already in memory
    windows: int = 0  # extra windows read for passages longer than the model's window
    long: int = 0  # passages longer than the model's window
    glossary: Glossary = field(default_factory=Glossary)  # as read from the corpus folder
    glossary_problems: list[str] = field(default_factory=list)  # entries skipped, and why
    glossary_changed: bool = False  # other terms or problems than the previous index had

    def glossary_summary(self) -> str:
        """The glossary in one line ("" when there is none and nothing is wrong with it)."""
        if not self.glossary and not self.glossary_problems:
            return ""
        n, skipped = len(self.glossary.terms), len(self.glossary_problems)
        line = f"Glossary: {n} term{'' if n == 1 else 's'}"
        line += " (changed)" if self.glossary_changed else ""
        return line + (f", {skipped} problem{'' if skipped == 1 else 's'}" if skipped else "")

    def long_passages(self) -> str:
        """How passages longer than the model's window were read, if there were any."""
        if not self.long:
            return ""
        return (
            f"{self.long} passages were longer than the model's window and were read in "
            f"{self.long + self.windows} windows ({self.windows} extra)"
        )

    def count(self, status: str) -> int:
        return sum(f.status == status for f in self.files)

    @property
    def failed(self) -> list[FileStatus]:
        return [f for f in self.files if f.status == "failed"]

    def totals(self) -> str:
        return (
            f"+{self.count('new')} new, ~{self.count('changed')} changed, "
            f"-{self.count('removed')} removed, {self.embedded} texts embedded, "
            f"{len(self.failed)} failed"
        )

    def summary(self) -> LastBuild:
        """What /admin shows of this build, whichever process reads it back."""
        return LastBuild(
            generation=self.path.name if self.path is not None else None,
            totals=self.totals(),
            files=[FileLine(f.status, f.path, f.reason) for f in self.files],
            glossary=self.glossary_summary(),
            glossary_problems=list(self.glossary_problems),
        )
