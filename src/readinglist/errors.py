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


class FetchError(SourceError):
    """An HTTP fetch failed (timeout, bad status, unusable body); `url` names what was asked."""

    def __init__(self, url: str, message: str) -> None:
        self.url = url
        self.message = message
        super().__init__(message)


class Offline(FetchError):
    """Offline mode and the answer is not in the HTTP cache."""


class RateLimited(FetchError):
    """The server asked us to wait longer than we are willing to; `retry_after` in seconds."""

    def __init__(self, url: str, retry_after: float | None, message: str) -> None:
        self.retry_after = retry_after
        super().__init__(url, message)


class InvalidArxivId(SourceError):
    """An arXiv identifier that is malformed or that arXiv rejected (its message is kept)."""

    def __init__(self, arxiv_id: str, message: str) -> None:
        self.arxiv_id = arxiv_id
        self.message = message
        super().__init__(message)


class NotFound(SourceError):
    """A metadata source does not know an identifier (e.g. Crossref 404 for a DOI)."""

    def __init__(self, identifier: str, message: str) -> None:
        self.identifier = identifier
        self.message = message
        super().__init__(message)
