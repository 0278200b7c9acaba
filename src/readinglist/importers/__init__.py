"""Importers: BibTeX files and course pages (Markdown/Jekyll/HTML) into topics.yaml and bib/."""

from .report import ImportReport, Item

__all__ = ["ImportReport", "Item"]
