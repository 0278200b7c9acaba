"""One self-contained HTML page: findings, coverage heatmaps and the co-assignment table.

No network is needed to view it: inline CSS, plain HTML tables for the heatmaps, no JavaScript.
Every piece of text from the sources (titles, messages, ids) goes through `html.escape`; links are
emitted only for http(s) URLs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

from .gaps import (
    SEVERITIES,
    Finding,
    area_coverage,
    areas,
    check_courses,
    compare,
    find_gaps,
    topic_area_grid,
)
from .store import Store

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#1d2330;max-width:1400px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d8dde6;padding-bottom:4px}
.sub{color:#5a6476;margin:0 0 16px}
table{border-collapse:collapse;margin:6px 0 12px}
th,td{border:1px solid #d8dde6;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f3f5f9;font-weight:600}
.sev{font-weight:600;white-space:nowrap}.sev-high{color:#b3261e}.sev-medium{color:#a15c00}.sev-low{color:#2c5fa8}.sev-info{color:#5a6476}
.pill{display:inline-block;padding:1px 8px;border-radius:10px;margin-right:6px;background:#eef1f6}
table.heat td{width:22px;height:22px;padding:0;text-align:center;font-size:11px}
table.heat th.area{height:190px;white-space:nowrap;vertical-align:bottom;padding:2px}
table.heat th.area div{writing-mode:vertical-rl;transform:rotate(180deg);font-weight:500}
table.heat th.row{white-space:nowrap;font-weight:500;max-width:360px;overflow:hidden;text-overflow:ellipsis}
.c-explicit,.c-required{background:#1f5fbf;color:#fff}.c-inferred,.c-optional{background:#8fb3e8}
.c-listed{background:#dbe6f7}.c-none{background:#fff}
.legend span{display:inline-block;width:14px;height:14px;vertical-align:middle;margin:0 4px 0 12px;border:1px solid #ccd}
.muted{color:#5a6476}
"""


def _e(value: Any) -> str:
    return "" if value is None else escape(str(value), quote=True)


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], attrs: str = "") -> str:
    """Rows are already-escaped HTML cells."""
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table{attrs}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _findings_html(findings: list[Finding]) -> str:
    if not findings:
        return '<p id="no-findings">No gaps found.</p>'
    counts = Counter(f.severity for f in findings)
    pills = "".join(f'<span class="pill sev-{s}">{counts[s]} {s}</span>' for s in SEVERITIES if counts[s])
    rows = []
    for f in findings:
        where = "/".join(x for x in (f.course, f.topic) if x) or "-"
        rows.append([f'<span class="sev sev-{_e(f.severity)}">{_e(f.severity)}</span>', _e(f.kind), _e(where),
                     _e(f.area or ""), _e(", ".join(f.papers)), _e(f.message), _e(f.suggestion)])
    return (f'<p class="counts">{pills}</p>'
            + _table(["severity", "kind", "where", "area", "papers", "message", "suggestion"], rows,
                     ' id="findings" class="findings"'))


def _area_header(area_rows: list[dict[str, Any]]) -> str:
    return "".join(f'<th class="area" title="{_e(a["title"])}"><div>{_e(a["id"])}</div></th>' for a in area_rows)


def _topics_heatmap(db: Store, course: str, area_rows: list[dict[str, Any]]) -> str:
    grid = topic_area_grid(db, course)
    rows = []
    for t in grid["topics"]:
        cells = []
        for a in area_rows:
            c = grid["cells"].get((t["id"], a["id"]))
            if c is None:
                cells.append('<td class="c-none"></td>')
            else:
                mark = "E" if c["source"] == "explicit" else "i"
                tip = f"{a['id']}: {c['source']}: {c['reason'] or ''}"
                cells.append(f'<td class="c-{_e(c["source"])}" title="{_e(tip)}">{mark}</td>')
        label = f"{t['title']} ({t['required']} req, {t['optional']} opt)"
        rows.append(f'<tr><th class="row" title="{_e(t["id"])}">{_e(label)}</th>{"".join(cells)}</tr>')
    legend = ('<p class="legend muted">cell: <span class="c-explicit"></span>explicit (topics.yaml `areas`)'
              '<span class="c-inferred"></span>inferred (hover for the reason)<span class="c-none"></span>not mapped</p>')
    return (f'<table class="heat" id="heatmap-topics" data-course="{_e(course)}"><thead><tr><th></th>'
            f'{_area_header(area_rows)}</tr></thead><tbody>{"".join(rows)}</tbody></table>{legend}')


def _courses_heatmap(db: Store, course_ids: Sequence[str], area_rows: list[dict[str, Any]]) -> str:
    cov = area_coverage(db, course_ids)
    rows = []
    for cid in course_ids:
        cells = []
        for a in area_rows:
            cell = cov.get(cid, {}).get(a["id"])
            level = cell["level"] if cell else "none"
            tip = f"{cid} / {a['id']}: {level}" + (f" (topics: {', '.join(cell['topics'])})" if cell else "")
            mark = {"required": "R", "optional": "o", "listed": "·", "none": ""}[level]
            cells.append(f'<td class="c-{level}" title="{_e(tip)}">{mark}</td>')
        rows.append(f'<tr><th class="row">{_e(cid)}</th>{"".join(cells)}</tr>')
    legend = ('<p class="legend muted">cell: <span class="c-required"></span>a topic with required readings'
              '<span class="c-optional"></span>optional readings only<span class="c-listed"></span>topic listed, '
              'no readings<span class="c-none"></span>not covered</p>')
    return (f'<table class="heat" id="heatmap-courses"><thead><tr><th></th>{_area_header(area_rows)}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>{legend}')


def _comparison_html(res: dict[str, Any]) -> str:
    parts = [f"<h2>Papers other courses assign and {_e(res['course'])} does not</h2>"]
    if res["co_assigned"]:
        parts.append(_table(
            ["courses", "required in", "paper", "year", "venue", "title", "assigned by"],
            [[_e(r["courses"]), _e(r["required_in"]), _e(r["paper"]), _e(r["year"]), _e(r["venue"]), _e(r["title"]),
              _e(", ".join(r["assigned_by"]))] for r in res["co_assigned"]], ' id="co-assignment"'))
    else:
        parts.append(f'<p id="co-assignment" class="muted">None at --min-courses {_e(res["min_courses"])}.</p>')
    parts.append(f"<h2>Areas other courses cover and {_e(res['course'])} does not</h2>")
    if res["missing_areas"]:
        parts.append(_table(["area", "title", "covered by"],
                            [[_e(r["area"]), _e(r["title"]), _e(", ".join(r["covered_by"]))] for r in res["missing_areas"]],
                            ' id="missing-areas"'))
    else:
        parts.append('<p id="missing-areas" class="muted">None.</p>')
    ids = [res["course"], *res["others"]]
    cell = {(r["a"], r["b"]): r for r in res["overlap"]}
    rows = []
    for a in ids:
        rows.append([f"<b>{_e(a)}</b>"] + [
            f'{cell[(a, b)]["shared"]} <span class="muted">({cell[(a, b)]["jaccard"]:.2f})</span>' for b in ids])
    parts.append("<h2>Overlap: shared papers (Jaccard)</h2>")
    parts.append(_table(["", *ids], rows, ' id="overlap"'))
    return "".join(parts)


def build_report(db: Store, course: str | None, *, against: Sequence[str] = (), config: dict[str, Any] | None = None,
                 min_courses: int | None = None) -> str:
    """The report page as a string."""
    all_ids = [r["id"] for r in db.rows("SELECT id FROM courses ORDER BY position")]
    if course is not None:
        check_courses(db, [course])
    against = check_courses(db, against)
    if course is None and against:
        from .errors import ReadingListError

        raise ReadingListError("--against needs --course: name the course to compare")
    findings = find_gaps(db, course, against=against, config=config, min_courses=min_courses)
    area_rows = areas(db)
    if course is not None:
        c = db.course(course)
        title = f"Coverage report: {c['title']}"
        sub = " · ".join(_e(x) for x in (course, c["institution"], c["term"]) if x)
    else:
        title = "Coverage report: all courses"
        sub = f"{len(all_ids)} courses"
    body = [f"<h1>{_e(title)}</h1>", f'<p class="sub">{sub}; {len(area_rows)} areas in the taxonomy</p>',
            "<h2>Findings</h2>", _findings_html(findings)]
    if not area_rows:
        body.append('<p class="muted">No areas in the taxonomy: add `areas:` to topics.yaml for coverage heatmaps.</p>')
    else:
        if course is not None:
            body.append(f"<h2>Coverage: topics of {_e(course)} × areas</h2>")
            body.append(_topics_heatmap(db, course, area_rows))
        ids = ([course, *against] if against else all_ids) if course is not None else all_ids
        body.append("<h2>Coverage: courses × areas</h2>")
        body.append(_courses_heatmap(db, ids, area_rows))
    if course is not None and against:
        from .gaps import co_assignment_k, gap_config

        k = co_assignment_k(gap_config(config), against, min_courses)
        body.append(_comparison_html(compare(db, course, against, min_courses=k)))
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
            f"<title>{_e(title)}</title><style>{CSS}</style></head><body>{''.join(body)}"
            '<p class="muted">Generated by readinglist report.</p></body></html>\n')
