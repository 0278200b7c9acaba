"""Mapping topics and papers to the areas of the taxonomy (explicit or inferred, with reasons)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .models import Catalog


@dataclass
class Inferred:
    topic_rows: list[tuple[str, str, str, str, str]] = field(default_factory=list)  # course, topic, area, source, reason
    paper_rows: list[tuple[str, str, str, str]] = field(default_factory=list)  # paper, area, source, reason


def infer_areas(cat: Catalog) -> Inferred:
    """Inferred topic->area and paper->area mappings. (Filled in by the gaps work.)"""
    return Inferred()
