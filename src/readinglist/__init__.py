"""readinglist: course reading lists as data: topics.yaml + bib/*.bib -> SQLite, exports, gaps."""

from typing import TYPE_CHECKING, Any

from .errors import NotFoundError, ReadingListError, SourceError, SourceFileError, ValidationError
from .models import Area, Catalog, Course, Paper, Reading, Topic

if TYPE_CHECKING:
    from .api import ReadingList, open_project

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # `api` (the store, SQLite, the project loader) loads on first use: `import readinglist.importers.bibtex`
    # or `readinglist --help` do not pay for it
    if name in ("ReadingList", "open_project"):
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'readinglist' has no attribute {name!r}")

__all__ = [
    "Area",
    "Catalog",
    "Course",
    "NotFoundError",
    "Paper",
    "Reading",
    "ReadingList",
    "ReadingListError",
    "SourceError",
    "SourceFileError",
    "Topic",
    "ValidationError",
    "__version__",
    "open_project",
]
