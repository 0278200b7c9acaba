"""readinglist: course reading lists as data: topics.yaml + bib/*.bib -> SQLite, exports, gaps."""

from .api import ReadingList, open_project
from .errors import NotFoundError, ReadingListError, SourceError, SourceFileError, ValidationError
from .models import Area, Catalog, Course, Paper, Reading, Topic

__version__ = "0.1.0"

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
