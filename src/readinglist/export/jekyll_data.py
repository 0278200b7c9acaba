"""`jekyll-data`: `_data` files for a Jekyll site to render with its own templates.

Jekyll never runs Liquid on `_data` files, so this is the safe path for sites that run Liquid
(GitHub Pages, Jekyll 3): render the values with `{{ reading.title | escape }}`. Files, written
under `-o DIR` (e.g. the site's `_data/readinglist/`):
- `courses.json`: the courses, each with `id`, `title`, `institution`, `term`, `url`, `file`;
- `<course-id>.json` per course: the course and its `topics`, each with `required` and `optional`
  lists of readings (`key`, `title`, `authors`, `author_line`, `venue`, `year`, `link`, `note`,
  `claim`, `doi`, `arxiv`).
File names come from ids through `_safe.slug` and are joined with `_safe.safe_join`, so no id
can write outside DIR. `link` is an http(s) URL or null (never `javascript:`).
"""

from __future__ import annotations

import json
from typing import Any

from . import _safe
from ._data import ExportData, author_line, link_of


def _dump(obj: Any) -> str:
    return json.dumps(obj, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def _reading(r: dict[str, Any], p: dict[str, Any]) -> dict[str, Any]:
    raw = link_of(p)
    return {
        "key": p["key"], "title": p.get("title"), "authors": p.get("authors") or [],
        "author_line": author_line(p.get("authors") or []), "venue": p.get("venue"),
        "venue_full": p.get("venue_full"), "year": p.get("year"), "link": _safe.url(raw) and raw,
        "doi": p.get("doi"), "arxiv": p.get("arxiv_id"), "note": r.get("note"), "claim": r.get("claim"),
        "role": r["role"], "position": r["position"],
    }


def files(data: ExportData) -> dict[str, str]:
    out: dict[str, str] = {}
    index = []
    used: set[str] = set()
    for c in data.courses:
        name = _safe.slug(c["id"]) + ".json"
        while name.lower() in used or name.lower() == "courses.json":
            name = "_" + name
        used.add(name.lower())
        meta = {k: c.get(k) for k in ("id", "title", "institution", "term", "year", "notes")}
        meta["url"] = c.get("url") if _safe.url(c.get("url")) else None
        index.append(dict(meta, file=name))
        topics = []
        for t in data.topics_of(c["id"]):
            topics.append({
                "id": t["id"], "title": t["title"], "week": t.get("week"), "date": t.get("date"),
                "notes": t.get("notes"), "position": t["position"],
                "required": [_reading(r, data.papers[r["paper_key"]]) for r in data.readings_of(c["id"], t["id"], "required")],
                "optional": [_reading(r, data.papers[r["paper_key"]]) for r in data.readings_of(c["id"], t["id"], "optional")],
            })
        out[name] = _dump(dict(meta, topics=topics))
    out["courses.json"] = _dump(index)
    return dict(sorted(out.items()))
