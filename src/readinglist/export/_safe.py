"""Turning outside-world text into inert Markdown/HTML, safe links and contained paths.

Titles, notes and names come from arXiv, Crossref, syllabi and users: they are data. Markdown
output is read by kramdown (raw HTML passes through, `{: ...}` attribute lists, `$$` math) after
Jekyll's Liquid pass (`{{ }}`, `{% %}`). So text is written with every character that any of those
could read as syntax replaced by a numeric character reference (`&#123;` for `{`): Liquid sees no
braces, kramdown and CommonMark see no markup, and the browser shows the original character.
Links keep only http(s) URLs, percent-encoded so that nothing in them closes the link or opens a
Liquid tag.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote, urlsplit

from ..errors import ReadingListError

_CTRL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029]")
_SPACE = re.compile(r"\s+")
# Everything Markdown (CommonMark, kramdown), HTML or Liquid could read as syntax.
_SPECIAL = set("\\`*_{}[]#<>&|~$")
_URL_SAFE = "/?#:@&=+,;~-._%"


def text(value: object) -> str:
    """Plain text as inert Markdown/HTML: one line, every syntax character as `&#NN;`."""
    s = _SPACE.sub(" ", _CTRL.sub(" ", "" if value is None else str(value))).strip()
    return "".join(f"&#{ord(ch)};" if ch in _SPECIAL else ch for ch in s)


def url(value: str | None) -> str | None:
    """An http(s) URL made safe for a Markdown link destination or an HTML attribute; else None.

    Other schemes (`javascript:`, `data:`, `vbscript:`, relative URLs) are dropped, also when
    disguised with case, whitespace or control characters.
    """
    if not value:
        return None
    raw = _CTRL.sub("", value).strip()
    if re.search(r"\s", raw):
        return None
    try:
        parts = urlsplit(raw)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    # Re-encode: keep existing %XX, encode anything that could end the link or start markup.
    return quote(raw, safe=_URL_SAFE)


def slug(value: str) -> str:
    """A file-name-safe form of an id: [A-Za-z0-9._-], no leading dot, never empty."""
    s = re.sub(r"[^A-Za-z0-9._-]+", "_", value).lstrip(".")
    return s or "_"


def safe_join(root: Path, rel: str) -> Path:
    """`root / rel`, refused unless it stays inside `root` (no `..`, no absolute path, no symlink out)."""
    if not rel or rel.startswith(("/", "\\")) or "\x00" in rel:
        raise ReadingListError(f"refusing to write {rel!r}: export paths must be relative to the output folder")
    parts = Path(rel).parts
    if any(p in ("..", "") for p in parts) or Path(rel).is_absolute():
        raise ReadingListError(f"refusing to write {rel!r}: it would leave the output folder {root}")
    target = (root / rel).resolve()
    base = root.resolve()
    if target != base and base not in target.parents:
        raise ReadingListError(f"refusing to write {rel!r}: it resolves outside the output folder {root}")
    return target
