"""`readinglist import syllabus`: a course page (Markdown, Jekyll, HTML) -> course, topics, readings.

`parse_syllabus(text)` is line-oriented after a preparation pass (HTML comments blanked, a list
item or ``<a>`` continued on the next line joined). It tracks headings, ``<div class="required_reading">``
blocks, "Required"/"Optional" labels (headings, bold labels, ``(Required)``, labels inside table
cells), Markdown tables and HTML ``<table>`` schedules (`html.parser`: rows -> cells -> lines with
links), Just-the-Docs ``: **N**{: .label} Title`` lines and Jekyll schedule entries (a repeated
``{% include X %}`` before each session), and yields `SyllabusReading`s plus the lines it could not
classify. It never invents a reading: every reading is a link on the page, its title the link text
(or the bullet text around a ``[Paper]``-style link); venue tags around it or in its sub-bullets
are kept verbatim as the claim.

Which headings are topics: the heading after each schedule-entry marker; else the shallowest
heading level whose sections hold readings, after the page title (the first ``#`` heading) and
any preamble sections before the first reading (a session-like heading, "Lecture 1" or one after a
"Schedule" heading, is a topic even without readings; "Grading" after the schedule is not).
`parse_pages` reads a folder's pages in order, each with its own line numbers.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ReadingListError
from ..normalize.identifiers import classify_link, is_non_reading_link
from .report import ImportReport, Item

if TYPE_CHECKING:
    from .bibtex import ExistingUpdate, ImportPlan

__all__ = ["ParsedSyllabus", "SyllabusReading", "SyllabusTopic", "import_syllabus", "parse_pages", "parse_syllabus",
           "split_tag", "syllabus_key"]


@dataclass
class SyllabusReading:
    topic: int  # index into ParsedSyllabus.topics
    role: str
    title: str
    url: str
    claim: str | None
    note: str | None
    line: int
    file: str = ""  # the page it came from, when a folder of pages was read


@dataclass
class SyllabusTopic:
    title: str
    line: int
    notes: str | None = None
    file: str = ""


@dataclass
class ParsedSyllabus:
    title: str | None = None
    topics: list[SyllabusTopic] = field(default_factory=list)
    readings: list[SyllabusReading] = field(default_factory=list)
    unclassified: list[tuple[int, str, str, str]] = field(default_factory=list)  # line, text, why, page
    skipped: list[tuple[int, str, str, str]] = field(default_factory=list)


_LINK = re.compile(r"\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
_HTML_LINK = re.compile(r"<a\s[^>]*?href\s*=\s*[\"']([^\"']+)[\"'][^>]*>(.*?)</a>", re.I | re.S)
_TAG = re.compile(r"<[^>]+>")
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_HTML_HEADING = re.compile(r"^\s*(?:<(?!h[1-6]\b)[a-z][^>]*>\s*)*<h([1-6])\b[^>]*>(.*?)</h\1\s*>", re.I)
_DIV_OPEN = re.compile(r"<div\b[^>]*class\s*=\s*[\"']([^\"']*)[\"']", re.I)
_DIV_ANY_OPEN = re.compile(r"<div\b", re.I)
_DIV_CLOSE = re.compile(r"</div\s*>", re.I)
_LIQUID = re.compile(r"^\s*(\{%.*%\}|\{\{.*\}\}|\[//\]:\s*<>.*)\s*$")
_INCLUDE = re.compile(r"^\s*\{%-?\s*include\s+([\w./-]+)")
_LIST_ITEM = re.compile(r"^(\s*)(?:[-*+●•]|\d+[.)])\s+\S")
_ROLE_WORDS = re.compile(
    r"^\W*(?:(required|mandatory|core)|(optional|recommended|suggested|further|additional|supplementa\w*|extra|background))"
    r"\b[\s\w]*?(?:readings?|papers?|materials?)?\W*$", re.I)
# labels that name a role only with nothing else on the heading: "References", "Pre-lecture reading", "See also"
_ROLE_ONLY_WORDS = re.compile(
    r"^\W*(?:(pre-?(?:lecture|class|session)|assigned|before class)|(references?|related(?: work)?|see also|going further|"
    r"bonus|deep[- ]dives?))\s*(?:readings?|papers?|materials?)?\W*$", re.I)
_INLINE_ROLE = re.compile(
    r"^\s*(?:[-*+]\s+)?(?:\*\*|__)?\(?(required|optional|recommended|suggested|further reading|additional reading|"
    r"background|pre-?(?:lecture|class) reading|references?|related|see also)\)?"
    r"(?:\s+(?:readings?|papers?))?\s*(?:\*\*|__)?\s*:?\s*(?:\*\*|__)?\s*(?=\[|<a\s|$)", re.I)
_PAREN_ROLE = re.compile(r"\((required|optional)\)", re.I)
# a role marked on one link: "[Title](url) (Required)", "[Title](url) (Sec 1-4, Required)"
_LINK_MARK = re.compile(r"^\s*\((?:([^()]*?),\s*)?(required|optional)\)", re.I)
_PLACEHOLDER = re.compile(r"^\W*(?:n/?a|none|tb[ad]|to be (?:announced|determined)|-+|—)\W*$", re.I)
# a second header row under a spanning header: "| | | Paper 1 | Paper 2 | Paper 3 |"
_SUBHEAD = re.compile(r"(?:papers?|readings?|articles?|slides?|videos?|notes?|presenters?|discussants?|reviewers?)\s*#?\s*\d*",
                      re.I)
_JTD_TOPIC = re.compile(r"^:\s*\*\*\d+\*\*\{:[^}]*\}\s*(.+)$")
_GENERIC_TEXT = re.compile(
    r"^\W*(paper|pdf|arxiv|link|here|html|abstract|preprint|acm|ieee|doi|openreview|springer|usenix|thesis|"
    r"dissertation|book|(?:tech(?:nical)? )?report|(?:short |full |workshop )?paper|must read|article|whitepaper|"
    r"proceedings|pub(?:lication)?|semantic ?scholar|dblp|acm dl|ieee xplore|journal)\W*$", re.I)
_NON_READING_TEXT = re.compile(
    r"^\W*(github|code|source code|project|project (?:website|page)|dataset|data|website|web|homepage|demo|talk|video|"
    r"slides?|pptx?|poster|docs?|documentation|blog|news|tutorial|recording|scribe note|hw\d*.*|homework.*|"
    r"course website|infoq|medium|zhihu|bilibili|twitter|podcast|notebook|colab|api (?:reference|docs)|user guide|manual)"
    r"\W*$", re.I)
# link texts that name material of the session, not a reading: "Lecture note", "Hamel's video", "Ray tutorials"
_MATERIAL_TEXT = re.compile(
    r"^(?:[\w.-]+(?:'s|’s|s'|s’)\s+(?:[\w-]+\s+)?|(?:lecture|class|course|session|guest|week\s*\d+|lab)\s+)"
    r"(?:slides?|notes?|videos?|recordings?|notebooks?|tutorials?|demos?|colab|scribe notes?|handouts?|quiz(?:zes)?|"
    r"worksheets?)$", re.I)
_EXERCISE_TEXT = re.compile(
    r"^(?:breakout\s+|in-class\s+)?(?:exercise|homework|assignment|lab\s*\d|quiz|problem set)\b", re.I)
_NOT_A_TITLE = re.compile(r"^(?:this|these|that|those|the following)\b|^(?:an?\s+|the\s+)?(?:blog\s+)?post$|^(?:https?://|www\.)\S+$", re.I)
_NOTE_WORDS = re.compile(r"best|award|finalist|oral|spotlight|blog|post|honou?rable|test of time|keynote|invited", re.I)
_YEARISH = re.compile(r"(?:'|’|‘|\b)\d{2}\b|\b(?:19|20)\d{2}\b")
_CHAPTERS = r"(?:chap(?:ter)?s?\.?|sections?|§)\s*[\d.]+(?:\s*(?:[-–,&]|and)\s*[\d.]+)*"
_SCHEDULE_HEADING = re.compile(r"\b(schedule|syllabus|calendar|lectures|sessions|agenda|reading list|course plan)\b", re.I)
_LECTURE_HEADING = re.compile(
    r"^(?:(?:lecture|lec\.?|week|session|class|day|module|unit|part|meeting)\s*#?\d+|\d{1,2}/\d{1,2}\b|"
    r"(?:mon|tue|wed|thu|fri|sat|sun)\w*\.?,?\s+\w+\s+\d|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*\.?\s+\d{1,2}\b|"
    r"introduction\b|course (?:overview|introduction)\b)", re.I)
_ADMIN_HEADING = re.compile(
    r"^(?:course |tentative |final )?(?:projects?|grading|grades|policies|policy|logistics|prerequisites|"
    r"office hours|description|textbooks?|resources|staff|team|contact|evaluation|assessment|honor code|"
    r"academic integrity|accommodations?|acknowledge?ments?|faq|late (?:days|policy)|communication|"
    r"course description|course information|about)\s*:?$", re.I)
_PAPER_KINDS = frozenset({"arxiv", "doi", "openreview", "usenix", "pmlr", "neurips", "mlsys", "acl"})


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


def _venue_of(tag: str) -> tuple[str | None, int | None]:
    """(venue, year) a tag names; also ``ICML 17`` (a two-digit year after a venue the table knows)."""
    from ..normalize.venues import parse_venue_tag

    tag = re.sub(r"[*_{}]", "", tag)
    vc = parse_venue_tag(tag)
    year = vc.year
    if vc.venue and not year:
        m = re.fullmatch(r"(.*?)[\s-]+(\d{2})", tag.strip(" ()[]*_{}"))
        if m and parse_venue_tag(m.group(1)).venue:
            n = int(m.group(2))
            year = 2000 + n if n < 70 else 1900 + n
    return vc.venue, year


def split_tag(text: str) -> tuple[str, str | None, str | None]:
    """(title, claim, note) of a link text with a trailing venue tag: ``Foo [SC’21, Best Student Paper]``
    -> (``Foo``, ``SC’21``, ``Best Student Paper``). A trailing ``(...)`` is a tag only if it holds a
    year or a venue the table knows; award words go to the note, the rest stays verbatim in the claim."""
    title = text.strip()
    claim_parts: list[str] = []
    note_parts: list[str] = []
    m = re.search(r"\s*[\[(]([^\[\]()]*)[\])]\s*\.?$", title)
    if m:
        inner = m.group(1).strip()
        bracket = title[m.start():].strip().startswith("[")
        venue, year = _venue_of(inner)
        if bracket or year or venue:
            title = title[:m.start()].strip()
            for piece in (p.strip() for p in inner.split(",")):
                if not piece:
                    continue
                (note_parts if _NOTE_WORDS.search(piece) and not _YEARISH.search(piece) else claim_parts).append(piece)
    title = title.rstrip(" .:;,").strip()
    return title, (", ".join(claim_parts) or None), (", ".join(note_parts) or None)


def _tag_pieces(inner: str) -> tuple[str | None, str | None]:
    """(claim, note) of a tag's text: award words to the note, the rest verbatim to the claim."""
    claim: list[str] = []
    note: list[str] = []
    for piece in (p.strip() for p in re.sub(r"[*_{}]", "", inner).split(",")):
        if piece:
            (note if _NOTE_WORDS.search(piece) and not _YEARISH.search(piece) else claim).append(piece)
    return ", ".join(claim) or None, ", ".join(note) or None


def _pull_tags(raw: str) -> tuple[str, list[str], list[str]]:
    """Venue tags around a title in Markdown: a leading ``**[OSDI'18]**``, a trailing emphasized
    ``*OSDI 2018*`` or ``*Microsoft Work*``, a trailing `` - NSDI 2021``. (rest, claims, notes)."""
    claims: list[str] = []
    notes: list[str] = []
    s = raw
    for _ in range(3):
        m = re.match(r"^\s*(\*\*|__|\*|_)?\s*\[([^\[\]]{2,40})\]\s*\1?\s*(?!\()", s)
        if m and (_venue_of(m.group(2))[0] or _venue_of(m.group(2))[1]):
            c, n = _tag_pieces(m.group(2))
            claims += [c] if c else []
            notes += [n] if n else []
            s = s[m.end():]
            continue
        m = re.search(r"(?<=\S)\s*(\*\*|__|\*|_)\s*[\[(]?([^*_\[\]()]{2,60}?)[\])]?\s*\1\s*[.,;:]?\s*$", s)
        if m and _plain(s[:m.start()]).strip():
            inner = m.group(2).strip()
            venue, year = _venue_of(inner)
            if venue or year:
                c, n = _tag_pieces(inner)
                claims += [c] if c else []
                notes += [n] if n else []
            else:
                notes.append(inner)
            s = s[:m.start()]
            continue
        m = re.search(r"\s+[-–—|]\s+([^-–—|]{2,40})$", s)
        if m and _venue_of(_plain(m.group(1)))[0]:
            claims.append(_plain(m.group(1)).strip(" ."))
            s = s[:m.start()]
            continue
        break
    return s, claims, notes


def _claim_in(text: str) -> str | None:
    """A venue tag in a sub-bullet under a reading: ``Xiao, Wencong, et al. (*OSDI 2018*)``,
    ``In 17th USENIX Symposium ... ({NSDI} 20)``, ``- NSDI 2021``. Only a tag naming a venue counts."""
    whole = re.sub(r"^\s*(?:[-*+]\s+)?", "", text)
    cands = [whole] if len(whole.split()) <= 3 else []  # a bare "NSDI 2021"
    cands += [m.group(1) for m in re.finditer(r"\[([^\[\]]+)\](?!\()", text)]
    cands += [m.group(2) for m in re.finditer(r"(\*\*|\*|__|_)([^*_]+)\1", text)]
    cands += [m.group(1) for m in re.finditer(r"\(([^()]*(?:\([^()]*\)[^()]*)*)\)", text)]
    for c in reversed(cands):
        inner = re.sub(r"[{}*_]", "", c).strip(" .,;()[]")
        if not inner or len(inner) > 40:
            continue
        venue, _ = _venue_of(inner)
        if venue and venue.lower() != "arxiv":
            return inner
    return None


def _role_of_heading(text: str) -> str | None:
    m = _ROLE_WORDS.match(_plain(text)) or _ROLE_ONLY_WORDS.match(_plain(text))
    if not m:
        return None
    return "required" if m.group(1) else "optional"


def _inline_role(m: re.Match[str]) -> str:
    """The role an inline label names: ``Required:``/``Pre-lecture reading:`` or one of the optional ones."""
    return "required" if re.match(r"required|pre", m.group(1), re.I) else "optional"


@dataclass
class _Event:
    kind: str  # "heading", "link", "text", "marker", "end"
    line: int
    level: int = 0
    text: str = ""
    url: str = ""
    role: str | None = None
    labelled: bool = False
    context: str = ""  # the bullet text around the link
    note: str | None = None
    column: str | None = None  # a table column that is not a reading column
    entry: bool = False  # a heading right after a schedule-entry marker
    subs: list[str] = field(default_factory=list)  # sub-bullets under the link's bullet
    tag: bool = False  # a ``[[Label]](url)`` link
    resume: _Event | None = None  # a table row going back to the section this heading opened


# ---------------------------------------------------------------------------------- preparation


def _prepare(text: str) -> list[str]:
    """Lines with HTML comments blanked and continuation lines joined onto their first line (the
    joined lines left empty, so line numbers stay those of the page)."""
    text = _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        j = i + 1
        while j < len(lines) and j - i <= 8:
            nxt = lines[j]
            low = line.lower()
            open_a = len(re.findall(r"<a(?:\s|$)", low)) > low.count("</a>")
            unbalanced = line.count("[") > line.count("]") or re.search(r"\]\([^)]*$", line) is not None
            cont = nxt.strip() and not _LIST_ITEM.match(nxt) and not nxt.lstrip().startswith(("#", "|", "{%", ":"))
            lazy = (_LIST_ITEM.match(line) is not None and cont and not _LINK.search(line)
                    and not nxt.lstrip().startswith("<") and not _INLINE_ROLE.match(nxt) and not _role_of_heading(nxt)
                    and (_LINK.search(nxt) is not None or nxt.lstrip().startswith("[")))
            if nxt.strip() and (open_a or unbalanced or lazy):
                line = line.rstrip() + " " + nxt.strip()
                lines[j] = ""
                j += 1
                continue
            break
        lines[i] = line
        i = j if j > i + 1 else i + 1
    return lines


# --------------------------------------------------------------------------------- HTML tables


@dataclass
class _Cell:
    header: bool
    line: int
    lines: list[tuple[int, str]] = field(default_factory=list)  # (source line, Markdown-ish text)

    def text(self) -> str:
        return " ".join(t for _, t in self.lines)


@dataclass
class _Table:
    start: int
    end: int = 0
    rows: list[list[_Cell]] = field(default_factory=list)


class _TableParser(HTMLParser):
    """Rows -> cells -> lines of text with links as ``[text](href)`` (a ``<br>``, ``<p>``, ``<li>``
    or ``<div>`` starts a new line), each with its source line."""

    _BREAKS = frozenset({"br", "p", "li", "div", "ol", "ul", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "dd", "dt"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[_Table] = []
        self.open: list[_Table] = []
        self.cell: _Cell | None = None
        self.buf: list[str] = []
        self.buf_line = 0
        self.link: tuple[str, list[str]] | None = None
        self.skip = 0

    def _flush(self) -> None:
        if self.cell is not None:
            t = " ".join("".join(self.buf).split())
            if t:
                self.cell.lines.append((self.buf_line or self.cell.line, t))
        self.buf = []
        self.buf_line = 0

    def _emit(self, s: str) -> None:
        if not self.buf_line:
            self.buf_line = self.getpos()[0]
        self.buf.append(s)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        if tag in ("script", "style"):
            self.skip += 1
        elif tag == "table":
            self._flush()
            self.open.append(_Table(line))
        elif not self.open:
            return
        elif tag == "tr":
            self._flush()
            self.cell = None
            self.open[-1].rows.append([])
        elif tag in ("td", "th"):
            self._flush()
            if not self.open[-1].rows:
                self.open[-1].rows.append([])
            self.cell = _Cell(tag == "th", line)
            self.open[-1].rows[-1].append(self.cell)
        elif tag == "a" and self.cell is not None:
            href = next((v for k, v in attrs if k == "href" and v), "")
            self.link = (href.strip(), [])
            self._emit("")
        elif tag in self._BREAKS:
            self._flush()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag == "table" and self.open:
            self._flush()
            self.cell = None
            t = self.open.pop()
            t.end = self.getpos()[0]
            self.tables.append(t)
        elif tag == "a" and self.link is not None:
            href, parts = self.link
            self.link = None
            text = " ".join("".join(parts).split()).replace("]", ")").replace("[", "(")
            self._emit(f"[{text}]({href.replace(' ', '%20').replace(')', '%29')})" if href else text)
        elif tag in ("td", "th"):
            self._flush()
            self.cell = None
        elif tag in self._BREAKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self.skip or self.cell is None:
            return
        if self.link is not None:
            self.link[1].append(data)
        else:
            self._emit(data)


def _html_tables(text: str) -> list[_Table]:
    """The data tables of an HTML page (some ``<td>`` rows); a table of Markdown entries (a Jekyll
    include per row) has none and is left to the line scanner."""
    if "<td" not in text.lower():
        return []
    p = _TableParser()
    try:
        p.feed(text)
        p.close()
    except Exception:  # noqa: BLE001 - html.parser is lenient; a page it cannot read has no tables here
        return []
    return [t for t in p.tables if sum(1 for r in t.rows if any(not c.header for c in r)) >= 1 and t.end >= t.start]


def _columns(heads: list[str]) -> dict[str, int]:
    cols: dict[str, int] = {}
    for key, words in (("reading", ("reading", "paper", "material", "resource", "reference", "link")),
                       ("topic", ("topic", "lecture", "title", "description", "subject", "session", "content")),
                       ("date", ("date", "week", "day", "when"))):
        for i, h in enumerate(heads):
            if key not in cols and i not in cols.values() and any(w in h for w in words):
                cols[key] = i
    if "reading" in cols:  # "| Papers to present | | |": unnamed columns after it continue it
        end = cols["reading"]
        while end + 1 < len(heads) and not heads[end + 1].strip() and end + 1 not in cols.values():
            end += 1
        cols["reading_end"] = end
    return cols


@dataclass
class _RowState:
    """What a table without a topic column carries from row to row: the section a bold row opened
    (its heading event), and whether the current topic is one session (a bold title in a dated row)."""
    section: _Event | None = None
    session: bool = False


def _table_events(table: _Table, events: list[_Event]) -> bool:
    """Events of an HTML data table; True if it is a schedule (a topic or a reading column)."""
    rows = table.rows
    head_i = next((i for i, r in enumerate(rows) if r and all(c.header for c in r)), None)
    if head_i is None:
        return False
    heads = [_plain(c.text()).lower() for c in rows[head_i]]
    cols = _columns(heads)
    if "topic" not in cols and "reading" not in cols:
        return False
    state = _RowState()
    for r in rows[head_i + 1:]:
        cells = [[(ln, t) for ln, t in c.lines] or [(c.line, "")] for c in r]
        _row_events(cells, cols, heads, events, strict="reading" in cols and any(
            w in heads[cols["reading"]] for w in ("reading", "paper")), state=state)
    return True


# ------------------------------------------------------------------------------------ scanning


def _scan(lines: list[str], tables: list[_Table] | None = None) -> tuple[list[_Event], bool, bool]:
    """First pass: headings, links (with their role context), reading-looking text; (events, labelled, tables)."""
    events: list[_Event] = []
    div_stack: list[str | None] = []
    heading_role: str | None = None
    role_level = 0  # the level of the heading that set heading_role ("## Further reading")
    label_role: str | None = None
    labelled = False
    in_front = bool(lines and lines[0].strip() == "---")
    in_code = False
    in_script = False
    table_cols: dict[str, int] | None = None
    table_heads: list[str] = []
    table_strict = False
    table_state = _RowState()
    any_table = False
    spans = {t.start: t for t in (tables or [])}
    skip_until = 0
    item: tuple[int, list[_Event]] | None = None  # the last bullet with links: (indent, its link events)
    parent: tuple[int, str] | None = None  # the last bullet without links: (indent, its text)
    prev_text = ""
    for n, raw in enumerate(lines, 1):
        if n <= skip_until:
            continue
        if n in spans:
            t = spans[n]
            if _table_events(t, events):
                any_table = True
                skip_until = t.end
                continue
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
            in_script = "</script" not in low[low.index("<script"):]
            continue
        if in_script:
            if "</script" in low:
                in_script = False
            continue
        inc = _INCLUDE.match(raw)
        if inc:
            events.append(_Event("marker", n, text=inc.group(1)))
            continue
        if _LIQUID.match(raw):
            continue
        if re.search(r"</table\s*>", low):
            events.append(_Event("end", n))
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
        if line.strip():
            item = item if _LIST_ITEM.match(line) or not line.strip() else None
        if hm:
            level = len(hm.group(1)) if hm.group(1).startswith("#") else int(hm.group(1))
            text = hm.group(2)
            r = _role_of_heading(text)
            if r:
                heading_role, label_role, labelled, role_level = r, None, True, level
            else:
                events.append(_Event("heading", n, level=level, text=_plain(_LINK.sub(r"\1", text))))
                if not (heading_role and level > role_level):  # "## Further reading" / "### Pruning"
                    heading_role = None
                label_role = None
                table_cols = None
        elif jtd:
            date = prev_text if _LECTURE_HEADING.match(prev_text) and len(prev_text) < 30 else ""
            events.append(_Event("heading", n, level=7, text=_plain(_LINK.sub(r"\1", jtd.group(1))),
                                 note=f"Date: {date}" if date else None))
            heading_role = label_role = None
        elif line.lstrip().startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if all(re.fullmatch(r":?-{2,}:?", c) for c in cells if c):
                pass
            elif table_cols is None:
                table_heads = [_plain(c).lower() for c in cells]
                table_cols = _columns(table_heads)
                table_state = _RowState()
                table_strict = "reading" in table_cols and any(
                    w in table_heads[table_cols["reading"]] for w in ("reading", "paper"))
                if "reading" in table_cols:
                    any_table = True
            elif "reading" in table_cols:
                split = [[(n, part) for part in re.split(r"<br\s*/?>", c, flags=re.I)] for c in cells]
                _row_events(split, table_cols, table_heads, events, strict=table_strict, state=table_state)
        else:
            inline = _INLINE_ROLE.match(line)
            paren = _PAREN_ROLE.search(line)
            role_here = None
            if inline:
                role_here = _inline_role(inline)
                labelled = True
            elif paren:
                role_here = paren.group(1).lower()
                labelled = True
            links = list(_LINK.finditer(line))
            if role_here and not links:
                label_role = role_here  # a label line: applies to the lines that follow
            role = role_here or div_role or label_role or heading_role
            bullet = _LIST_ITEM.match(line)
            indent = len(bullet.group(1)) if bullet else -1
            context = line
            if bullet and links and parent is not None and indent > parent[0] and not _plain(
                    line[bullet.end() - 1:links[0].start()]).strip():
                context = parent[1] + " " + line[bullet.end() - 1:]  # "- Title 2021\n  - [[Paper]](url)"
            if bullet and not links:
                parent = (indent, line.strip())
            elif bullet:
                parent = None
            if bullet and not links and item is not None and indent > item[0]:
                for ev in item[1]:
                    ev.subs.append(line.strip())  # a sub-bullet under a reading: authors, venue, summary
            else:
                new: list[_Event] = []
                for lm in links:
                    new.append(_Event("link", n, text=lm.group(1), url=lm.group(2), role=role,
                                      labelled=bool(role_here or div_role or label_role or heading_role),
                                      context=context, note=_note_around(line, lm),
                                      tag=lm.group(1).startswith("[") and lm.group(1).endswith("]")))
                events.extend(new)
                if bullet and new:
                    item = (indent, new)
                if not links and bullet and (role_here or div_role or label_role or heading_role):
                    txt = _plain(re.sub(r"^\s*(?:[-*+●•]|\d+[.)])\s+", "", line))
                    if txt and not role_here:
                        events.append(_Event("text", n, text=txt, role=role, labelled=True))
        if line.strip():
            prev_text = _plain(line)
        for _ in range(closes):
            if div_stack:
                div_stack.pop()
    return events, labelled, any_table


def _note_around(line: str, lm: re.Match[str]) -> str | None:
    """``(Chapters 1 and 2)`` after a link, or ``Chap 2,3 of`` before it: the part to read."""
    m = re.match(r"\s*\(([^()]*(?:chapter|chap\.?|section|pages?|part)[^()]*)\)", line[lm.end():], re.I)
    if m:
        return m.group(1).strip()
    m = re.search(r"(?:^|[\s(])(" + _CHAPTERS + r")\s+(?:of|in|from)\s*(?:the\s+)?$", _plain(line[:lm.start()]), re.I)
    return m.group(1).strip() if m else None


def _row_events(cells: list[list[tuple[int, str]]], cols: dict[str, int], heads: list[str], events: list[_Event],
                strict: bool = True, state: _RowState | None = None) -> None:
    """One schedule row: a topic (from the topic column, or a bold reading cell), readings from
    the reading column and the unnamed columns its header spans (``Required``/``Optional`` labels
    inside it, or a ``(Required)`` after a link, decide roles), paper links in other columns (a
    speaker's homepage is not a reading; an arXiv link is).

    Without a topic column (UMich, UIUC CS 598): a bold-only row without a date opens a section; a
    dated row whose reading cell opens with a bold line is one session titled by it; a dated row
    without one belongs to the open section, or after a session (or before any section) is a topic
    titled by its date."""
    state = state if state is not None else _RowState()

    def cell(name: str) -> list[tuple[int, str]]:
        i = cols.get(name)
        return cells[i] if i is not None and i < len(cells) else []

    n = next((ln for c in cells for ln, _ in c), 0)
    span = range(cols["reading"], cols.get("reading_end", cols["reading"]) + 1) if "reading" in cols else range(0)
    reading = [x for i in span if i < len(cells) for x in cells[i]]
    reading_text = " ".join(t for _, t in reading)
    if not _LINK.search(" ".join(t for c in cells for _, t in c)) and all(
            _SUBHEAD.fullmatch(_plain(t)) for c in cells for _, t in c if _plain(t)):
        return  # a second header row under a spanning header ("Paper 1 | Paper 2")

    def label(lm: re.Match[str]) -> str:  # "[[slides]](..)" goes, "[Goku Mohandas](..)" stays as text
        t = _plain(lm.group(1))
        return "" if t.startswith("[") or _NON_READING_TEXT.match(t) or _MATERIAL_TEXT.match(t) else t

    topic_lines = [_plain(_LINK.sub(label, t)).strip(" -–:") for _, t in cell("topic")]
    topic_lines = [t for t in topic_lines if t]
    if topic_lines and re.fullmatch(r"tb[ad]|to be (?:announced|determined)|n/?a|-+", topic_lines[0], re.I):
        topic_lines = []  # a placeholder row
    if topic_lines:  # "13. Distributed Processing: MapReduce": the lecture number is the row's place, not its title
        topic_lines[0] = re.sub(r"^(?:lecture\s*)?\d{1,2}[.)]\s+(?=\S)", "", topic_lines[0], flags=re.I) or topic_lines[0]
    date = _plain(" ".join(t for _, t in cell("date")))
    bold = [i for i, (_, t) in enumerate(reading) if t.strip()]
    first = bold[0] if bold else None
    title_line = None
    if first is not None and re.fullmatch(r"\s*(\*\*|__)[^*_]+\1\s*", reading[first][1]):
        title_line = _plain(reading[first][1])
    if "topic" in cols and topic_lines:
        notes = ([f"Date: {date}"] if date else []) + topic_lines[1:]
        events.append(_Event("heading", n, level=8, text=topic_lines[0], note="; ".join(notes) or None))
    elif "topic" not in cols and title_line and not date:
        ev = _Event("heading", n, level=8, text=title_line)
        events.append(ev)
        state.section, state.session = ev, False
        if not _LINK.search(reading_text):
            return
    elif "topic" not in cols and title_line and "date" in cols:
        events.append(_Event("heading", n, level=8, text=title_line, note=f"Date: {date}"))
        state.session = True
    elif "topic" not in cols and date and "date" in cols and _LINK.search(reading_text) and (
            state.session or state.section is None):
        if state.section is not None:
            events.append(_Event("heading", n, level=8, text=state.section.text, resume=state.section))
        else:
            events.append(_Event("heading", n, level=8, text=date, note=f"Date: {date}"))
        state.session = state.section is None
    role: str | None = None
    for k, (ln, part) in enumerate(reading):
        if k == first and title_line:
            continue
        inline = _INLINE_ROLE.match(part)
        if inline:
            role = _inline_role(inline)
        elif _role_of_heading(part) and not _LINK.search(part):
            role = _role_of_heading(part)
            continue
        for lm in _LINK.finditer(part):
            mark = _LINK_MARK.match(part[lm.end():])
            link_role = mark.group(2).lower() if mark else role
            note = _note_around(part, lm) or (mark.group(1).strip() if mark and mark.group(1) else None)
            events.append(_Event("link", ln, text=lm.group(1), url=lm.group(2), role=link_role, labelled=True,
                                 context="\x00table" + part, note=note))
        if not strict:
            continue
        rest = _plain(_LINK.sub("", part[inline.end():] if inline else part)).strip(" ,;")
        rest = re.sub(r"\((?:[^()]*,\s*)?(?:required|optional)\)", "", rest, flags=re.I)  # "(Sec 1-4, Required)"
        rest = re.sub(r"\[([^\[\]]{2,40})\]", lambda m: "" if any(_venue_of(m.group(1))) else m.group(0), rest)
        rest = re.sub(r"\((?:[^()]*(?:chapter|chap\.?|section|pages?|part)[^()]*)\)", "", rest, flags=re.I).strip(" ,;")
        rest = re.sub(r"(?:^|,)\s*" + _CHAPTERS + r"\s*(?:of|in|from)?\s*(?=,|$)", "", rest, flags=re.I).strip(" ,;")
        for piece in (p.strip() for p in rest.split(",")):
            if piece and not _PLACEHOLDER.match(piece) and not re.fullmatch(
                    r"(?:chap\.?|chapters?)?\s*[\d,\s-]*(?:of)?", piece, re.I):
                events.append(_Event("text", ln, text=piece, role=role or "required", labelled=True))
    for i, c in enumerate(cells):
        if i in span:
            continue
        name = heads[i] if i < len(heads) and heads[i] else f"column {i + 1}"
        for ln, part in c:
            for lm in _LINK.finditer(part):
                events.append(_Event("link", ln, text=lm.group(1), url=lm.group(2), role="required", labelled=True,
                                     context="\x00table" + part, column=name))


# ------------------------------------------------------------------------------------- titles


def _title_for(ev: _Event) -> tuple[str, str | None, str | None]:
    """(title, claim, note) of a reading link: the link text, or the bullet text around a
    ``[Paper]``-style link; venue tags (in the text, around the link, in sub-bullets) become the claim."""
    text = _plain(ev.text)
    ctx = ev.context.removeprefix("\x00table")
    claims: list[str] = []
    notes: list[str] = []
    generic = not text or _GENERIC_TEXT.match(text) is not None
    if _NOT_A_TITLE.match(text) or (ev.tag and not generic):
        return "", None, None  # "this overview paper", a bare URL, [[Cornell]](url): no title to take
    if generic:
        before, _, after = ctx.partition(f"[{ev.text}]")
        before = re.sub(r"^\s*(?:[-*+●•]|\d+[.)])\s+", "", before)
        before = _LINK.split(before)[0] if _LINK.search(before) else before  # text before the first link
        before, claims, notes = _pull_tags(before)
        text = _plain(before)
        if not text.strip(" [(:-"):
            after = re.sub(r"^\([^)]*\)", "", after)  # the link's own URL
            text = _plain(_LINK.split(after)[0] if _LINK.search(after) else after)
        text = re.sub(r"\s*[\[(]+\s*$", "", text)
        quoted = re.search(r"[\"“]([^\"”]{8,})[\"”]", text)
        if quoted:
            text = quoted.group(1)
        else:  # "ZeRO-offload - moving gradients to RAM - [arxiv](..)", "GPipe (one good implementation) - [arxiv](..)"
            text = text.strip(" -–—:")
            segs = re.split(r"\s+[-–—]\s+", text)
            if len(segs) > 1 and re.match(r"[a-z]", segs[1]):
                text, notes = segs[0], [*notes, " - ".join(segs[1:])]
            m = re.fullmatch(r"(.+?)\s+\(([a-z][^()]*?\s[^()]*?\s[^()]*)\)", text)
            if m and not any(_venue_of(m.group(2))):
                text, notes = m.group(1), [*notes, m.group(2)]
        last = list(_LINK.finditer(ctx))
        _, c2, _ = _pull_tags("x " + ctx[last[-1].end():].strip()) if last else ("", [], [])
        claims += c2  # "[[Paper]](url) [[Code]](url) - NSDI 2021"
    else:
        before, _, after = ctx.partition(f"[{ev.text}]")
        after = re.sub(r"^\([^)]*\)", "", after)
        after = _LINK.split(after)[0] if _LINK.search(after) else after
        before = _LINK.split(before)[-1] if _LINK.search(before) else before
        before = re.sub(r"^\s*(?:[-*+●•]|\d+[.)])\s+", "", before)
        m = re.fullmatch(r"\s*(\*\*|__|\*|_)?\s*[\[(]([^\[\]()]{2,40})[\])]\s*\1?\s*", before)
        if m and any(_venue_of(m.group(2))):
            c, nt = _tag_pieces(m.group(2))
            claims += [c] if c else []
            notes += [nt] if nt else []
        rest, c2, n2 = _pull_tags("x " + after.strip())
        if c2 or n2:
            claims += c2
            notes += [x for x in n2 if len(x.split()) <= 4]
        else:
            m = re.match(r"\s*[\[(]([^\[\]()]{2,40})[\])]", after)
            if m and any(_venue_of(m.group(1))):
                c, nt = _tag_pieces(m.group(1))
                claims += [c] if c else []
                notes += [nt] if nt else []
    text = re.sub(r"^(?:\d+(?:\.\d+)*)\s*[-–:]\s+", "", text)  # "2.1 - TensorFlow"
    text = re.sub(r"^(?:read|see)\s+(?:" + _CHAPTERS + r"\s+of\s+)?", "", text, flags=re.I)
    text = re.sub(r"(?<!\\)[{}]", "", text)  # BibTeX-style {GPU} protection in a pasted title
    title, claim, note = split_tag(text)
    if not claim and not claims:
        for sub in ev.subs:
            c = _claim_in(sub)
            if c:
                claims.append(c)
                break
    claim = ", ".join(x for x in [claim, *claims] if x) or None
    note = ", ".join(x for x in [note, *notes] if x) or None
    return title, claim, note


# -------------------------------------------------------------------------------------- parse


def parse_syllabus(text: str, awesome: bool = False, *, page_title: bool = True) -> ParsedSyllabus:
    """Parse a course page; see the module docstring. `awesome`: a curated list (all readings optional).
    `page_title`: the first ``#`` heading is the course's title (not a topic)."""
    lines = _prepare(text)
    tables = _html_tables("\n".join(lines))
    events, labelled, tabled = _scan(lines, tables)
    out = ParsedSyllabus()
    headings = [e for e in events if e.kind == "heading"]
    page = [e for e in headings if e.level < 7]
    m = re.search(r"<title[^>]*>(.*?)</title>", text, re.I | re.S) if page_title else None
    html_title = _plain(m.group(1)) if m else ""
    first_h1 = next((e for e in page if e.level == 1), page[0] if page and not html_title else None) \
        if page_title else None
    out.title = first_h1.text if first_h1 is not None else html_title or None

    # schedule entries: a Jekyll include repeated before each session ({% include syllabus_entry %})
    counts: dict[str, int] = {}
    for e in events:
        if e.kind == "marker":
            counts[e.text] = counts.get(e.text, 0) + 1
    markers = {k for k, v in counts.items() if v >= 3}
    pending = False
    for e in events:
        if e.kind == "marker" and e.text in markers:
            pending = True
        elif e.kind == "heading" and pending and e.level < 7:
            e.entry, pending = True, False
    entries = markers and any(h.entry for h in headings)

    def is_candidate(e: _Event) -> bool:
        return e.kind == "link" and (e.labelled or not labelled) and not _skip_reason(e)

    # topic level: entries, table rows (8), Just-the-Docs lines (7), else the shallowest heading level owning readings
    levels = {e.level for e in headings}
    topic_level: int | None = None
    if not entries:
        topic_level = 8 if tabled else 7 if 7 in levels else None
    if topic_level is None and not entries:
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

    def section_has_readings(e: _Event) -> bool:
        idx = events.index(e)
        nxt = next((h for h in events[idx + 1:] if h.kind == "heading" and h.level <= e.level), None)
        end = events.index(nxt) if nxt else len(events)
        return any(is_candidate(x) for x in events[idx:end])

    current: int | None = None
    opened: dict[int, int] = {}  # id of a heading event -> its topic
    started = False
    # a page that marks single links "(Required)" and none "(Optional)": its unmarked links are optional
    marks = [m.group(1).lower() for m in re.finditer(r"\]\([^)\s]*\)\s*\((?:[^()]*?,\s*)?(required|optional)\)",
                                                     text, re.I)]
    default_role = "optional" if marks.count("required") >= 2 and "optional" not in marks else "required"
    after_schedule = False
    entry_level = 9
    for e in events:
        if e.kind == "end" and entries and started:
            current = None  # the schedule table closed
            continue
        if e.kind in ("marker", "end"):
            continue
        if e.kind == "heading":
            if entries:
                if e.entry:
                    started = True
                    entry_level = e.level
                    out.topics.append(SyllabusTopic(e.text, e.line, e.note))
                    current = len(out.topics) - 1
                elif e.level <= entry_level and e is not first_h1:
                    current = None
                continue
            if e.resume is not None and e.level == topic_level and id(e.resume) in opened:
                current = opened[id(e.resume)]  # a table row back in the section a bold row opened
                continue
            if e.level == topic_level and e is not first_h1:
                if not started and topic_level < 7 and not section_has_readings(e):
                    # preamble ("Course Description") before the first section with readings, unless
                    # a schedule heading came before or the heading names a session ("Lecture 1", "Jan 7")
                    if _SCHEDULE_HEADING.search(e.text) or not (after_schedule or _LECTURE_HEADING.match(e.text)):
                        after_schedule = after_schedule or bool(_SCHEDULE_HEADING.search(e.text))
                        continue
                if started and topic_level < 7 and _ADMIN_HEADING.match(e.text) and not section_has_readings(e):
                    current = None  # "## Grading" after the schedule
                    continue
                started = True
                out.topics.append(SyllabusTopic(e.text, e.line, e.note))
                current = len(out.topics) - 1
                opened[id(e)] = current
            elif topic_level is not None and e.level < topic_level and e.level < 7:
                if started:
                    current = None  # a higher-level section after the schedule ("## Grading")
                if _SCHEDULE_HEADING.search(e.text):
                    after_schedule = True
            continue
        if e.kind == "text":
            if (current is not None or labelled) and e.role and not _PLACEHOLDER.match(e.text) and not re.search(
                    r"coming soon|tbd|to be announced", e.text, re.I):
                bare = re.fullmatch(r"<?(?:https?://|www\.)\S+?>?", e.text)
                out.unclassified.append((e.line, e.text, "a bare URL, no title" if bare else "reading-list item without a link",
                                         ""))
            continue
        why = _skip_reason(e)
        if why:
            out.skipped.append((e.line, f"[{_plain(e.text)}]({e.url})", why, ""))
            continue
        if tabled and not e.context.startswith("\x00table"):
            out.skipped.append((e.line, f"[{_plain(e.text)}]({e.url})", "link outside the schedule table", ""))
            continue
        if e.column is not None and classify_link(e.url).kind not in _PAPER_KINDS:
            out.skipped.append((e.line, f"[{_plain(e.text)}]({e.url})", f"link in the {e.column!r} column", ""))
            continue
        if labelled and not e.labelled:
            if current is not None:
                out.skipped.append((e.line, f"[{_plain(e.text)}]({e.url})", "link outside the reading lists", ""))
            continue
        if current is None:
            if started or labelled:
                out.unclassified.append((e.line, f"[{_plain(e.text)}]({e.url})", "link outside any topic", ""))
            continue
        title, claim, note = _title_for(e)
        if not title:
            if e.tag and any(r.line == e.line for r in out.readings):
                out.skipped.append((e.line, f"[{_plain(e.text)}]({e.url})", "secondary link of the reading on this line", ""))
            else:
                out.unclassified.append((e.line, f"[{_plain(e.text)}]({e.url})", "no title in the link or around it", ""))
            continue
        role = "optional" if awesome else (e.role or default_role)
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
    if _MATERIAL_TEXT.match(text.strip("[] ")) or _EXERCISE_TEXT.match(text.strip("[] ")):
        return f"not a reading ({text})"
    host = re.sub(r"^(https?:)?//(www\.)?", "", url.lower()).split("/")[0]
    path = "/" + "/".join(re.sub(r"^(https?:)?//", "", url.lower()).split("/")[1:])
    if host in ("github.com", "gitlab.com") and not url.lower().endswith(".pdf"):
        return "code repository"
    if host == "docs.google.com" and path.startswith(("/spreadsheets", "/document")):
        return "not a reading (course document or sign-up sheet)"
    if host in ("colab.research.google.com", "twitter.com", "x.com", "calendly.com", "doodle.com"):
        return "not a reading (notebook, profile, poll)"
    return None


def parse_pages(pages: list[tuple[str, str]], awesome: bool = False) -> ParsedSyllabus:
    """Parse several pages of one course (a folder: ``_modules/week-01.md``...) in order. A page
    named README/index at the top of the folder gives the course title; in the others (also the
    README of a week's sub-folder) the first ``#`` heading is a topic.
    Items carry their page in `file` (and unclassified/skipped tuples a 4th element)."""
    out = ParsedSyllabus()
    single = len(pages) == 1
    top = min((len(Path(name).parts) for name, _ in pages), default=0)
    for name, text in pages:
        stem = Path(name).stem.lower()
        # a week folder's own README (week04/README.md) is a page of the course, not its title page
        p = parse_syllabus(text, awesome, page_title=single or (stem in ("readme", "index")
                                                                 and len(Path(name).parts) == top))
        if p.title and out.title is None:
            out.title = p.title
        base = len(out.topics)
        for t in p.topics:
            t.file = name
            out.topics.append(t)
        for r in p.readings:
            r.topic += base
            r.file = name
            out.readings.append(r)
        out.unclassified += [(u[0], u[1], u[2], name) for u in p.unclassified]
        out.skipped += [(s[0], s[1], s[2], name) for s in p.skipped]
    return out


# ------------------------------------------------------------------------------------ import


_PAGE_SUFFIXES = (".md", ".markdown", ".html", ".htm")
_TITLE_STOPWORDS = frozenset("as into than that this be do can not when where which we all you your our its using"
                             " based new".split())


def syllabus_key(fields: dict[str, str]) -> str:
    """The key base of an entry made from a syllabus link. With authors: ``lastnameYEARfirstword``
    (`make_key`). A syllabus gives none, so the title's first significant word stands in for the
    author: ``gandiva2018introspective``, ``polluxcoadaptive`` (no year); ``anon...`` only for a
    title without a usable word."""
    from ..normalize.keys import KEY_STOPWORDS, make_key
    from ..normalize.latex import latex_to_text
    from ..normalize.names import ascii_fold

    author = fields.get("author") or fields.get("editor") or ""
    if author:
        return make_key(author, fields.get("year"), fields.get("title") or "")
    text = ascii_fold(latex_to_text(fields.get("title") or "")).lower()
    text = re.sub(r"(?<=[a-z0-9])['\u2019.-](?=[a-z0-9])", "", text)  # co-adaptive, moore's, gpt-3
    words = [w[:20] for w in re.split(r"[^a-z0-9]+", text)
             if w and w not in KEY_STOPWORDS and w not in _TITLE_STOPWORDS]
    if not words:
        return make_key("", fields.get("year"), fields.get("title") or "")
    year = fields.get("year") or ""
    year = year if re.fullmatch(r"\d{4}", year) else ""
    return f"{words[0]}{year}{words[1] if len(words) > 1 else ''}"


def _finalize_keys(plan: ImportPlan, report: ImportReport) -> dict[str, str]:
    """`bibtex.finalize_keys` with `syllabus_key` for the base (a syllabus entry has no authors and
    no input key). Deterministic: keys are given in page order, collisions suffixed b, c..."""
    from ..normalize.keys import unique_key
    from .bibtex import _LowerSet, apply_final_keys

    final: dict[str, str] = {}
    taken = _LowerSet(plan.taken)
    for e in plan.new:
        key = unique_key(syllabus_key(e.fields), taken)
        plan.taken.add(key.lower())
        final[e.key] = key
        e.key = key
    return apply_final_keys(plan, report, final)


def _slug(text: str) -> str:
    from ..normalize.names import ascii_fold

    s = re.sub(r"[^a-z0-9]+", "-", ascii_fold(text).lower()).strip("-")
    return s[:60].rstrip("-") or "topic"


def reading_fields(r: SyllabusReading, source: str) -> tuple[str, dict[str, str], dict[str, str]]:
    """(entry type, fields of a new entry, fields to match on) for a syllabus reading.

    Matching never uses the syllabus's claimed year: claims are checked against metadata, not trusted."""
    from ..normalize.latex import text_to_latex
    from ..normalize.venues import canonical_venue

    info = classify_link(r.url)
    fields: dict[str, str] = {"title": text_to_latex(r.title), "url": r.url}
    if info.kind == "arxiv" and info.id:
        fields.update(eprint=info.id, archiveprefix="arXiv")
    elif info.kind == "doi" and info.id:
        fields["doi"] = info.id
    match = dict(fields)
    venue, year = info.venue, info.year
    if r.claim:
        cv, cy = _venue_of(r.claim)
        venue = venue or cv
        year = year or cy
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
        gain_identifiers,
        plan_entry,
        project_index,
    )

    report = ImportReport(kind="syllabus", dry_run=dry_run, course=course_id)
    if not SLUG.match(course_id):
        raise ReadingListError(f"--course {course_id!r}: use lowercase letters, digits and '-' (e.g. cs294-sp22)")
    src = Path(path)
    files = sorted(f for f in src.rglob("*") if f.suffix.lower() in _PAGE_SUFFIXES) if src.is_dir() else [src]
    pages: list[tuple[str, str]] = []
    for f in files:
        try:
            pages.append((str(f), f.read_bytes().decode("utf-8-sig")))
        except UnicodeDecodeError as exc:
            raise ReadingListError(f"{f}: not UTF-8 at byte {exc.start}; save the page as UTF-8") from None
    text = "\n".join(t for _, t in pages)
    if awesome is None:
        awesome = "awesome" in str(src).lower() or bool(re.search(r"^#\s.*awesome", text, re.I | re.M))
    parsed = parse_pages(pages, awesome=awesome)
    display = str(path)

    def where(file: str, line: int) -> str:
        return f"{file or display}:{line}"

    for line, txt, why, file in parsed.unclassified:
        report.unclassified.append(Item(where(file, line), f"{why}: {txt}"))
    for line, txt, why, file in parsed.skipped:
        report.skipped.append(Item(where(file, line), f"{why}: {txt}"))

    from .dedup import fingerprint

    papers = existing_papers(root)
    idx, taken = project_index(papers)
    existing = {p.key: p for p in papers}
    plan = ImportPlan(index=idx, taken=taken, existing=existing)
    keyed: list[tuple[SyllabusReading, str]] = []
    for r in parsed.readings:
        etype, fields, match = reading_fields(r, r.file or display)
        fp = fingerprint(match)
        hit = plan.index.match(fp)
        if hit is not None and hit[0] in existing:
            # the link's arXiv id or DOI goes to the entry if it lacks it (a reading has no key: no alias)
            added = gain_identifiers(plan, hit[0], match, fp, Path(r.file or display).name)
            report.merged.append(Item(where(r.file, r.line), f"{r.title!r} is {hit[0]} ({hit[1]})"
                                      + (f"; added {', '.join(added)}" if added else ""), None,
                                      into=hit[0], reason=hit[1], added=added))
            keyed.append((r, hit[0]))
            continue
        keyed.append((r, plan_entry(plan, etype, fields, where(r.file, r.line), report, extra_urls=())))
    final = _finalize_keys(plan, report)
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
            report.skipped.append(Item(where(r.file, r.line), f"{r.title!r} is already on this topic as {key}", key))
            continue
        reading: dict[str, str] = {"paper": key, "role": r.role}
        if r.note:
            reading["note"] = r.note
        if r.claim:
            reading["claim"] = r.claim
        readings.append(reading)
        _check_claim(report, r, existing.get(key), r.file or display)
    report.topics = topics
    course: dict[str, object] = {"id": course_id, "title": title or parsed.title or course_id}
    for k, v in (("institution", institution), ("term", term), ("url", url)):
        if v:
            course[k] = v
    course["topics"] = topics
    if dry_run or (report.failed and not keep_going):
        return report
    _commit(root, course, list(plan.new), _bib_target(root / "bib", target or f"{course_id}.bib"), report,
            plan.updates)
    return report


def _check_claim(report: ImportReport, r: SyllabusReading, paper: object, display: str) -> None:
    """A venue tag that disagrees with the linked paper's metadata is reported (as a warning)."""
    from ..models import Paper

    if not r.claim or not isinstance(paper, Paper):
        return
    cv, cy = _venue_of(r.claim)
    year = paper.get("year")
    problems = []
    if cy and year and year.isdigit() and abs(int(year) - cy) > 1:
        problems.append(f"year {cy} vs {year}")
    venue = paper.get("venue")
    if cv and venue and cv.lower() != venue.lower():
        problems.append(f"venue {cv} vs {venue}")
    if problems:
        report.warnings.append(Item(f"{display}:{r.line}", f"claim {r.claim!r} disagrees with {paper.key}: "
                                    + ", ".join(problems), paper.key))


def _commit(root: Path, course: dict[str, object], new: list[object], dest: Path, report: ImportReport,
            updates: dict[str, ExistingUpdate] | None = None) -> None:
    """Write the updated existing entries, the new bib entries and the course; on any error restore
    every file (all or nothing)."""
    from ..bibwrite import BibEntry, append_entries
    from ..project import Project
    from ..yamledit import TopicsEditor, project_lock
    from .bibtex import NewEntry, prepare_updates, restored_on_error, write_updates

    topics_path = root / "topics.yaml"
    with project_lock(root / ".readinglist"):
        rewrites = prepare_updates(root, updates or {})  # verified before anything is written
        try:
            with restored_on_error([*rewrites, dest, topics_path]):
                write_updates(rewrites)
                report.written.extend(str(p.relative_to(root)) for p in rewrites)
                entries = [BibEntry(e.key, e.entry_type, e.fields) for e in new if isinstance(e, NewEntry)]
                if entries:
                    append_entries(dest, entries,
                                   header=f"Entries added by `readinglist import syllabus` for {course['id']}.")
                    if dest not in rewrites:
                        report.written.append(str(dest.relative_to(root)))
                with TopicsEditor(topics_path) as ed:
                    ed.add_course(course)
                report.written.append("topics.yaml")
                Project(root).load()
        except BaseException:
            report.written.clear()
            raise
