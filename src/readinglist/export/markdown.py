"""Markdown reading lists: week by week, required then optional, each reading a link.

Two styles:
- `plain` (default): `#` course, `##` topic (with week and date), bold Required/Optional labels,
  one bullet per reading: link, authors, venue and year, and the reading's note.
- `cs294`: the layout of the UC Berkeley CS294 AI-Sys site (`index.md`): per topic the site's
  `{% include syllabus_entry %}` line, a `# Topic` heading, `<div class="reading">` holding
  `<div class="required_reading" markdown="1">` and `<div class="optional_reading" markdown="1">`
  bullet lists of `[Title [VENUE’YY, note]](link)`, the tag made from the metadata (the syllabus's
  own claim only where the metadata has no venue). That is the only Liquid in the output and it is
  fixed text; every value from the data goes through `_safe.text` / `_safe.url`.
"""

from __future__ import annotations

from typing import Any

from . import _safe
from ._data import ExportData, author_line, link_of

STYLES = ("plain", "cs294")


def _link(title: str, href: str | None) -> str:
    return f"[{title}]({href})" if href else title


def _plain_item(r: dict[str, Any], p: dict[str, Any]) -> str:
    title = _safe.text(p.get("title") or p["key"])
    parts = [_link(title, _safe.url(link_of(p)))]
    who = author_line(p.get("authors") or [])
    if who:
        parts.append(_safe.text(who))
    where = " ".join(x for x in (f"*{_safe.text(p['venue'])}*" if p.get("venue") else "",
                                 str(p["year"]) if p.get("year") else "") if x)
    if where:
        parts.append(where)
    line = ". ".join(x.rstrip(".") for x in parts) + "."
    if r.get("note"):
        line += f" {_safe.text(r['note'])}."
    return f"- {line}"


def render_plain(data: ExportData) -> str:
    out: list[str] = []
    for c in data.courses:
        out.append(f"# {_safe.text(c['title'])}")
        out.append("")
        meta = ", ".join(_safe.text(x) for x in (c.get("institution"), c.get("term")) if x)
        href = _safe.url(c.get("url"))
        if href:
            meta = f"{meta}. <{href}>" if meta else f"<{href}>"
        if meta:
            out += [meta, ""]
        for t in data.topics_of(c["id"]):
            head = _safe.text(t["title"])
            if t.get("week") is not None:
                head = f"Week {int(t['week'])}: {head}"
            out += [f"## {head}", ""]
            sub = [x for x in (_safe.text(t["date"]) if t.get("date") else "",
                               _safe.text(t["notes"]) if t.get("notes") else "") if x]
            if sub:
                out += [f"*{'. '.join(sub)}*", ""]
            for role in ("required", "optional"):
                rs = data.readings_of(c["id"], t["id"], role)
                if not rs:
                    continue
                out += [f"**{role.capitalize()}**", ""]
                out += [_plain_item(r, data.papers[r["paper_key"]]) for r in rs]
                out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def venue_tag(r: dict[str, Any], p: dict[str, Any]) -> str | None:
    """The site's `[VENUE’YY]` tag, from the metadata (so a wrong syllabus tag is not repeated);
    the syllabus's own claim only when the metadata names no venue."""
    venue, year = p.get("venue"), p.get("year")
    if venue and venue not in ("Blog", "Book") and year:
        return f"{venue}’{int(year) % 100:02d}"
    return r.get("claim") or None


def _cs294_item(r: dict[str, Any], p: dict[str, Any]) -> str:
    title = _safe.text(p.get("title") or p["key"])
    tags = [_safe.text(x) for x in (venue_tag(r, p), r.get("note")) if x]
    if tags:
        title = f"{title} [{', '.join(tags)}]"
    return f"* {_link(title, _safe.url(link_of(p) if not p.get('url') else p['url']))}"


def render_cs294(data: ExportData) -> str:
    out: list[str] = []
    for c in data.courses:
        for t in data.topics_of(c["id"]):
            out += ["{% include syllabus_entry %}", f"# {_safe.text(t['title'])}"]
            if t.get("notes"):
                out.append(f"## {_safe.text(t['notes'])}")
            out.append("")
            req = data.readings_of(c["id"], t["id"], "required")
            opt = data.readings_of(c["id"], t["id"], "optional")
            if req or opt:
                out += ['<div class="reading">', ""]
                for cls, rs in (("required_reading", req), ("optional_reading", opt)):
                    if rs:
                        out.append(f'<div class="{cls}" markdown="1">')
                        out += [_cs294_item(r, data.papers[r["paper_key"]]) for r in rs]
                        out += ["</div>", ""]
                out += ["</div>", ""]
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def render(data: ExportData, style: str = "plain") -> str:
    if style == "cs294":
        return render_cs294(data)
    return render_plain(data)
