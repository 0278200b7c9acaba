"""`readinglist import syllabus`: a course page (Markdown, Jekyll, raw HTML links) -> course, topics, readings.

`parse_syllabus(text)` is line-oriented: it tracks headings, ``<div class="required_reading">``
blocks, "Required"/"Optional" labels (headings, bold labels, ``(Required)``), Markdown tables with a
"Reading" column, and Just-the-Docs ``: **N**{: .label} Title`` lines, and yields
`SyllabusReading`s plus the lines it could not classify. It never invents a reading: every reading is
a link on the page, its title the link text (or the bullet text before a ``[Paper]``-style link).

Which headings are topics: the shallowest heading level whose sections hold readings, after the
page title (the first ``#`` heading) and any preamble sections before the first reading.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ReadingListError
from ..normalize.identifiers import classify_link, is_non_reading_link
from .report import ImportReport, Item

__all__ = ["ParsedSyllabus", "SyllabusReading", "SyllabusTopic", "import_syllabus", "parse_syllabus", "split_tag"]


@dataclass
class SyllabusReading:
    topic: int  # index into ParsedSyllabus.topics
    role: str
    title: str
    url: str
    claim: str | None
    note: str | None
    line: int


@dataclass
class SyllabusTopic:
    title: str
    line: int
    notes: str | None = None


@dataclass
class ParsedSyllabus:
    title: str | None = None
    topics: list[SyllabusTopic] = field(default_factory=list)
    readings: list[SyllabusReading] = field(default_factory=list)
    unclassified: list[tuple[int, str, str]] = field(default_factory=list)  # line, text, why
    skipped: list[tuple[int, str, str]] = field(default_factory=list)


_LINK = re.compile(r"\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
_HTML_LINK = re.compile(r"<a\s[^>]*?href\s*=\s*[\"']([^\"']+)[\"'][^>]*>(.*?)</a>", re.I | re.S)
_TAG = re.compile(r"<[^>]+>")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_HTML_HEADING = re.compile(r"^\s*<h([1-6])[^>]*>(.*?)</h\1>", re.I)
_DIV_OPEN = re.compile(r"<div\b[^>]*class\s*=\s*[\"']([^\"']*)[\"']", re.I)
_DIV_ANY_OPEN = re.compile(r"<div\b", re.I)
_DIV_CLOSE = re.compile(r"</div\s*>", re.I)
_LIQUID = re.compile(r"^\s*(\{%.*%\}|\{\{.*\}\}|\[//\]:\s*<>.*)\s*$")
_ROLE_WORDS = re.compile(
    r"^\W*(?:(required|mandatory|core)|(optional|recommended|further|additional|supplementa\w*|extra|background))"
    r"\b[\s\w]*?(?:readings?|papers?|materials?)?\W*$", re.I)
_INLINE_ROLE = re.compile(
    r"^\s*(?:[-*+]\s+)?(?:\*\*|__)?\(?(required|optional|recommended|further reading|additional reading)\)?"
    r"(?:\s+readings?)?\s*(?:\*\*|__)?\s*:?\s*(?:\*\*|__)?\s*(?=\[|<a\s|$)", re.I)
_PAREN_ROLE = re.compile(r"\((required|optional)\)", re.I)
_JTD_TOPIC = re.compile(r"^:\s*\*\*\d+\*\*\{:[^}]*\}\s*(.+)$")
_GENERIC_TEXT = re.compile(
    r"^\W*(paper|pdf|arxiv|link|here|html|abstract|preprint|acm|ieee|doi|openreview|springer|usenix)\W*$", re.I)
_NON_READING_TEXT = re.compile(
    r"^\W*(github|code|project|dataset|data|website|homepage|demo|talk|video|slides?|pptx?|poster|docs?|"
    r"blog|tutorial|recording|scribe note|hw\d*.*|homework.*)\W*$", re.I)
_NOTE_WORDS = re.compile(r"best|award|finalist|oral|spotlight|blog|post|honou?rable|test of time|keynote|invited", re.I)
_YEARISH = re.compile(r"(?:'|’|‘|\b)\d{2}\b|\b(?:19|20)\d{2}\b")


def _unescape(s: str) -> str:
    return html.unescape(s)


def _html_to_md(line: str) -> str:
    if "<a" not in line.lower():
        return line
    return _HTML_LINK.sub(lambda m: f"[{_TAG.sub('', m.group(2)).strip()}]({m.group(1).strip()})", line)


def _plain(s: str) -> str:
    """Markdown/HTML emphasis and tags removed, whitespace collapsed."""
    s = _TAG.sub("", s)
    s = re.sub(r"\{:[^}]*\}", "", s)
    s = re.sub(r"(\*\*|__|\*|(?<!\w)_|_(?!\w)|`)", "", s)
    return " ".join(_unescape(s).split())


def split_tag(text: str) -> tuple[str, str | None, str | None]:
    """(title, claim, note) of a link text with a trailing venue tag: ``Foo [SC’21, Best Student Paper]``
    -> (``Foo``, ``SC’21``, ``Best Student Paper``). A trailing ``(...)`` is a tag only if it holds a
    year or a venue the table knows; award words go to the note, the rest stays verbatim in the claim."""
    from ..normalize.venues import parse_venue_tag

    title = text.strip()
    claim_parts: list[str] = []
    note_parts: list[str] = []
    m = re.search(r"\s*[\[(]([^\[\]()]*)[\])]\s*\.?$", title)
    if m:
        inner = m.group(1).strip()
        bracket = title[m.start():].strip().startswith("[")
        vc = parse_venue_tag(inner)
        if bracket or vc.year or vc.venue:
            title = title[:m.start()].strip()
            for piece in (p.strip() for p in inner.split(",")):
                if not piece:
                    continue
                (note_parts if _NOTE_WORDS.search(piece) and not _YEARISH.search(piece) else claim_parts).append(piece)
    title = title.rstrip(" .:;,").strip()
    return title, (", ".join(claim_parts) or None), (", ".join(note_parts) or None)


def _role_of_heading(text: str) -> str | None:
    m = _ROLE_WORDS.match(_plain(text))
    if not m:
        return None
    return "required" if m.group(1) else "optional"


@dataclass
class _Event:
    kind: str  # "heading", "link", "text"
    line: int
    level: int = 0
    text: str = ""
    url: str = ""
    role: str | None = None
    labelled: bool = False
    context: str = ""  # the bullet text around the link
    table_topic: str | None = None
    note: str | None = None


def _scan(lines: list[str]) -> tuple[list[_Event], bool, bool]:
    """First pass: headings, links (with their role context), reading-looking text; (events, labelled, tables)."""
    events: list[_Event] = []
    div_stack: list[str | None] = []
    heading_role: str | None = None
    label_role: str | None = None
    labelled = False
    in_front = bool(lines and lines[0].strip() == "---")
    in_code = False
    in_script = False
    table_cols: dict[str, int] | None = None
    any_table = False
    for n, raw in enumerate(lines, 1):
        if in_front:
            if n > 1 and raw.strip() == "---":
                in_front = False
            continue
        if raw.strip().startswith("```"):
            in_code = not in_code
            continue
        if in_code:
            continue
        low = raw.lower()
        if "<script" in low:
            in_script = True
        if in_script:
            if "</script" in low:
                in_script = False
            continue
        if _LIQUID.match(raw):
            continue
        line = _html_to_md(raw)
        # divs
        for m in _DIV_ANY_OPEN.finditer(line):
            cm = _DIV_OPEN.match(line, m.start())
            cls = (cm.group(1).lower() if cm else "")
            role = "required" if "required" in cls else "optional" if "optional" in cls else None
            if role:
                labelled = True
            div_stack.append(role)
        div_role = next((r for r in reversed(div_stack) if r), None)
        closes = len(_DIV_CLOSE.findall(line))
        hm = _HEADING.match(line) or _HTML_HEADING.match(line)
        jtd = _JTD_TOPIC.match(line.strip())
        if hm:
            level = len(hm.group(1)) if hm.group(1).startswith("#") else int(hm.group(1))
            text = hm.group(2)
            r = _role_of_heading(text)
            if r:
                heading_role, label_role, labelled = r, None, True
            else:
                events.append(_Event("heading", n, level=level, text=_plain(_LINK.sub(r"\1", text))))
                heading_role = label_role = None
                table_cols = None
        elif jtd:
            events.append(_Event("heading", n, level=7, text=_plain(_LINK.sub(r"\1", jtd.group(1)))))
            heading_role = label_role = None
        elif line.lstrip().startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if all(re.fullmatch(r":?-{2,}:?", c) for c in cells if c):
                pass
            elif table_cols is None:
                heads = [_plain(c).lower() for c in cells]
                table_cols = {}
                for i, h in enumerate(heads):
                    for key, words in (("reading", ("reading",)), ("topic", ("topic", "lecture", "title")),
                                       ("date", ("date",))):
                        if key not in table_cols and any(w in h for w in words):
                            table_cols[key] = i
                if "reading" in table_cols:
                    any_table = True
            elif "reading" in table_cols:
                _table_row(cells, table_cols, n, events)
        else:
            inline = _INLINE_ROLE.match(line)
            paren = _PAREN_ROLE.search(line)
            role_here = None
            if inline:
                role_here = "required" if inline.group(1).lower() == "required" else "optional"
                labelled = True
            elif paren:
                role_here = paren.group(1).lower()
                labelled = True
            links = list(_LINK.finditer(line))
            if role_here and not links:
                label_role = role_here  # a label line: applies to the lines that follow
            role = role_here or div_role or label_role or heading_role
            context = line
            for lm in links:
                events.append(_Event("link", n, text=lm.group(1), url=lm.group(2), role=role,
                                     labelled=bool(role_here or div_role or label_role or heading_role),
                                     context=context, note=_note_after(line, lm.end())))
            if not links and re.match(r"^\s*[-*+]\s+\S", line) and (role_here or div_role or label_role or heading_role):
                txt = _plain(line.strip()[1:])
                if txt and not role_here:
                    events.append(_Event("text", n, text=txt, role=role, labelled=True))
        for _ in range(closes):
            if div_stack:
                div_stack.pop()
    return events, labelled, any_table


def _note_after(line: str, end: int) -> str | None:
    m = re.match(r"\s*\(([^()]*(?:chapter|chap\.?|section|pages?|part)[^()]*)\)", line[end:], re.I)
    return m.group(1).strip() if m else None


def _table_row(cells: list[str], cols: dict[str, int], n: int, events: list[_Event]) -> None:
    def cell(name: str) -> str:
        i = cols.get(name)
        return cells[i] if i is not None and i < len(cells) else ""

    reading = cell("reading")
    topic_text = _plain(_LINK.sub("", cell("topic"))) if "topic" in cols else ""
    if "topic" in cols and topic_text:
        date = _plain(cell("date"))
        events.append(_Event("heading", n, level=8, text=topic_text, note=f"Date: {date}" if date else None))
    elif "topic" not in cols and reading and not _LINK.search(reading) and re.fullmatch(r"\s*\*\*[^*]+\*\*\s*", reading):
        events.append(_Event("heading", n, level=8, text=_plain(reading)))
        return
    for lm in _LINK.finditer(reading):
        events.append(_Event("link", n, text=lm.group(1), url=lm.group(2), role="required", labelled=True,
                             context="\x00table" + reading, note=_note_after(reading, lm.end())))
    rest = _plain(_LINK.sub("", reading)).strip(" ,;")
    rest = re.sub(r"\((?:[^()]*(?:chapter|chap\.?|section|pages?|part)[^()]*)\)", "", rest, flags=re.I).strip(" ,;")
    rest = re.sub(r"^(?:chap\.?|chapters?)\s*[\d,\s-]+(?:of)?$", "", rest, flags=re.I).strip()
    for piece in (p.strip() for p in rest.split(",")):
        if piece and not re.fullmatch(r"(?:chap\.?|chapters?)?\s*[\d,\s-]*(?:of)?", piece, re.I):
            events.append(_Event("text", n, text=piece, role="required", labelled=True))


def _title_for(ev: _Event) -> tuple[str, str | None, str | None]:
    text = _plain(ev.text)
    if not text or _GENERIC_TEXT.match(text):
        ctx = ev.context.removeprefix("\x00table")
        before, _, after = ctx.partition(f"[{ev.text}]")
        before = re.sub(r"^\s*(?:[-*+]|\d+\.)\s+", "", before)
        text = _plain(_LINK.sub(r"\1", before))
        if not text.strip(" [(:-"):
            after = re.sub(r"^\([^)]*\)", "", after)  # the link's own URL
            text = _plain(_LINK.split(after)[0] if _LINK.search(after) else after)
        text = re.sub(r"\s*[\[(]+\s*$", "", text)
        quoted = re.search(r"[\"“]([^\"”]{8,})[\"”]", text)
        if quoted:
            text = quoted.group(1)
    text = re.sub(r"^(?:\d+(?:\.\d+)*)\s*[-–:]\s+", "", text)  # "2.1 - TensorFlow"
    text = re.sub(r"^(?:read|see)\s+(?:chapters?\s+[\d,\s-]+\s+of\s+)?", "", text, flags=re.I)
    return split_tag(text)


def parse_syllabus(text: str, awesome: bool = False) -> ParsedSyllabus:
    """Parse a course page; see the module docstring. `awesome`: a curated list (all readings optional)."""
    lines = text.splitlines()
    events, labelled, tables = _scan(lines)
    out = ParsedSyllabus()
    headings = [e for e in events if e.kind == "heading"]
    page = [e for e in headings if e.level < 7]
    first_h1 = next((e for e in page if e.level == 1), page[0] if page else None)
    if first_h1 is not None and first_h1.level < 7:
        out.title = first_h1.text

    def is_candidate(e: _Event) -> bool:
        return e.kind == "link" and (e.labelled or not labelled) and not _skip_reason(e)

    # topic level: table rows (8), Just-the-Docs lines (7), else the shallowest heading level owning readings
    levels = {e.level for e in headings}
    topic_level: int | None = 8 if tables else 7 if 7 in levels else None
    if topic_level is None:
        owner_levels: dict[int, int] = {}
        stack: list[_Event] = []
        for e in events:
            if e.kind == "heading":
                while stack and stack[-1].level >= e.level:
                    stack.pop()
                stack.append(e)
            elif is_candidate(e) and stack:
                for h in stack:
                    if h is not first_h1:
                        owner_levels[h.level] = owner_levels.get(h.level, 0) + 1
        topic_level = min(owner_levels) if owner_levels else None
    current: int | None = None
    started = False
    for e in events:
        if e.kind == "heading":
            if e.level == topic_level and e is not first_h1:
                if not started and topic_level < 7:
                    # preamble headings ("Course Description") before the first section with readings
                    idx = events.index(e)
                    nxt = next((h for h in events[idx + 1:] if h.kind == "heading" and h.level <= e.level), None)
                    end = events.index(nxt) if nxt else len(events)
                    if not any(is_candidate(x) for x in events[idx:end]):
                        continue
                started = True
                out.topics.append(SyllabusTopic(e.text, e.line, e.note))
                current = len(out.topics) - 1
            elif topic_level is not None and e.level < topic_level and e.level < 7 and started:
                current = None  # a higher-level section after the schedule ("## Grading")
            continue
        if e.kind == "text":
            if current is not None and e.role and not re.search(r"coming soon|tbd|to be announced", e.text, re.I):
                out.unclassified.append((e.line, e.text, "reading-list item without a link"))
            continue
        why = _skip_reason(e)
        if why:
            out.skipped.append((e.line, f"[{_plain(e.text)}]({e.url})", why))
            continue
        if tables and e.table_topic is None and not e.context.startswith("\x00table"):
            out.skipped.append((e.line, f"[{_plain(e.text)}]({e.url})", "link outside the schedule table"))
            continue
        if labelled and not e.labelled:
            if current is not None:
                out.skipped.append((e.line, f"[{_plain(e.text)}]({e.url})", "link outside the reading lists"))
            continue
        if current is None:
            if started or labelled:
                out.unclassified.append((e.line, f"[{_plain(e.text)}]({e.url})", "link outside any topic"))
            continue
        title, claim, note = _title_for(e)
        if not title:
            out.unclassified.append((e.line, f"[{_plain(e.text)}]({e.url})", "no title in the link or around it"))
            continue
        role = "optional" if awesome else (e.role or "required")
        note = "; ".join(x for x in (note, e.note) if x) or None
        out.readings.append(SyllabusReading(current, role, title, e.url.strip(), claim, note, e.line))
    return out


def _skip_reason(e: _Event) -> str | None:
    url = e.url.strip()
    text = _plain(e.text)
    if not url:
        return "link without a URL"
    if not re.match(r"^(https?:)?//", url, re.I) and not url.lower().startswith("www."):
        return "link to the course site's own material (slides, assignments)"
    if is_non_reading_link(url, text):
        return "not a reading (slides, form, video, chat)"
    if _NON_READING_TEXT.match(text):
        return f"not a reading ({text})"
    host = re.sub(r"^(https?:)?//(www\.)?", "", url.lower()).split("/")[0]
    if host in ("github.com", "gitlab.com") and not url.lower().endswith(".pdf"):
        return "code repository"
    return None


# ------------------------------------------------------------------------------------ import


def _slug(text: str) -> str:
    from ..normalize.names import ascii_fold

    s = re.sub(r"[^a-z0-9]+", "-", ascii_fold(text).lower()).strip("-")
    return s[:60].rstrip("-") or "topic"


def reading_fields(r: SyllabusReading, source: str) -> tuple[str, dict[str, str], dict[str, str]]:
    """(entry type, fields of a new entry, fields to match on) for a syllabus reading.

    Matching never uses the syllabus's claimed year: claims are checked against metadata, not trusted."""
    from ..normalize.latex import text_to_latex
    from ..normalize.venues import canonical_venue, parse_venue_tag

    info = classify_link(r.url)
    fields: dict[str, str] = {"title": text_to_latex(r.title), "url": r.url}
    if info.kind == "arxiv" and info.id:
        fields.update(eprint=info.id, archiveprefix="arXiv")
    elif info.kind == "doi" and info.id:
        fields["doi"] = info.id
    match = dict(fields)
    venue, year = info.venue, info.year
    if r.claim:
        vc = parse_venue_tag(r.claim)
        venue = venue or vc.venue
        year = year or vc.year
    etype = "misc"
    if venue:
        v = canonical_venue(venue)
        fields["venue"] = v.short if v else venue
        if v is not None and v.type in ("conference", "workshop"):
            etype = "inproceedings"
    elif info.kind == "arxiv":
        fields["venue"] = "arXiv"
    if year:
        fields["year"] = str(year)
    fields["provenance"] = f"syllabus:{source}:{r.line}"
    return etype, fields, match


def import_syllabus(root: Path, path: str, *, course_id: str, title: str | None = None, institution: str | None = None,
                    term: str | None = None, url: str | None = None, target: str | None = None,
                    dry_run: bool = False, keep_going: bool = False, awesome: bool | None = None) -> ImportReport:
    """Import the course page at `path` as course `course_id` into the project at `root`."""
    from ..project import SLUG
    from .bibtex import (
        ImportPlan,
        _bib_target,
        existing_papers,
        finalize_keys,
        plan_entry,
        project_index,
    )

    report = ImportReport(kind="syllabus", dry_run=dry_run, course=course_id)
    if not SLUG.match(course_id):
        raise ReadingListError(f"--course {course_id!r}: use lowercase letters, digits and '-' (e.g. cs294-sp22)")
    src = Path(path)
    files = sorted(src.rglob("*.md")) if src.is_dir() else [src]
    try:
        text = "\n".join(f.read_bytes().decode("utf-8-sig") for f in files)
    except UnicodeDecodeError as exc:
        raise ReadingListError(f"{path}: not UTF-8 at byte {exc.start}; save the page as UTF-8") from None
    if awesome is None:
        awesome = "awesome" in str(src).lower() or bool(re.search(r"^#\s.*awesome", text, re.I | re.M))
    parsed = parse_syllabus(text, awesome=awesome)
    display = str(path)
    for line, txt, why in parsed.unclassified:
        report.unclassified.append(Item(f"{display}:{line}", f"{why}: {txt}"))
    for line, txt, why in parsed.skipped:
        report.skipped.append(Item(f"{display}:{line}", f"{why}: {txt}"))

    from .dedup import fingerprint

    papers = existing_papers(root)
    idx, taken = project_index(papers)
    existing = {p.key: p for p in papers}
    plan = ImportPlan(index=idx, taken=taken)
    keyed: list[tuple[SyllabusReading, str]] = []
    for r in parsed.readings:
        etype, fields, match = reading_fields(r, display)
        fp = fingerprint(match)
        hit = plan.index.match(fp)
        if hit is not None and hit[0] in existing:
            report.merged.append(Item(f"{display}:{r.line}", f"{r.title!r} is {hit[0]} ({hit[1]})", None,
                                      into=hit[0], reason=hit[1]))
            keyed.append((r, hit[0]))
            continue
        keyed.append((r, plan_entry(plan, etype, fields, f"{display}:{r.line}", report, extra_urls=())))
    final = finalize_keys(plan, report)
    # topics and readings
    topics: list[dict[str, object]] = []
    ids: set[str] = set()
    for t in parsed.topics:
        tid = _slug(t.title)
        n = 2
        while tid in ids:
            tid = f"{_slug(t.title)}-{n}"
            n += 1
        ids.add(tid)
        topic: dict[str, object] = {"id": tid, "title": t.title}
        if t.notes:
            topic["notes"] = t.notes
        topic["readings"] = []
        topics.append(topic)
    for r, key in keyed:
        key = final.get(key, key)
        readings = topics[r.topic]["readings"]
        assert isinstance(readings, list)
        if any(x["paper"] == key for x in readings):
            report.skipped.append(Item(f"{display}:{r.line}", f"{r.title!r} is already on this topic as {key}", key))
            continue
        reading: dict[str, str] = {"paper": key, "role": r.role}
        if r.note:
            reading["note"] = r.note
        if r.claim:
            reading["claim"] = r.claim
        readings.append(reading)
        _check_claim(report, r, existing.get(key), display)
    report.topics = topics
    course: dict[str, object] = {"id": course_id, "title": title or parsed.title or course_id}
    for k, v in (("institution", institution), ("term", term), ("url", url)):
        if v:
            course[k] = v
    course["topics"] = topics
    if dry_run or (report.failed and not keep_going):
        return report
    _commit(root, course, [e for e in plan.new], _bib_target(root / "bib", target or f"{course_id}.bib"), report)
    return report


def _check_claim(report: ImportReport, r: SyllabusReading, paper: object, display: str) -> None:
    """A venue tag that disagrees with the linked paper's metadata is reported (as a warning)."""
    from ..models import Paper
    from ..normalize.venues import parse_venue_tag

    if not r.claim or not isinstance(paper, Paper):
        return
    vc = parse_venue_tag(r.claim)
    year = paper.get("year")
    problems = []
    if vc.year and year and year.isdigit() and abs(int(year) - vc.year) > 1:
        problems.append(f"year {vc.year} vs {year}")
    venue = paper.get("venue")
    if vc.venue and venue and vc.venue.lower() != venue.lower():
        problems.append(f"venue {vc.venue} vs {venue}")
    if problems:
        report.warnings.append(Item(f"{display}:{r.line}", f"claim {r.claim!r} disagrees with {paper.key}: "
                                    + ", ".join(problems), paper.key))


def _commit(root: Path, course: dict[str, object], new: list[object], dest: Path, report: ImportReport) -> None:
    """Write bib entries and the course; on any error restore both files (all or nothing)."""
    from ..bibwrite import BibEntry, append_entries
    from ..project import Project, atomic_write
    from ..yamledit import TopicsEditor, project_lock
    from .bibtex import NewEntry

    topics_path = root / "topics.yaml"
    with project_lock(root / ".readinglist"):
        old_bib = dest.read_bytes() if dest.exists() else None
        old_topics = topics_path.read_bytes() if topics_path.exists() else None
        try:
            entries = [BibEntry(e.key, e.entry_type, e.fields) for e in new if isinstance(e, NewEntry)]
            if entries:
                append_entries(dest, entries, header=f"Entries added by `readinglist import syllabus` for {course['id']}.")
                report.written.append(str(dest.relative_to(root)))
            with TopicsEditor(topics_path) as ed:
                ed.add_course(course)
            report.written.append("topics.yaml")
            Project(root).load()
        except BaseException:
            if old_bib is None:
                dest.unlink(missing_ok=True)
            else:
                atomic_write(dest, old_bib)
            if old_topics is not None:
                atomic_write(topics_path, old_topics)
            report.written.clear()
            raise
