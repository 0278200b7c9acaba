"""Coverage gaps of a course, and comparison across courses, computed over the built database.

Everything here reads the SQLite store (areas were mapped at build time by `readinglist.areas`), so
`gaps` and `compare` stay fast on large knowledge bases. Functions return data; the CLI prints.
The kinds of findings, the JSON schema of a finding and the thresholds are documented in docs/gaps.md.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from .errors import NotFoundError, ReadingListError
from .store import Store

SEVERITIES = ("high", "medium", "low", "info")

DEFAULTS: dict[str, Any] = {
    "max_readings_per_topic": 6,      # required readings per topic (the weekly load)
    "max_pages_per_topic": 120,       # pages of required readings per topic, where page counts are known
    "min_required_per_topic": 1,      # fewer required readings than this: topic-no-required
    "stale_years": 8,                 # newest reading older than the course year minus this: topic-stale
    "concentration_share": 0.25,      # one author or venue on more than this share of a course's papers
    "concentration_min_papers": 10,   # courses with fewer distinct papers are not checked for concentration
    "co_assignment_min_courses": 2,   # `gaps --against`: papers at least this many other courses assign
    "co_assignment_limit": 20,        # at most this many co-assignment findings
    "session_pattern": (r"\b(holiday|break|recess|presentations?|proposals?|midterms?|exams?|finals?|"
                        r"rrr|reading week|review session|no class|thanksgiving|project)\b"),
    "ignore": [],                     # kinds to leave out, e.g. [concentration-venue]
}

KINDS: dict[str, str] = {
    "course-empty": "the course has no topics",
    "course-no-readings": "the course has topics but no readings at all (reading checks skipped)",
    "course-no-year": "the course's term names no year (staleness not checked)",
    "area-unmatchable": "an area has no keyword, so only explicit mappings can reach it",
    "topic-no-readings": "a topic with no readings",
    "session-no-readings": "a session without readings whose title says holiday/break/presentations/...",
    "topic-no-required": "a topic whose readings are all optional",
    "topic-overloaded": "more required readings (or pages) than the weekly load",
    "area-uncovered": "an area of the taxonomy that no topic of the course covers",
    "area-optional-only": "an area the course covers only with optional readings",
    "topic-stale": "a topic whose newest reading is older than stale_years before the course's year",
    "preprint-only": "a reading known only as a preprint",
    "preprint-published": "a preprint reading whose published version is in the knowledge base",
    "claim-mismatch": "the syllabus's venue/year claim disagrees with the metadata",
    "missing-metadata": "a reading without authors, year, venue or a stable link",
    "duplicate-reading": "the same paper assigned more than once in a course",
    "concentration-author": "one author on more than concentration_share of the course's papers",
    "concentration-venue": "one venue holding more than concentration_share of the course's papers",
    "co-assigned-missing": "a paper other courses assign that this course does not (gaps --against)",
}


@dataclass
class Finding:
    kind: str
    severity: str
    course: str | None
    topic: str | None
    area: str | None
    papers: list[str]
    message: str
    suggestion: str
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def gap_config(config: dict[str, Any] | None) -> dict[str, Any]:
    """The thresholds: `config: gaps:` from topics.yaml over the defaults, checked."""
    cfg = dict(DEFAULTS)
    raw = (config or {}).get("gaps") if isinstance(config, dict) else None
    if raw is None:
        return cfg
    if not isinstance(raw, dict):
        raise ReadingListError("topics.yaml `config: gaps:` must be a mapping of thresholds; see docs/gaps.md")
    for k, v in raw.items():
        if k not in DEFAULTS:
            raise ReadingListError(f"unknown threshold config.gaps.{k}; known: {', '.join(sorted(DEFAULTS))}")
        want = DEFAULTS[k]
        if isinstance(want, list):
            if not isinstance(v, list) or any(str(x) not in KINDS for x in v):
                raise ReadingListError(f"config.gaps.{k} must be a list of finding kinds ({', '.join(KINDS)})")
            cfg[k] = [str(x) for x in v]
        elif isinstance(want, str):
            try:
                re.compile(str(v))
            except re.error as exc:
                raise ReadingListError(f"config.gaps.{k} is not a valid regular expression: {exc}") from None
            cfg[k] = str(v)
        else:
            if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
                raise ReadingListError(f"config.gaps.{k} must be a non-negative number, not {v!r}")
            cfg[k] = v
    return cfg


def load_config(db: Store) -> dict[str, Any]:
    """`config` as stored in the database meta table (if the build stored it), else {}."""
    row = db.conn.execute("SELECT value FROM meta WHERE key = 'config'").fetchone()
    if not row:
        return {}
    try:
        val = json.loads(row[0])
    except ValueError:
        return {}
    return val if isinstance(val, dict) else {}


# ---------------------------------------------------------------- shared queries


def _courses(db: Store) -> list[dict[str, Any]]:
    return db.rows("SELECT id, title, term, year, position FROM courses ORDER BY position")


def check_courses(db: Store, ids: Iterable[str]) -> list[str]:
    """The ids, each checked to exist (NotFoundError naming the known ones otherwise)."""
    known = {c["id"]: c for c in _courses(db)}
    out = []
    for cid in ids:
        if cid not in known:
            hint = [k for k in known if k.lower() == cid.lower()]
            raise NotFoundError(
                f"unknown course {cid!r}; " + (f"did you mean {hint[0]!r}?" if hint else
                                               f"known courses: {', '.join(known) or '(none)'}"))
        if cid not in out:
            out.append(cid)
    return out


def areas(db: Store) -> list[dict[str, Any]]:
    rows = db.rows("SELECT id, title, keywords, position FROM areas ORDER BY position")
    for r in rows:
        r["keywords"] = json.loads(r["keywords"])
    return rows


def area_coverage(db: Store, course_ids: Sequence[str] | None = None) -> dict[str, dict[str, dict[str, Any]]]:
    """{course: {area: {"level", "topics"}}}: level is `required` (a mapped topic has required
    readings), `optional` (mapped topics have optional readings only) or `listed` (mapped topics
    have no readings). Areas a course does not map are absent."""
    where, params = "", []
    if course_ids is not None:
        where = f"WHERE ta.course_id IN ({','.join('?' * len(course_ids))})"
        params = list(course_ids)
    rows = db.conn.execute(
        f"""SELECT ta.course_id, ta.topic_id, ta.area_id,
                   sum(r.role = 'required') AS req, sum(r.role = 'optional') AS opt
            FROM topic_areas ta LEFT JOIN readings r ON r.course_id = ta.course_id AND r.topic_id = ta.topic_id
            {where} GROUP BY ta.course_id, ta.topic_id, ta.area_id""", params).fetchall()
    rank = {"listed": 0, "optional": 1, "required": 2}
    out: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for cid, tid, aid, req, opt in rows:
        level = "required" if req else "optional" if opt else "listed"
        cell = out[cid].setdefault(aid, {"level": level, "topics": []})
        cell["topics"].append(tid)
        if rank[level] > rank[cell["level"]]:
            cell["level"] = level
    return dict(out)


# ---------------------------------------------------------------- claims


@dataclass
class Claim:
    venue: str | None   # canonical short venue, when the venue table knows it
    year: int | None
    note: str | None    # the unrecognized venue word(s)


def parse_claim(tag: str) -> Claim:
    """A syllabus tag like `SC’21, Best Paper finalist` -> venue, year, unrecognized words."""
    try:
        from .normalize.venues import parse_venue_tag
    except ImportError:  # pragma: no cover - normalize/venues.py not present
        return _parse_claim_local(tag)
    c = parse_venue_tag(tag)
    return Claim(c.venue, c.year, c.note)


def _parse_claim_local(tag: str) -> Claim:  # pragma: no cover - fallback only
    s = tag.replace("\u2019", "'").strip(" []()")
    year = None
    m = re.search(r"'\s?(\d{2})\b", s)
    if m:
        year = 2000 + int(m.group(1)) if int(m.group(1)) < 70 else 1900 + int(m.group(1))
    m4 = re.search(r"\b(19|20)\d{2}\b", s)
    if m4 and year is None:
        year = int(m4.group(0))
    first = re.sub(r"'\s?\d{2}\b|\b(19|20)\d{2}\b", "", s.split(",")[0]).strip(" -,")
    return Claim(None, year, first or None)


def _venue_key(v: str | None) -> str | None:
    if not v:
        return None
    try:
        from .normalize.venues import canonical_venue, venue_norm
    except ImportError:  # pragma: no cover
        return re.sub(r"[^a-z0-9]", "", v.lower())
    cv = canonical_venue(v)
    return cv.short.lower() if cv else venue_norm(v)


def check_claim(claim_text: str, venue: str | None, venue_full: str | None, year: int | None) -> tuple[str, str] | None:
    """(severity, what differs) when the claim disagrees with the metadata, else None."""
    c = parse_claim(claim_text)
    problems = []
    severity = "low"
    if c.year and year and c.year != year:
        problems.append(f"year {c.year} vs {year}")
        severity = "medium"
    meta = {k for k in (_venue_key(venue), _venue_key(venue_full)) if k}
    if c.venue:
        if meta and _venue_key(c.venue) not in meta:
            problems.append(f"venue {c.venue} vs {venue or venue_full}")
            severity = "medium"
    elif c.note and meta:
        first = c.note.split(",")[0].strip()
        if _venue_key(first) not in meta:
            problems.append(f"unrecognized venue {first!r} vs {venue or venue_full}")
    if not problems:
        return None
    return severity, "; ".join(problems)


# ---------------------------------------------------------------- gaps


def find_gaps(db: Store, course: str | None = None, *, against: Sequence[str] = (), topic: str | None = None,
              config: dict[str, Any] | None = None, min_courses: int | None = None) -> list[Finding]:
    """Findings for one course (or every course when `course` is None).

    `against` names other courses to compare with (area coverage elsewhere, co-assigned papers);
    by default coverage elsewhere counts every other course. `topic` keeps one topic's findings.
    """
    cfg = gap_config(config if config is not None else load_config(db))
    all_courses = _courses(db)
    if course is not None:
        targets = check_courses(db, [course])
    else:
        if topic is not None:
            raise ReadingListError("--topic needs --course: topic ids are unique only within a course")
        if against:
            raise ReadingListError("--against needs --course: name the course to compare")
        targets = [c["id"] for c in all_courses]
    against = check_courses(db, against)
    if course is not None and course in against:
        raise ReadingListError(f"--against names the course itself ({course}); name other courses")
    if topic is not None:
        assert course is not None
        if not db.rows("SELECT 1 FROM topics WHERE course_id = ? AND id = ?", [course, topic]):
            known = [r["id"] for r in db.rows("SELECT id FROM topics WHERE course_id = ? ORDER BY position", [course])]
            raise NotFoundError(f"unknown topic {topic!r} in course {course}; its topics: {', '.join(known) or '(none)'}")
    area_rows = areas(db)
    coverage = area_coverage(db)
    findings: list[Finding] = []
    for a in area_rows:
        if not any(re.search(r"\w", k) for k in a["keywords"]):
            findings.append(Finding(
                "area-unmatchable", "low", None, None, a["id"], [],
                f"area {a['id']} ({a['title']}) has no keywords: no title, abstract or topic can be mapped to it by inference",
                "add `keywords:` to the area in topics.yaml, or map topics to it with `areas: [...]`"))
    course_info = {c["id"]: c for c in all_courses}
    for cid in targets:
        findings.extend(_course_gaps(db, course_info[cid], cfg, area_rows, coverage,
                                     list(against) or [c["id"] for c in all_courses if c["id"] != cid]))
        if against:
            findings.extend(_co_assignment_findings(db, cid, list(against), cfg, min_courses))
    if topic is not None:
        findings = [f for f in findings if f.topic == topic]
    ignore = set(cfg["ignore"])
    findings = [f for f in findings if f.kind not in ignore]
    order = {c["id"]: c["position"] for c in all_courses}
    sev = {s: i for i, s in enumerate(SEVERITIES)}
    findings.sort(key=lambda f: (order.get(f.course or "", 0), sev[f.severity], list(KINDS).index(f.kind),
                                 f.topic or "", f.area or "", f.papers))
    return findings


def _course_gaps(db: Store, course: dict[str, Any], cfg: dict[str, Any], area_rows: list[dict[str, Any]],
                 coverage: dict[str, dict[str, dict[str, Any]]], others: list[str]) -> list[Finding]:
    cid = course["id"]
    out: list[Finding] = []
    F = Finding
    topics = db.rows("SELECT id, title, position FROM topics WHERE course_id = ? ORDER BY position", [cid])
    if not topics:
        return [F("course-empty", "high", cid, None, None, [], f"course {cid} has no topics",
                  f"add topics with readings to course {cid} in topics.yaml (or import its syllabus)")]
    readings = db.rows(
        """SELECT r.topic_id, r.paper_key, r.role, r.claim, p.title, p.year, p.venue, p.venue_full, p.url, p.doi,
                  p.arxiv_id, p.page_count, p.is_preprint,
                  (SELECT count(*) FROM paper_authors pa WHERE pa.paper_key = p.key) AS n_authors
           FROM readings r JOIN papers p ON p.key = r.paper_key JOIN topics t ON t.course_id = r.course_id AND t.id = r.topic_id
           WHERE r.course_id = ? ORDER BY t.position, r.position""", [cid])
    by_topic: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in readings:
        by_topic[r["topic_id"]].append(r)
    year = course["year"]
    if year is None:
        out.append(F("course-no-year", "low", cid, None, None, [],
                      f"course {cid} has no year in its term ({course['term'] or 'no term'}): staleness is not checked",
                      f"set `term:` of {cid} to e.g. \"Fall 2023\" in topics.yaml"))
    session = re.compile(cfg["session_pattern"], re.I)
    if not readings:
        out.append(F("course-no-readings", "info", cid, None, None, [],
                     f"course {cid} lists {len(topics)} topic(s) but no readings; per-topic reading checks are skipped",
                     "add readings to its topics (or import its syllabus with readings) to check load, staleness and metadata"))
    else:
        for t in topics:
            rs = by_topic.get(t["id"], [])
            req = [r for r in rs if r["role"] == "required"]
            if not rs:
                if session.search(t["title"]):
                    out.append(F("session-no-readings", "info", cid, t["id"], None, [],
                                 f"session {t['title']!r} has no readings (looks like a holiday/break/presentations session)",
                                 "nothing to do; set config.gaps.session_pattern if this is a teaching topic"))
                else:
                    out.append(F("topic-no-readings", "high", cid, t["id"], None, [],
                                 f"topic {t['title']!r} has no readings",
                                 "add at least one required reading to the topic"))
                continue
            if len(req) < cfg["min_required_per_topic"]:
                out.append(F("topic-no-required", "medium", cid, t["id"], None, [r["paper_key"] for r in rs],
                             f"topic {t['title']!r} has {len(req)} required reading(s) "
                             f"({len(rs) - len(req)} optional)",
                             "mark the most central optional reading as required"))
            pages = [r["page_count"] for r in req if r["page_count"]]
            over = len(req) > cfg["max_readings_per_topic"]
            over_pages = sum(pages) > cfg["max_pages_per_topic"]
            if over or over_pages:
                what = f"{len(req)} required readings (limit {cfg['max_readings_per_topic']})"
                if pages:
                    what += f", {sum(pages)} pages known for {len(pages)} of them (limit {cfg['max_pages_per_topic']})"
                out.append(F("topic-overloaded", "medium", cid, t["id"], None, [r["paper_key"] for r in req],
                             f"topic {t['title']!r} has {what}",
                             "move some readings to optional, or split the topic over two sessions",
                             {"required": len(req), "pages": sum(pages), "pages_known": len(pages)}))
            years = [r["year"] for r in rs if r["year"]]
            if year is not None and years and max(years) < year - cfg["stale_years"]:
                newest = max(years)
                out.append(F("topic-stale", "medium" if max(years) < year - 2 * cfg["stale_years"] else "low",
                             cid, t["id"], None, [r["paper_key"] for r in rs if r["year"] == newest],
                             f"topic {t['title']!r}: newest reading is from {newest}, "
                             f"{year - newest} years before the course ({year}); limit {cfg['stale_years']} years",
                             "add a recent reading (e.g. `readinglist compare` shows what other courses assign)",
                             {"newest_year": newest, "course_year": year}))
        out.extend(_paper_findings(db, cid, readings))
        out.extend(_concentration(db, cid, readings, cfg))
    out.extend(_area_findings(cid, area_rows, coverage, others, bool(readings)))
    return out


def _paper_findings(db: Store, cid: str, readings: list[dict[str, Any]]) -> list[Finding]:
    out: list[Finding] = []
    F = Finding
    seen: dict[str, list[str]] = defaultdict(list)
    for r in readings:
        seen[r["paper_key"]].append(r["topic_id"])
    first: dict[str, dict[str, Any]] = {}
    for r in readings:
        first.setdefault(r["paper_key"], r)
    for key, tids in seen.items():
        if len(tids) > 1:
            out.append(F("duplicate-reading", "medium", cid, tids[1], None, [key],
                         f"{key} is assigned {len(tids)} times in {cid} (topics {', '.join(tids)})",
                         "keep it under one topic, or make the repeat optional with a note saying why",
                         {"topics": tids}))
    # preprints: a published sibling is another entry with the same arXiv id or the same title
    pre = [r for r in first.values() if r["is_preprint"]]
    published: dict[str, str] = {}
    if pre:
        ids = [r["arxiv_id"] for r in pre if r["arxiv_id"]]
        if ids:
            for row in db.conn.execute(
                    f"SELECT arxiv_id, key FROM papers WHERE is_preprint = 0 AND arxiv_id IN ({','.join('?' * len(ids))})", ids):
                for r in pre:
                    if r["arxiv_id"] == row[0]:
                        published.setdefault(r["paper_key"], row[1])
        titles = {(r["title"] or "").lower(): r["paper_key"] for r in pre if r["title"]}
        if titles:
            for row in db.conn.execute(
                    f"SELECT lower(title), key FROM papers WHERE is_preprint = 0 AND lower(title) IN ({','.join('?' * len(titles))})",
                    list(titles)):
                published.setdefault(titles[row[0]], row[1])
    for r in pre:
        key = r["paper_key"]
        if key in published:
            out.append(F("preprint-published", "medium", cid, r["topic_id"], None, [key, published[key]],
                         f"{key} is read as a preprint, but its published version {published[key]} is in the knowledge base",
                         f"replace {key} with {published[key]} in topics.yaml (or merge the entries with `ids`)"))
        else:
            out.append(F("preprint-only", "low", cid, r["topic_id"], None, [key],
                         f"{key} ({r['title']}) is known only as an arXiv preprint",
                         "check DBLP/Semantic Scholar for a published version (`readinglist enrich`), else keep it"))
    for r in readings:
        if not r["claim"]:
            continue
        res = check_claim(r["claim"], r["venue"], r["venue_full"], r["year"])
        if res:
            sev, what = res
            out.append(F("claim-mismatch", sev, cid, r["topic_id"], None, [r["paper_key"]],
                         f"syllabus says {r['claim']!r} for {r['paper_key']}, metadata says "
                         f"{r['venue'] or r['venue_full'] or '?'} {r['year'] or '?'} ({what})",
                         "check the paper's DOI/DBLP record; fix the bib entry, or correct the claim in topics.yaml",
                         {"claim": r["claim"], "venue": r["venue"], "year": r["year"]}))
    for key, r in first.items():
        miss = []
        if not r["n_authors"]:
            miss.append("authors")
        if not r["year"]:
            miss.append("year")
        if not r["venue"] and not r["venue_full"]:
            miss.append("venue")
        if not (r["url"] or r["doi"] or r["arxiv_id"]):
            miss.append("link")
        if miss:
            out.append(F("missing-metadata", "medium", cid, r["topic_id"], None, [key],
                         f"{key} has no {', '.join(miss)}",
                         f"complete the entry in bib/ (`readinglist enrich {key}` fetches what sources know)",
                         {"missing": miss}))
    return out


def _concentration(db: Store, cid: str, readings: list[dict[str, Any]], cfg: dict[str, Any]) -> list[Finding]:
    keys = list(dict.fromkeys(r["paper_key"] for r in readings))
    n = len(keys)
    if n < cfg["concentration_min_papers"]:
        return []
    share = cfg["concentration_share"]
    out: list[Finding] = []
    venues = Counter(r["venue"] for r in {r["paper_key"]: r for r in readings}.values() if r["venue"])
    for v, k in venues.most_common():
        if k / n <= share:
            break
        ks = [r["paper_key"] for r in {r["paper_key"]: r for r in readings}.values() if r["venue"] == v]
        out.append(Finding("concentration-venue", "low", cid, None, None, ks,
                           f"{k} of {n} papers ({k / n:.0%}) in {cid} are from {v} (limit {share:.0%})",
                           "balance the list with readings from other venues",
                           {"venue": v, "count": k, "of": n}))
    rows = db.conn.execute(
        f"""SELECT a.name, pa.paper_key FROM paper_authors pa JOIN authors a ON a.id = pa.author_id
            WHERE pa.paper_key IN ({','.join('?' * n)})""", keys).fetchall()
    by_author: dict[str, set[str]] = defaultdict(set)
    for name, key in rows:
        by_author[name].add(key)
    for name, aks in sorted(by_author.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        if len(aks) / n <= share:
            break
        out.append(Finding("concentration-author", "low", cid, None, None, sorted(aks),
                           f"{len(aks)} of {n} papers ({len(aks) / n:.0%}) in {cid} have {name} as an author (limit {share:.0%})",
                           "balance the list with work from other groups",
                           {"author": name, "count": len(aks), "of": n}))
    return out


def _area_findings(cid: str, area_rows: list[dict[str, Any]], coverage: dict[str, dict[str, dict[str, Any]]],
                   others: list[str], has_readings: bool) -> list[Finding]:
    out = []
    mine = coverage.get(cid, {})
    for a in area_rows:
        aid = a["id"]
        elsewhere = [o for o in others if aid in coverage.get(o, {})]
        cell = mine.get(aid)
        sev = "high" if len(elsewhere) >= 2 else "medium" if elsewhere else "low"
        where = f"; covered by {', '.join(elsewhere)}" if elsewhere else "; no other course covers it either"
        if cell is None:
            out.append(Finding("area-uncovered", sev, cid, None, aid, [],
                               f"no topic of {cid} covers {a['title']} ({aid}){where}",
                               f"add a topic on {a['title'].lower()}, or map an existing topic to it with `areas: [{aid}]`",
                               {"covered_by": elsewhere}))
        elif cell["level"] == "optional" and has_readings:
            out.append(Finding("area-optional-only", "medium" if elsewhere else "low", cid, cell["topics"][0], aid, [],
                               f"{cid} covers {a['title']} ({aid}) only with optional readings "
                               f"(topics {', '.join(cell['topics'])}){where}",
                               "make one reading on it required, or accept it as an elective area",
                               {"covered_by": elsewhere, "topics": cell["topics"]}))
    return out


# ---------------------------------------------------------------- across courses


def _readings_of(db: Store, course_ids: Sequence[str]) -> dict[str, dict[str, str]]:
    """{course: {paper: best role}}."""
    out: dict[str, dict[str, str]] = {c: {} for c in course_ids}
    if not course_ids:
        return out
    for cid, key, role in db.conn.execute(
            f"SELECT course_id, paper_key, role FROM readings WHERE course_id IN ({','.join('?' * len(course_ids))})",
            list(course_ids)):
        cur = out[cid].get(key)
        if cur != "required":
            out[cid][key] = role
    return out


def co_assignment(db: Store, course: str, others: Sequence[str], min_courses: int = 1,
                  limit: int | None = 50) -> list[dict[str, Any]]:
    """Papers at least `min_courses` of `others` assign and `course` does not, most co-assigned first
    (ties: more courses assigning it as required, then the key)."""
    reads = _readings_of(db, [course, *others])
    mine = set(reads[course])
    count: Counter[str] = Counter()
    req: Counter[str] = Counter()
    where: dict[str, list[str]] = defaultdict(list)
    for o in others:
        for key, role in reads[o].items():
            if key in mine:
                continue
            count[key] += 1
            where[key].append(o)
            if role == "required":
                req[key] += 1
    ranked = sorted((k for k, n in count.items() if n >= min_courses), key=lambda k: (-count[k], -req[k], k))
    if limit is not None:
        ranked = ranked[:limit]
    meta = {}
    if ranked:
        for r in db.rows(f"SELECT key, title, year, venue FROM papers WHERE key IN ({','.join('?' * len(ranked))})", ranked):
            meta[r["key"]] = r
    return [{"paper": k, "title": meta[k]["title"], "year": meta[k]["year"], "venue": meta[k]["venue"],
             "courses": count[k], "required_in": req[k], "assigned_by": where[k]} for k in ranked]


def overlap_matrix(db: Store, course_ids: Sequence[str]) -> list[dict[str, Any]]:
    """Every ordered pair of courses: papers shared and the Jaccard index of their paper sets."""
    reads = _readings_of(db, course_ids)
    sets = {c: set(v) for c, v in reads.items()}
    out = []
    for a in course_ids:
        for b in course_ids:
            inter = len(sets[a] & sets[b])
            union = len(sets[a] | sets[b])
            out.append({"a": a, "b": b, "shared": inter, "jaccard": round(inter / union, 4) if union else 0.0})
    return out


def compare(db: Store, course: str, others: Sequence[str] = (), *, min_courses: int = 1,
            limit: int | None = 50) -> dict[str, Any]:
    """`course` against `others` (default: every other course): co-assigned papers it lacks, areas
    the others cover that it does not, and the overlap matrix."""
    course = check_courses(db, [course])[0]
    all_ids = [c["id"] for c in _courses(db)]
    others = check_courses(db, others) if others else [c for c in all_ids if c != course]
    if course in others:
        raise ReadingListError(f"the course itself ({course}) is among the courses to compare with; name other courses")
    if not others:
        raise ReadingListError(f"nothing to compare {course} with: the project has one course; add or import another")
    if min_courses < 1:
        raise ReadingListError("--min-courses must be at least 1")
    cov = area_coverage(db, [course, *others])
    area_rows = areas(db)
    missing_areas = []
    for a in area_rows:
        if a["id"] in cov.get(course, {}):
            continue
        by = [o for o in others if a["id"] in cov.get(o, {})]
        if by:
            missing_areas.append({"area": a["id"], "title": a["title"], "covered_by": by, "courses": len(by)})
    missing_areas.sort(key=lambda r: (-r["courses"], r["area"]))
    ids = [course, *others]
    return {
        "course": course,
        "others": list(others),
        "min_courses": min_courses,
        "co_assigned": co_assignment(db, course, others, min_courses, limit),
        "missing_areas": missing_areas,
        "overlap": overlap_matrix(db, ids),
        "coverage": {c: {a: cell["level"] for a, cell in cov.get(c, {}).items()} for c in ids},
    }


def co_assignment_k(cfg: dict[str, Any], against: Sequence[str], min_courses: int | None) -> int:
    """How many of the other courses must assign a paper: the option, else the config default
    (capped by the number of other courses)."""
    if min_courses is not None:
        return max(1, min_courses)
    return max(1, min(int(cfg["co_assignment_min_courses"]), len(against)))


def _suggest_topic(db: Store, cid: str, paper: str) -> str:
    """Where a missing paper would go: the course's topic sharing most areas with it."""
    rows = db.rows(
        """SELECT t.id, t.title, count(*) AS shared FROM paper_areas pa
           JOIN topic_areas ta ON ta.area_id = pa.area_id AND ta.course_id = ?
           JOIN topics t ON t.course_id = ta.course_id AND t.id = ta.topic_id
           WHERE pa.paper_key = ? GROUP BY t.id ORDER BY shared DESC, t.position LIMIT 1""", [cid, paper])
    if rows:
        return f"consider adding it to {cid}/{rows[0]['id']} ({rows[0]['title']}), which shares its area(s)"
    areas_of = [r["area_id"] for r in db.rows("SELECT area_id FROM paper_areas WHERE paper_key = ? ORDER BY area_id", [paper])]
    if areas_of:
        return f"no topic of {cid} covers its area(s) {', '.join(areas_of)}: consider a topic for them"
    return f"consider adding it to the topic of {cid} it fits"


def _co_assignment_findings(db: Store, cid: str, against: list[str], cfg: dict[str, Any],
                            min_courses: int | None) -> list[Finding]:
    k = co_assignment_k(cfg, against, min_courses)
    out = []
    for r in co_assignment(db, cid, against, k, int(cfg["co_assignment_limit"])):
        out.append(Finding(
            "co-assigned-missing", "medium" if r["required_in"] else "low", cid, None, None, [r["paper"]],
            f"{r['paper']} ({r['title']}, {r['year'] or '?'}) is assigned by {r['courses']} of {len(against)} other "
            f"course(s) ({', '.join(r['assigned_by'])}; required in {r['required_in']}) but not by {cid}",
            _suggest_topic(db, cid, r["paper"]), {"assigned_by": r["assigned_by"], "required_in": r["required_in"]}))
    return out


# ---------------------------------------------------------------- why


def why(db: Store, ident: str, area: str) -> dict[str, Any]:
    """Why `ident` (a paper, or COURSE/TOPIC) maps to `area` (or why not)."""
    arow = db.rows("SELECT id, title, keywords FROM areas WHERE lower(id) = lower(?)", [area])
    if not arow:
        known = [r["id"] for r in db.rows("SELECT id FROM areas ORDER BY position")]
        raise NotFoundError(f"unknown area {area!r}; known areas: {', '.join(known) or '(none: add `areas:` to topics.yaml)'}")
    aid = arow[0]["id"]
    keywords = json.loads(arow[0]["keywords"])
    if "/" in ident and db.resolve_key(ident) is None:
        cid, _, tid = ident.partition("/")
        check_courses(db, [cid])
        t = db.rows("SELECT id, title FROM topics WHERE course_id = ? AND id = ?", [cid, tid])
        if not t:
            known = [r["id"] for r in db.rows("SELECT id FROM topics WHERE course_id = ? ORDER BY position", [cid])]
            raise NotFoundError(f"unknown topic {tid!r} in course {cid}; its topics: {', '.join(known) or '(none)'}")
        rows = db.rows("SELECT source, reason FROM topic_areas WHERE course_id = ? AND topic_id = ? AND area_id = ?",
                       [cid, tid, aid])
        return {"subject": f"{cid}/{tid}", "kind": "topic", "title": t[0]["title"], "area": aid,
                "mapped": bool(rows), "source": rows[0]["source"] if rows else None,
                "reason": rows[0]["reason"] if rows else None, "keywords": keywords}
    p = db.paper(ident)
    rows = db.rows("SELECT source, reason FROM paper_areas WHERE paper_key = ? AND area_id = ?", [p["key"], aid])
    removed = aid.lower() in {a.lower() for a in _split(p["fields"].get("not-areas") or p["fields"].get("not_areas"))}
    return {"subject": p["key"], "kind": "paper", "title": p["title"], "area": aid, "mapped": bool(rows),
            "source": rows[0]["source"] if rows else None, "reason": rows[0]["reason"] if rows else
            ("removed by the entry's `not-areas` field" if removed else None), "keywords": keywords}


def _split(value: str | None) -> list[str]:
    from .areas import split_ids

    return split_ids(value)


def topic_area_grid(db: Store, course: str) -> dict[str, Any]:
    """Topics x areas of a course for the heatmap: cell = source and reading counts."""
    check_courses(db, [course])
    topics = db.topics(course)
    cells = {}
    for r in db.rows("SELECT topic_id, area_id, source, reason FROM topic_areas WHERE course_id = ?", [course]):
        cells[(r["topic_id"], r["area_id"])] = {"source": r["source"], "reason": r["reason"]}
    return {"topics": topics, "cells": cells}
