"""`csl-json`: CSL-JSON items (Citation Style Language data schema 1.0) for Pandoc and Zotero.

One item per paper, `id` = citation key. Titles and names are LaTeX-decoded text; names split into
`family`/`given` from the BibTeX `author` field (`{Corporate}` names as `literal`). arXiv-only
papers are `article` with `publisher: arXiv` and `number: arXiv:<id>` (what Zotero does).
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..text import detex
from ._data import ExportData

TYPES = {
    "inproceedings": "paper-conference", "conference": "paper-conference", "article": "article-journal",
    "book": "book", "inbook": "chapter", "incollection": "chapter", "techreport": "report",
    "report": "report", "phdthesis": "thesis", "mastersthesis": "thesis", "thesis": "thesis",
    "online": "webpage", "misc": "document", "unpublished": "manuscript",
}
MONTHS = {m: i + 1 for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))}


def names(field: str | None) -> list[dict[str, str]]:
    """CSL name objects from a BibTeX name list (the project's one name parser: normalize.names)."""
    from ..normalize.names import parse_names

    out: list[dict[str, str]] = []
    for n in parse_names(field or ""):
        if n.is_others:
            continue
        if n.is_corporate or not (n.first or n.von or n.jr):
            name = {"literal": n.last} if n.is_corporate else {"family": n.last}
        else:
            name = {"family": " ".join(x for x in (n.von, n.last) if x), "given": n.first, "suffix": n.jr}
        out.append({k: v for k, v in name.items() if v})
    return out


def item(p: dict[str, Any]) -> dict[str, Any]:
    f = {k.lower(): v for k, v in p["fields"].items()}
    etype = (p.get("entry_type") or "misc").lower()
    it: dict[str, Any] = {"id": p["key"], "type": TYPES.get(etype, "document")}
    if p.get("title"):
        it["title"] = p["title"]
    au = names(f.get("author"))
    if au:
        it["author"] = au
    ed = names(f.get("editor"))
    if ed:
        it["editor"] = ed
    if p.get("year"):
        parts = [int(p["year"])]
        m = str(f.get("month") or "").strip().lower()[:3]
        if m in MONTHS:
            parts.append(MONTHS[m])
        elif m.isdigit() and 1 <= int(m) <= 12:
            parts.append(int(m))
        it["issued"] = {"date-parts": [parts]}
    if p.get("venue_full") and etype not in ("book", "misc", "online"):
        it["container-title"] = p["venue_full"]
    if p.get("venue"):
        it["container-title-short"] = p["venue"]
    for src, dst in (("volume", "volume"), ("number", "issue" if etype == "article" else "number"),
                     ("publisher", "publisher"), ("isbn", "ISBN"), ("issn", "ISSN"), ("edition", "edition")):
        if f.get(src):
            it[dst] = detex(str(f[src]))
    if p.get("pages"):
        it["page"] = re.sub(r"-+", "-", p["pages"])
    if p.get("doi"):
        it["DOI"] = p["doi"]
    if p.get("url"):
        it["URL"] = p["url"]
    if p.get("abstract"):
        it["abstract"] = p["abstract"]
    if p.get("arxiv_id") and p.get("is_preprint"):
        it["type"] = "article"
        it["publisher"] = "arXiv"
        it["number"] = f"arXiv:{p['arxiv_id']}"
        it.setdefault("URL", f"https://arxiv.org/abs/{p['arxiv_id']}")
    elif p.get("arxiv_id"):
        it["note"] = f"arXiv:{p['arxiv_id']}"
    if etype == "misc" and not p.get("arxiv_id") and p.get("venue_full"):
        it["container-title"] = p["venue_full"]
        if p.get("url"):
            it["type"] = "post-weblog" if (p.get("venue") or "").lower() == "blog" else "webpage"
    return it


def items(data: ExportData) -> list[dict[str, Any]]:
    return [item(data.papers[k]) for k in sorted(data.papers)]


def render(data: ExportData) -> str:
    return json.dumps(items(data), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
