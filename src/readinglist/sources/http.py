"""The one HTTP client all sources share: cache, per-host pacing, cross-process lock, retries.

Politeness is enforced here, not in each source:

* one request at a time per host across processes (an `fcntl.flock` on
  `<lock_dir>/<host>.lock`, the file holding the time the last request finished),
  and at least `intervals[host]` seconds between requests (arXiv asks for 3 s);
* timeouts on every request (`requests` has none by default);
* retries only on 429, 5xx and connection errors, with exponential backoff and jitter;
  `Retry-After` honoured up to `retry_after_cap`, above it `RateLimited` is raised;
* a SQLite cache (requests-cache) keyed by method, URL, params and body; with
  `offline=True` only cached answers are used and a miss raises `Offline`.
"""

from __future__ import annotations

import email.utils
import fcntl
import os
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from readinglist import __version__
from readinglist.errors import FetchError, Offline, RateLimited

__all__ = ["HttpClient", "DEFAULT_INTERVALS", "host_of"]

DEFAULT_INTERVALS: dict[str, float] = {
    "export.arxiv.org": 3.0,  # info.arxiv.org/help/api/tou.html: one request every 3 s
    "dblp.org": 2.0,  # dblp.org/faq/1474706.html: wait 1-2 s between requests
    "api.semanticscholar.org": 1.0,  # 1 req/s with an API key
    "api.crossref.org": 0.2,
}
"""Minimum seconds between two requests to a host (request end to next request start)."""

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
CACHE_STATUSES = (200, 203, 404)

Validator = Callable[[requests.Response], str | None]
"""Checks a 2xx body; returns a problem description (the response is then not cached) or None."""


def host_of(url: str) -> str:
    """The host name of a URL (no port), used as the pacing and lock key."""
    return urlsplit(url).hostname or "unknown-host"


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a `Retry-After` header (delta-seconds or an HTTP date); None if absent/bad."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class HttpClient:
    """Polite, cached HTTP for the metadata sources.

    Example::

        http = HttpClient(Path(".readinglist/http-cache.sqlite"), mailto="me@example.org")
        resp = http.get("https://api.crossref.org/works/10.1145/3458817.3476209")
    """

    def __init__(
        self,
        cache_path: Path | None = None,
        *,
        offline: bool = False,
        lock_dir: Path | None = None,
        intervals: Mapping[str, float] | None = None,
        default_interval: float = 1.0,
        connect_timeout: float = 10.0,
        read_timeout: float = 30.0,
        max_retries: int = 3,
        backoff_base: float = 1.0,
        retry_after_cap: float = 60.0,
        mailto: str | None = None,
        expire_after: float | None = 30 * 24 * 3600,
    ) -> None:
        """`cache_path`: SQLite file of the HTTP cache (None: no cache). `lock_dir`: where the
        per-host lock files live (default `<cache dir>/locks`; None without a cache: pacing is
        per process only). `intervals` overrides `DEFAULT_INTERVALS` per host;
        `default_interval` applies to hosts not listed. `expire_after`: cache lifetime in
        seconds (None: never expire); offline mode also serves expired answers."""
        if offline and cache_path is None:
            raise Offline("", "offline mode needs an HTTP cache, and none is configured")
        self.offline = offline
        self.intervals: dict[str, float] = dict(DEFAULT_INTERVALS)
        self.intervals.update(intervals or {})
        self.default_interval = default_interval
        self.timeout = (connect_timeout, read_timeout)
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.retry_after_cap = retry_after_cap
        self.mailto = mailto if mailto is not None else os.environ.get("READINGLIST_MAILTO")
        self.requests_made = 0
        """Requests actually sent over the network (cache hits not counted)."""
        self.cache_path = cache_path
        if lock_dir is None and cache_path is not None:
            lock_dir = Path(cache_path).parent / "locks"
        self.lock_dir = lock_dir
        self._thread_locks: dict[str, threading.Lock] = {}
        self._last_request: dict[str, float] = {}
        self._guard = threading.Lock()
        self.session: requests.Session
        if cache_path is not None:
            import requests_cache

            Path(cache_path).parent.mkdir(parents=True, exist_ok=True)
            self.session = requests_cache.CachedSession(
                backend=requests_cache.SQLiteCache(str(cache_path)),
                allowable_methods=("GET", "POST"),
                allowable_codes=CACHE_STATUSES,
                expire_after=-1 if expire_after is None else expire_after,
                stale_if_error=offline,
                ignored_parameters=("mailto", "x-api-key", "Authorization", "api_key"),
            )
        else:
            self.session = requests.Session()
        self.session.headers["User-Agent"] = self.user_agent

    @property
    def user_agent(self) -> str:
        """`readinglist/<version> (...; mailto:...)`: names the tool and a contact."""
        contact = f"; mailto:{self.mailto}" if self.mailto else ""
        return f"readinglist/{__version__} (reading-list metadata{contact})"

    def interval_for(self, host: str) -> float:
        return self.intervals.get(host, self.default_interval)

    def suggest_interval(self, host: str, seconds: float) -> None:
        """A source's polite interval for its host, unless one was configured already."""
        self.intervals.setdefault(host, seconds)

    def close(self) -> None:
        self.session.close()

    # -- requests ---------------------------------------------------------------------------

    def get(
        self,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        validate: Validator | None = None,
    ) -> requests.Response:
        return self.request("GET", url, params=params, headers=headers, validate=validate)

    def post(
        self,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        validate: Validator | None = None,
    ) -> requests.Response:
        return self.request("POST", url, params=params, json=json, headers=headers,
                            validate=validate)

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        validate: Validator | None = None,
    ) -> requests.Response:
        """Send (or answer from the cache) one request.

        Returns the response for any status that is not retried (2xx, 404, other 4xx: the
        caller decides). Raises `Offline` on an offline cache miss, `RateLimited` when the
        server wants a longer wait than `retry_after_cap` (or keeps answering 429),
        `FetchError` on timeouts, exhausted retries, or a body `validate` rejects.
        """
        kwargs: dict[str, Any] = {"params": dict(params or {}), "headers": dict(headers or {})}
        if json is not None:
            kwargs["json"] = json
        shown = self._shown_url(method, url, kwargs["params"])

        if self.cache_path is not None:
            cached = self.session.request(method, url, only_if_cached=True, **kwargs)  # type: ignore[call-arg]  # CachedSession kwarg
            # a miss is a synthetic "504 Not Cached" (a real 504 is never stored)
            if getattr(cached, "from_cache", False) and cached.status_code != 504:
                self._check_body(cached, shown, validate)
                return cached
            if self.offline:
                raise Offline(shown, f"{shown}: not in the HTTP cache; run without --offline "
                                     "to fetch it")

        host = host_of(url)
        attempt = 0
        while True:
            wait: float
            try:
                resp = self._send(host, method, url, kwargs)
            except requests.exceptions.ReadTimeout as err:
                raise FetchError(shown, f"{shown}: no answer within {self.timeout[1]:g} s "
                                        "(read timeout); try again later") from err
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as err:
                if attempt >= self.max_retries:
                    raise FetchError(shown, f"{shown}: cannot connect after {attempt + 1} "
                                            f"attempt(s) ({type(err).__name__}); check the "
                                            "network or the endpoint URL") from err
                wait = self._backoff(attempt)
            else:
                if resp.status_code not in RETRY_STATUSES:
                    self._check_body(resp, shown, validate)
                    return resp
                retry_after = parse_retry_after(resp.headers.get("Retry-After"))
                if retry_after is not None and retry_after > self.retry_after_cap:
                    raise RateLimited(shown, retry_after,
                                      f"rate-limited by {host}, retry after {retry_after:g} s "
                                      f"({shown})")
                if attempt >= self.max_retries:
                    if resp.status_code == 429:
                        raise RateLimited(shown, retry_after,
                                          f"rate-limited by {host} (HTTP 429 after "
                                          f"{attempt + 1} attempts), try again later ({shown})")
                    raise FetchError(shown, f"{shown}: HTTP {resp.status_code} after "
                                            f"{attempt + 1} attempts; the service may be down, "
                                            "try again later")
                wait = max(retry_after or 0.0, self._backoff(attempt))
            attempt += 1
            time.sleep(wait)

    # -- internals --------------------------------------------------------------------------

    def _backoff(self, attempt: int) -> float:
        base = self.backoff_base * (2**attempt)
        return base + random.uniform(0, self.backoff_base)

    def _shown_url(self, method: str, url: str, params: Mapping[str, Any]) -> str:
        req = requests.Request(method, url, params={k: v for k, v in params.items()
                                                    if k != "mailto"}).prepare()
        return req.url or url

    def _check_body(self, resp: requests.Response, shown: str, validate: Validator | None) -> None:
        if validate is None or not 200 <= resp.status_code < 300:
            return
        problem = validate(resp)
        if problem is None:
            return
        self._forget(resp)
        raise FetchError(shown, f"{shown}: {problem}; try again later")

    def _forget(self, resp: requests.Response) -> None:
        cache = getattr(self.session, "cache", None)
        if cache is not None and resp.request is not None:
            cache.delete(requests=[resp.request])

    def _send(self, host: str, method: str, url: str, kwargs: dict[str, Any]) -> requests.Response:
        with self._host_slot(host):
            self.requests_made += 1
            try:
                return self.session.request(method, url, timeout=self.timeout, **kwargs)
            finally:
                self._mark_done(host)

    def _thread_lock(self, host: str) -> threading.Lock:
        with self._guard:
            return self._thread_locks.setdefault(host, threading.Lock())

    @contextmanager
    def _host_slot(self, host: str) -> Iterator[None]:
        """Hold the host: in-process lock, then the cross-process file lock; pace; yield."""
        interval = self.interval_for(host)
        with self._thread_lock(host):
            if self.lock_dir is None:
                self._sleep_until(self._last_request.get(host, 0.0) + interval)
                yield
                return
            self.lock_dir.mkdir(parents=True, exist_ok=True)
            path = self.lock_dir / f"{host}.lock"
            with open(path, "a+") as fh:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
                try:
                    fh.seek(0)
                    try:
                        last = float(fh.read().strip() or 0.0)
                    except ValueError:
                        last = 0.0
                    last = max(last, self._last_request.get(host, 0.0))
                    self._sleep_until(last + interval)
                    yield
                finally:
                    fh.seek(0)
                    fh.truncate()
                    fh.write(f"{self._last_request.get(host, time.time()):.6f}\n")
                    fh.flush()
                    fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    def _mark_done(self, host: str) -> None:
        self._last_request[host] = time.time()

    @staticmethod
    def _sleep_until(when: float) -> None:
        delay = when - time.time()
        if delay > 0:
            time.sleep(delay)


def json_body(resp: requests.Response) -> Any:
    """The JSON body of a response, or `FetchError` naming the URL if it is not JSON."""
    try:
        return resp.json()
    except ValueError as err:
        snippet = resp.text[:80].strip().replace("\n", " ")
        raise FetchError(resp.url, f"{resp.url}: expected JSON, got {snippet!r}; "
                                   "try again later") from err


def check_status(resp: requests.Response, what: str) -> None:
    """`FetchError` for any non-2xx status (after the client's retries)."""
    if not 200 <= resp.status_code < 300:
        raise FetchError(resp.url, f"{resp.url}: HTTP {resp.status_code} from {what}; "
                                   "check the request or try again later")
