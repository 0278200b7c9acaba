"""Metadata sources (arXiv, Semantic Scholar, DBLP, Crossref, local .bib) behind one protocol.

Every network source shares one `HttpClient` (cache, pacing, lock, retries, offline mode).
Endpoints come from the environment first (`READINGLIST_ARXIV_URL`, `READINGLIST_S2_URL`,
`READINGLIST_CROSSREF_URL`, `READINGLIST_DBLP_URL`, `READINGLIST_MAILTO`,
`READINGLIST_S2_API_KEY`), then from the `sources` config (`arxiv_url`, `s2_url`,
`crossref_url`, `dblp_url`, `mailto`, `local_bib`), then the public defaults.

This package imports requests, requests-cache and arxiv: import it lazily from the CLI.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from readinglist.sources.base import Record, Source, normalize_title

if TYPE_CHECKING:
    from readinglist.sources.http import HttpClient

__all__ = ["Record", "Source", "HttpClient", "make_sources", "make_http", "normalize_title",
           "CACHE_FILE"]

CACHE_FILE = "http-cache.sqlite"


def __getattr__(name: str) -> Any:
    # `HttpClient` imports requests: load it only when asked for
    if name == "HttpClient":
        from readinglist.sources.http import HttpClient

        return HttpClient
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _setting(config: Mapping[str, Any], env: str, key: str) -> Any:
    return os.environ.get(env) or config.get(key)


def _sources_config(config: Mapping[str, Any]) -> Mapping[str, Any]:
    """Accept either the `config.sources` mapping itself or the whole `config` holding it."""
    inner = config.get("sources")
    return inner if isinstance(inner, Mapping) else config


def make_http(config: Mapping[str, Any], cache_dir: Path, offline: bool) -> HttpClient:
    """The shared client: cache at `<cache_dir>/http-cache.sqlite`, locks in `<cache_dir>/locks`.

    Optional config keys: `intervals` ({host: seconds}), `timeout` (read seconds),
    `connect_timeout`, `max_retries`, `retry_after_cap`.
    """
    from readinglist.sources.http import HttpClient

    cfg = _sources_config(config)
    kwargs: dict[str, Any] = {}
    for key, name in (("timeout", "read_timeout"), ("connect_timeout", "connect_timeout"),
                      ("retry_after_cap", "retry_after_cap")):
        if cfg.get(key) is not None:
            kwargs[name] = float(cfg[key])
    if cfg.get("max_retries") is not None:
        kwargs["max_retries"] = int(cfg["max_retries"])
    if isinstance(cfg.get("intervals"), Mapping):
        kwargs["intervals"] = {str(h): float(s) for h, s in cfg["intervals"].items()}
    return HttpClient(Path(cache_dir) / CACHE_FILE, offline=offline,
                      mailto=_setting(cfg, "READINGLIST_MAILTO", "mailto"), **kwargs)


def make_sources(config: Mapping[str, Any], cache_dir: Path, offline: bool,
                 http: HttpClient | None = None) -> dict[str, Source]:
    """The configured sources by name: `arxiv`, `semanticscholar`, `dblp`, `crossref`, and
    `localbib` when `local_bib` lists .bib files.

    Example::

        sources = make_sources({"mailto": "me@example.org"}, Path(".readinglist"), offline=False)
        sources["arxiv"].lookup(["2104.04473"])
    """
    from readinglist.sources.arxiv_source import ArxivSource
    from readinglist.sources.crossref import CrossrefSource
    from readinglist.sources.dblp import DblpSource
    from readinglist.sources.localbib import LocalBibSource
    from readinglist.sources.semanticscholar import SemanticScholarSource

    cfg = _sources_config(config)
    http = http or make_http(config, cache_dir, offline)
    sources: dict[str, Source] = {
        "arxiv": ArxivSource(http, _setting(cfg, "READINGLIST_ARXIV_URL", "arxiv_url")),
        "semanticscholar": SemanticScholarSource(
            http, _setting(cfg, "READINGLIST_S2_URL", "s2_url"),
            api_key=os.environ.get("READINGLIST_S2_API_KEY")),
        "dblp": DblpSource(http, _setting(cfg, "READINGLIST_DBLP_URL", "dblp_url")),
        "crossref": CrossrefSource(http, _setting(cfg, "READINGLIST_CROSSREF_URL",
                                                  "crossref_url")),
    }
    local = cfg.get("local_bib")
    if isinstance(local, str):
        local = [local]
    if local:
        sources["localbib"] = LocalBibSource([Path(p) for p in local])
    return sources
