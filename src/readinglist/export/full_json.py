"""`json`: everything in the selection, provenance and raw BibTeX fields included.

One object: `selection`, `courses` (each with its `topics`, each with its `readings`), `papers`
(key -> row with `fields`, `authors`, `provenance`, `bib_file`, `bib_line`), `areas`,
`topic_areas`, `paper_areas`, `citations`. Keys sorted, two-space indent, UTF-8.
"""

from __future__ import annotations

import json
from typing import Any

from ._data import ExportData


def document(data: ExportData) -> dict[str, Any]:
    courses = []
    for c in data.courses:
        topics = []
        for t in data.topics_of(c["id"]):
            rs = [{k: v for k, v in r.items() if k not in ("course_id", "topic_id")}
                  for r in data.readings_of(c["id"], t["id"])]
            topics.append(dict({k: v for k, v in t.items() if k != "course_id"}, readings=rs))
        courses.append(dict(c, topics=topics))
    return {
        "format": "readinglist-export",
        "version": 1,
        "selection": data.selection,
        "courses": courses,
        "papers": data.papers,
        "areas": [dict(a, keywords=json.loads(a["keywords"]), sources=json.loads(a["sources"])) for a in data.areas],
        "topic_areas": data.topic_areas,
        "paper_areas": data.paper_areas,
        "citations": data.citations,
    }


def render(data: ExportData) -> str:
    return json.dumps(document(data), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
