"""Mapping topics and papers to the areas of the taxonomy (explicit or inferred, with reasons).

Computed once at build time (``store._fill`` calls :func:`infer_areas`) into ``topic_areas`` and
``paper_areas``; every inferred row carries a human-readable ``reason`` (``readinglist why``).

Papers, in order of precedence:
  1. explicit: the BibTeX field ``areas = {a, b}`` on the entry;
  2. inferred from keywords of an area found in the title, the ``keywords`` field or the abstract
     (a title/keywords hit is enough; the abstract needs two distinct keywords or one multi-word one);
  3. inferred from the arXiv primary category (``config: areas: arxiv_categories: {cs.AR: ...}``
     extends or replaces the small default table; only areas that exist are used);
  4. inferred from the topic the paper is read under, when that topic names the area explicitly.
  The BibTeX field ``not-areas = {a}`` removes inferred mappings (never explicit ones).

Topics:
  1. explicit: ``areas: [...]`` on the topic (inserted by the store);
  2. inferred from keywords in the topic's title and notes;
  3. inferred from its readings: an area held (explicitly or by keyword/category) by at least two
     readings and by at least a third of them (or by the only reading of a one-reading topic).
  ``not_areas: [...]`` on a topic removes inferred mappings (read when the topics.yaml parser
  provides ``Topic.not_areas``).

Keyword matching is one pass per text with a single trie-compiled regular expression over all
keywords of all areas, so 100,000 titles take well under a second.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .errors import SourceFileError, ValidationError
from .models import Area, Catalog, Paper

# arXiv primary category -> area id (used only when the area exists in the taxonomy)
DEFAULT_ARXIV_CATEGORIES: dict[str, str] = {
    "cs.AR": "hardware-accelerators",
    "cs.CR": "security-privacy",
    "cs.DB": "data-systems",
    "cs.PF": "benchmarking",
}

# Suffixes a keyword may carry in text: "benchmark" matches "benchmarks", "data parallel" "data parallelism".
_SUFFIX = r"(?:s|es|ed|ing|ism|isms|ation|ations)?"


@dataclass
class Inferred:
    topic_rows: list[tuple[str, str, str, str, str]] = field(default_factory=list)  # course, topic, area, source, reason
    paper_rows: list[tuple[str, str, str, str]] = field(default_factory=list)  # paper, area, source, reason


def split_ids(value: str | None) -> list[str]:
    """`a, b; c` (a BibTeX list field) -> ['a', 'b', 'c']."""
    if not value:
        return []
    return [s.strip().strip("{}").strip() for s in re.split(r"[,;]", value) if s.strip().strip("{}").strip()]


def _norm_text(text: str) -> str:
    text = text.lower().replace("{", "").replace("}", "")
    return re.sub(r"[\s\-_/]+", " ", text)


def _norm_keyword(kw: str) -> str:
    return " ".join(re.sub(r"[\s\-_/]+", " ", kw.lower()).split())


def _trie_pattern(words: Iterable[str]) -> str:
    """A regex alternation of `words` compiled as a trie (shared prefixes factored out)."""
    trie: dict[str, Any] = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = True

    def render(node: dict[str, Any]) -> str:
        end = "" in node
        alts = [re.escape(ch) + render(child) for ch, child in sorted(node.items()) if ch != ""]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if end else body

    return render(trie)


class KeywordMatcher:
    """All keywords of all areas in one regex; `match(text)` -> {area_id: [keywords found]}."""

    def __init__(self, areas: Iterable[Area]) -> None:
        self.by_keyword: dict[str, list[str]] = defaultdict(list)
        for a in areas:
            for kw in a.keywords:
                k = _norm_keyword(kw)
                if k and a.id not in self.by_keyword[k]:
                    self.by_keyword[k].append(a.id)
        self.regex: re.Pattern[str] | None = None
        if self.by_keyword:
            # A trie regex is greedy: at each position the longest keyword wins ("model serving" over "serving").
            self.regex = re.compile(r"\b(" + _trie_pattern(self.by_keyword) + ")" + _SUFFIX + r"\b")

    def match(self, text: str | None) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        if not text or self.regex is None:
            return out
        for m in self.regex.finditer(_norm_text(text)):
            kw = m.group(1)
            for area in self.by_keyword.get(kw, ()):
                found = out.setdefault(area, [])
                if kw not in found:
                    found.append(kw)
        return out


def unmatchable_areas(areas: Iterable[Area]) -> list[str]:
    """Areas no text can ever match by keyword (no keywords, or only blank/punctuation ones)."""
    return [a.id for a in areas if not any(re.search(r"\w", k) for k in a.keywords)]


def _quote(words: list[str]) -> str:
    return ", ".join(f'"{w}"' for w in words)


def paper_keyword_areas(p: Paper, matcher: KeywordMatcher) -> dict[str, str]:
    """Areas a paper's own text names: {area: reason}."""
    from .text import detex

    out: dict[str, str] = {}
    title = p.fields.get("title")
    for area, kws in matcher.match(detex(title) if title and "\\" in title else title).items():
        out[area] = f"title matches {_quote(kws)}"
    for area, kws in matcher.match(p.fields.get("keywords")).items():
        out.setdefault(area, f"keywords field matches {_quote(kws)}")
    abstract = p.fields.get("abstract")
    if abstract:
        for area, kws in matcher.match(abstract).items():
            if area in out:
                continue
            if len(kws) >= 2 or any(" " in k for k in kws):
                out[area] = f"abstract matches {_quote(kws)}"
    return out


def infer_areas(cat: Catalog) -> Inferred:
    """Explicit paper areas and inferred topic/paper areas, each row with its reason.

    Raises ValidationError when a .bib entry's `areas`/`not-areas` names an unknown area.
    """
    res = Inferred()
    area_case = {a.id.lower(): a.id for a in cat.areas}
    if not area_case:
        return res
    matcher = KeywordMatcher(cat.areas)
    cfg = cat.config.get("areas") if isinstance(cat.config, dict) else None
    cat_map = dict(DEFAULT_ARXIV_CATEGORIES)
    if isinstance(cfg, dict) and isinstance(cfg.get("arxiv_categories"), dict):
        cat_map.update({str(k): str(v) for k, v in cfg["arxiv_categories"].items()})
    cat_map = {k.lower(): area_case[v.lower()] for k, v in cat_map.items() if v and v.lower() in area_case}

    problems: list[SourceFileError] = []
    paper_areas: dict[str, dict[str, tuple[str, str]]] = {}  # key -> area -> (source, reason)
    removed: dict[str, set[str]] = {}

    def check(p: Paper, field_name: str) -> list[str]:
        out = []
        for a in split_ids(p.fields.get(field_name)):
            if a.lower() in area_case:
                out.append(area_case[a.lower()])
            else:
                problems.append(SourceFileError(
                    p.file or "bib", p.line, f"`{field_name}` names unknown area {a!r}; known areas: "
                    + ", ".join(area_case.values()), p.key))
        return out

    for key in sorted(cat.papers):
        p = cat.papers[key]
        m: dict[str, tuple[str, str]] = {}
        for a in check(p, "areas"):
            m[a] = ("explicit", "listed in the entry's `areas` field")
        not_areas = set(check(p, "not-areas")) | set(check(p, "not_areas"))
        if not_areas:
            removed[key] = not_areas
        for a, reason in paper_keyword_areas(p, matcher).items():
            if a not in m and a not in not_areas:
                m[a] = ("inferred", reason)
        pc = (p.fields.get("primaryclass") or "").strip()
        ca = cat_map.get(pc.lower()) if pc else None
        if ca and ca not in m and ca not in not_areas:
            m[ca] = ("inferred", f"arXiv primary category {pc}")
        if m:
            paper_areas[key] = m
    if problems:
        raise ValidationError(problems)

    # Papers read under a topic with explicit areas inherit them (weakest evidence: added last).
    from_topic: dict[str, dict[str, str]] = defaultdict(dict)
    for c in cat.courses:
        for t in c.topics:
            explicit = [area_case[a.lower()] for a in t.areas if a.lower() in area_case]
            for r in t.readings:
                for a in explicit:
                    from_topic[r.paper].setdefault(
                        a, f"read under topic {c.id}/{t.id}, which lists area {a} explicitly")

    # Topics: title/notes keywords, then the areas their readings share.
    for c in cat.courses:
        for t in c.topics:
            topic_explicit = {area_case[a.lower()] for a in t.areas if a.lower() in area_case}
            blocked = {area_case[a.lower()] for a in getattr(t, "not_areas", []) or [] if a.lower() in area_case}
            found: dict[str, str] = {}
            for a, kws in matcher.match(t.title).items():
                found[a] = f"topic title matches {_quote(kws)}"
            for a, kws in matcher.match(t.notes).items():
                found.setdefault(a, f"topic notes match {_quote(kws)}")
            n = len(t.readings)
            holders: dict[str, list[str]] = defaultdict(list)
            for r in t.readings:
                for a in paper_areas.get(r.paper, {}):
                    holders[a].append(r.paper)
            for a, keys in holders.items():
                k = len(keys)
                if (k >= 2 and 3 * k >= n) or (n == 1 and k == 1):
                    found.setdefault(a, f"{k} of {n} readings map to it ({', '.join(keys[:5])}"
                                        + (", ..." if k > 5 else "") + ")")
            for a, reason in found.items():
                if a not in topic_explicit and a not in blocked:
                    res.topic_rows.append((c.id, t.id, a, "inferred", reason))

    for key in sorted(set(paper_areas) | set(from_topic)):
        m = paper_areas.get(key, {})
        for a, (source, reason) in m.items():
            res.paper_rows.append((key, a, source, reason))
        for a, reason in from_topic.get(key, {}).items():
            if a not in m and a not in removed.get(key, set()):
                res.paper_rows.append((key, a, "inferred", reason))
    return res
