from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
SHARED_SEEDS = REPO.parent / "shared" / "seeds"


@pytest.fixture
def shared_data() -> Path:
    """The third-party files in ../shared/data; tests that need them skip when absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared test data not found at {SHARED_DATA} (../shared/data beside the repo)")
    return SHARED_DATA


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No test reads the developer's environment or reaches the network by accident."""
    for var in ("READINGLIST_ROOT", "READINGLIST_ARXIV_URL", "READINGLIST_S2_URL",
                "READINGLIST_CROSSREF_URL", "READINGLIST_DBLP_URL"):
        monkeypatch.delenv(var, raising=False)
