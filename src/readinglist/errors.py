"""Exceptions of readinglist: one base class, translated once at the CLI edge."""

from __future__ import annotations


class ReadingListError(Exception):
    """Base class. The message says what went wrong and what to do."""


class SourceFileError(ReadingListError):
    """A problem in a source of truth (topics.yaml or a .bib file), located by file and line."""

    def __init__(self, path: str, line: int | None, message: str, key: str | None = None) -> None:
        self.path = path
        self.line = line
        self.key = key
        self.message = message
        where = path if line is None else f"{path}:{line}"
        if key:
            where = f"{where}: {key}"
        super().__init__(f"{where}: {message}")


class ValidationError(ReadingListError):
    """Several source problems found together; `problems` lists each one."""

    def __init__(self, problems: list[SourceFileError]) -> None:
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{len(problems)} problem(s) in the project sources:\n{lines}")


class NotFoundError(ReadingListError):
    """An id (course, topic, paper, area) that the project does not hold."""


class SourceError(ReadingListError):
    """A metadata source (arXiv, Crossref, DBLP, Semantic Scholar) failed."""
