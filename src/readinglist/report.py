"""Self-contained HTML report (filled in next)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .store import Store


def build_report(db: Store, course: str | None, *, against: Sequence[str] = (), config: dict[str, Any] | None = None,
                 min_courses: int = 1) -> str:
    raise NotImplementedError
