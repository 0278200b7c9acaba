"""Exports: reading lists as Markdown, Jekyll data, BibTeX/biblatex, CSL-JSON, RIS and JSON.

    >>> from readinglist.export import export
    >>> with project.store() as db:
    ...     text = export(db, "bibtex", course="cs294-sp22")

`export()` returns a string, or for multi-file formats (`jekyll-data`) a dict of relative path ->
text; `write()` writes either atomically (to a file, a folder, or stdout with `-`). Every format
is deterministic: the same data gives byte-identical output. See docs/exports.md.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import ReadingListError
from ..store import Store
from . import _safe
from ._data import ExportData, load

__all__ = ["FORMATS", "ExportData", "export", "load", "write"]


def _markdown(data: ExportData, **opts: Any) -> str:
    from .markdown import render

    return render(data, style=opts.get("style") or "plain")


def _bibtex(data: ExportData, **opts: Any) -> str:
    from .bibtex import render

    return render(data, "bibtex")


def _biblatex(data: ExportData, **opts: Any) -> str:
    from .bibtex import render

    return render(data, "biblatex")


def _csl(data: ExportData, **opts: Any) -> str:
    from .csl_json import render

    return render(data)


def _ris(data: ExportData, **opts: Any) -> str:
    from .ris import render

    return render(data)


def _json(data: ExportData, **opts: Any) -> str:
    from .full_json import render

    return render(data)


def _jekyll(data: ExportData, **opts: Any) -> dict[str, str]:
    from .jekyll_data import files

    return files(data)


# name -> (renderer, default file name, one-line description)
FORMATS: dict[str, tuple[Callable[..., str | dict[str, str]], str, str]] = {
    "markdown": (_markdown, "reading-list.md", "the course page's reading list (--style plain|cs294)"),
    "jekyll-data": (_jekyll, "_data/readinglist", "JSON files for a Jekyll site's _data folder (a folder)"),
    "bibtex": (_bibtex, "readings.bib", "BibTeX: arXiv as eprint/archivePrefix/primaryClass"),
    "biblatex": (_biblatex, "readings.bib", "biblatex: eprinttype/eprintclass, journaltitle, @online"),
    "csl-json": (_csl, "readings.json", "CSL-JSON items for Pandoc and Zotero"),
    "ris": (_ris, "readings.ris", "RIS records for EndNote, Zotero, Mendeley"),
    "json": (_json, "readinglist.json", "everything in the selection, with provenance"),
}


def export(store_or_data: Store | ExportData, fmt: str, course: str | None = None, topic: str | None = None,
           role: str | None = None, **opts: Any) -> str | dict[str, str]:
    """Render `fmt` for the selection; a str, or {relative path: text} for folder formats."""
    if fmt not in FORMATS:
        raise ReadingListError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    data = store_or_data if isinstance(store_or_data, ExportData) else load(store_or_data, course, topic, role)
    return FORMATS[fmt][0](data, **opts)


def write(result: str | dict[str, str], out: str | Path | None) -> list[Path]:
    """Write an export: `-`/None = stdout (str only), a file path, or a folder for dict results.

    Each file is written atomically (temp file + rename). Paths of a dict result must stay inside
    the folder: `../x` or an absolute path is refused before anything is written.
    """
    from ..project import atomic_write

    if isinstance(result, str):
        if out is None or str(out) == "-":
            sys.stdout.write(result)
            sys.stdout.flush()
            return []
        path = Path(out)
        if path.is_dir():
            raise ReadingListError(f"{path} is a folder; give a file name inside it, e.g. -o {path / 'readings'}.<ext>")
        atomic_write(path, result)
        return [path]
    if out is None or str(out) == "-":
        raise ReadingListError("this format writes several files; give a folder with -o DIR")
    root = Path(out)
    if root.exists() and not root.is_dir():
        raise ReadingListError(f"{root} exists and is not a folder; give a folder with -o DIR")
    targets = [(_safe.safe_join(root, rel), text) for rel, text in result.items()]  # check all first
    written = []
    for target, text in targets:
        atomic_write(target, text)
        written.append(target)
    return written
