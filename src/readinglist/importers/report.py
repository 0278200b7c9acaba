"""What an import did, as data: added, merged, skipped, failed (and, for syllabi, unclassified lines)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Item:
    """One reported event. `source` is where the input was (file:line), `key` the citation key involved."""

    source: str
    message: str
    key: str | None = None
    into: str | None = None  # for merges: the key the input was merged into
    reason: str | None = None  # for merges: what matched (arXiv id, DOI, title...)
    added: list[str] | None = None
    """For a merge into an entry already in the project: the fields it gained (``doi``, ``eprint``,
    ``archiveprefix``, ``primaryclass``, ``ids``), possibly none; None for every other item."""

    def __str__(self) -> str:
        who = f"{self.key}: " if self.key else ""
        return f"{self.source}: {who}{self.message}"


@dataclass
class ImportReport:
    """The outcome of one import. `written` lists the files changed (empty on a dry run or a refusal)."""

    kind: str
    dry_run: bool = False
    added: list[Item] = field(default_factory=list)
    merged: list[Item] = field(default_factory=list)
    skipped: list[Item] = field(default_factory=list)
    failed: list[Item] = field(default_factory=list)
    unclassified: list[Item] = field(default_factory=list)
    warnings: list[Item] = field(default_factory=list)
    course: str | None = None
    topics: list[dict[str, Any]] = field(default_factory=list)
    written: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed

    def counts(self) -> dict[str, int]:
        return {
            "added": len(self.added), "merged": len(self.merged), "skipped": len(self.skipped),
            "failed": len(self.failed), "unclassified": len(self.unclassified), "warnings": len(self.warnings),
            "topics": len(self.topics),
            "readings": sum(len(t.get("readings", [])) for t in self.topics),
        }

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for name in ("added", "merged", "skipped", "failed", "unclassified", "warnings"):
            for item in d[name]:
                if item.get("added") is None:
                    del item["added"]  # only merges into existing entries carry it
        d["counts"] = self.counts()
        d["ok"] = self.ok
        return d
