"""`ris`: RIS records (EndNote, Zotero, Mendeley). One record per paper, `ID` = citation key.

RIS is line based (`TG  - value`): every value is folded to one line with control characters
removed, so a title cannot start a new tag or end the record.
"""

from __future__ import annotations

import re
from typing import Any

from ..text import detex
from ._data import ExportData
from .csl_json import names

TYPES = {"inproceedings": "CPAPER", "conference": "CPAPER", "article": "JOUR", "book": "BOOK",
         "inbook": "CHAP", "incollection": "CHAP", "techreport": "RPRT", "phdthesis": "THES",
         "mastersthesis": "THES", "online": "ELEC", "misc": "GEN", "unpublished": "UNPB"}
_CTRL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


def _one_line(value: object) -> str:
    return re.sub(r"\s+", " ", _CTRL.sub(" ", str(value))).strip()


def record(p: dict[str, Any]) -> list[tuple[str, str]]:
    f = {k.lower(): v for k, v in p["fields"].items()}
    etype = (p.get("entry_type") or "misc").lower()
    ty = TYPES.get(etype, "GEN")
    if p.get("is_preprint"):
        ty = "GEN"  # RIS has no preprint type
    if etype == "misc" and p.get("url") and not p.get("arxiv_id"):
        ty = "ELEC"
    tags: list[tuple[str, str]] = [("TY", ty), ("ID", p["key"])]
    for n in names(f.get("author")):
        if "literal" in n:
            tags.append(("AU", n["literal"]))
        else:
            tags.append(("AU", ", ".join(x for x in (n.get("family"), n.get("given"), n.get("suffix")) if x)))
    if p.get("title"):
        tags.append(("TI", p["title"]))
    if p.get("venue_full"):
        tags.append(("T2" if ty in ("CPAPER", "CHAP") else "JO" if ty == "JOUR" else "PB" if ty == "BOOK" else "T2",
                     p["venue_full"]))
    if p.get("year"):
        tags.append(("PY", str(p["year"])))
    if p.get("pages"):
        sp, _, ep = re.sub(r"-+", "-", p["pages"]).partition("-")
        tags.append(("SP", sp))
        if ep:
            tags.append(("EP", ep))
    for src, tag in (("volume", "VL"), ("number", "IS"), ("publisher", "PB"), ("isbn", "SN"), ("issn", "SN")):
        if f.get(src) and not (tag == "PB" and ("PB", p.get("venue_full")) in tags):
            tags.append((tag, detex(str(f[src])) or ""))
    if p.get("doi"):
        tags.append(("DO", p["doi"]))
    if p.get("url"):
        tags.append(("UR", p["url"]))
    if p.get("arxiv_id"):
        tags.append(("UR", f"https://arxiv.org/abs/{p['arxiv_id']}") if p.get("url") != f"https://arxiv.org/abs/{p['arxiv_id']}"
                    else ("N1", f"arXiv:{p['arxiv_id']}"))
    if p.get("abstract"):
        tags.append(("AB", p["abstract"]))
    tags.append(("ER", ""))
    return [(t, _one_line(v)) for t, v in tags if t == "ER" or _one_line(v)]


def render(data: ExportData) -> str:
    out = []
    for key in sorted(data.papers):
        out += [f"{t}  - {v}" for t, v in record(data.papers[key])]
        out.append("")
    return "\n".join(out)
