"""Pure normalization steps: identifiers, names, LaTeX, titles, venues, keys, fields.

No I/O, except the venue table read once (lazily) from the package data.
"""

from __future__ import annotations

from .fields import (
    normalize_doi,
    normalize_entry,
    normalize_month,
    normalize_pages,
    normalize_year,
)
from .identifiers import (
    ArxivId,
    LinkInfo,
    classify_link,
    is_non_reading_link,
    parse_arxiv_id,
    parse_doi,
    parse_openreview_id,
    validate_arxiv_id,
)
from .keys import make_key, unique_key
from .latex import latex_to_text, strip_control_chars, text_to_latex
from .names import (
    Name,
    ascii_fold,
    format_authors,
    format_name,
    initials,
    name_key,
    normalize_author_field,
    parse_names,
)
from .titles import normalize_title, title_match_key, title_similarity
from .venues import Venue, VenueClaim, canonical_venue, load_venues, parse_venue_tag

__all__ = [
    "ArxivId",
    "LinkInfo",
    "Name",
    "Venue",
    "VenueClaim",
    "ascii_fold",
    "canonical_venue",
    "classify_link",
    "format_authors",
    "format_name",
    "initials",
    "is_non_reading_link",
    "latex_to_text",
    "load_venues",
    "make_key",
    "name_key",
    "normalize_author_field",
    "normalize_doi",
    "normalize_entry",
    "normalize_month",
    "normalize_pages",
    "normalize_title",
    "normalize_year",
    "parse_arxiv_id",
    "parse_doi",
    "parse_names",
    "parse_openreview_id",
    "parse_venue_tag",
    "strip_control_chars",
    "text_to_latex",
    "title_match_key",
    "title_similarity",
    "unique_key",
    "validate_arxiv_id",
]
