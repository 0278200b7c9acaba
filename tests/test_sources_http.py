"""HttpClient against a real local server: retries, Retry-After, timeouts, cache, offline, lock."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from readinglist.errors import FetchError, Offline, RateLimited
from readinglist.sources.http import HttpClient, parse_retry_after


def client(tmp_path: Path, **kw: object) -> HttpClient:
    opts: dict = {"default_interval": 0.0, "backoff_base": 0.01, "read_timeout": 2.0}
    opts.update(kw)
    return HttpClient(tmp_path / "cache" / "http-cache.sqlite", **opts)


def test_cache_second_run_makes_no_request(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/x").respond_with_json({"ok": 1})
    first = client(tmp_path)
    assert first.get(httpserver.url_for("/x"), params={"q": "a"}).json() == {"ok": 1}
    assert first.requests_made == 1
    second = client(tmp_path)  # a new process would open the same SQLite file
    assert second.get(httpserver.url_for("/x"), params={"q": "a"}).json() == {"ok": 1}
    assert second.requests_made == 0
    assert len(httpserver.log) == 1
    # another query string is another cache key
    second.get(httpserver.url_for("/x"), params={"q": "b"})
    assert len(httpserver.log) == 2


def test_offline_hit_and_miss(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/x").respond_with_json({"ok": 1})
    client(tmp_path).get(httpserver.url_for("/x"))
    offline = client(tmp_path, offline=True)
    assert offline.get(httpserver.url_for("/x")).json() == {"ok": 1}
    with pytest.raises(Offline, match="not in the HTTP cache; run without --offline"):
        offline.get(httpserver.url_for("/y"))
    assert len(httpserver.log) == 1 and offline.requests_made == 0


def test_offline_without_cache_is_refused() -> None:
    with pytest.raises(Offline, match="needs an HTTP cache"):
        HttpClient(None, offline=True)


def test_mailto_not_part_of_cache_key(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/x").respond_with_json({})
    client(tmp_path, mailto="a@example.org").get(httpserver.url_for("/x"),
                                                 params={"mailto": "a@example.org"})
    again = client(tmp_path, mailto="b@example.org")
    again.get(httpserver.url_for("/x"), params={"mailto": "b@example.org"})
    assert again.requests_made == 0


def test_user_agent_names_tool_and_contact(httpserver: HTTPServer, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READINGLIST_MAILTO", "prof@example.edu")
    httpserver.expect_request("/ua").respond_with_data("ok")
    client(tmp_path).get(httpserver.url_for("/ua"))
    ua = httpserver.log[0][0].headers["User-Agent"]
    assert ua.startswith("readinglist/") and "mailto:prof@example.edu" in ua


def test_503_then_200_is_retried(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_oneshot_request("/x").respond_with_data("busy", status=503)
    httpserver.expect_request("/x").respond_with_json({"ok": 1})
    http = client(tmp_path)
    assert http.get(httpserver.url_for("/x")).json() == {"ok": 1}
    assert http.requests_made == 2 and len(httpserver.log) == 2


def test_5xx_forever_gives_up(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/x").respond_with_data("down", status=502)
    http = client(tmp_path, max_retries=2)
    with pytest.raises(FetchError, match=r"HTTP 502 after 3 attempts"):
        http.get(httpserver.url_for("/x"))
    assert len(httpserver.log) == 3


def test_404_is_returned_not_retried(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/x").respond_with_data("nope", status=404)
    assert client(tmp_path).get(httpserver.url_for("/x")).status_code == 404
    assert len(httpserver.log) == 1


def test_429_small_retry_after_is_honoured(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_oneshot_request("/x").respond_with_data(
        "", status=429, headers={"Retry-After": "1"})
    httpserver.expect_request("/x").respond_with_json({"ok": 1})
    start = time.monotonic()
    assert client(tmp_path).get(httpserver.url_for("/x")).json() == {"ok": 1}
    assert time.monotonic() - start >= 1.0
    assert len(httpserver.log) == 2


def test_429_large_retry_after_raises_rate_limited(httpserver: HTTPServer,
                                                   tmp_path: Path) -> None:
    httpserver.expect_request("/x").respond_with_data(
        "", status=429, headers={"Retry-After": "120"})
    start = time.monotonic()
    with pytest.raises(RateLimited, match=r"rate-limited by localhost, retry after 120 s") as e:
        client(tmp_path).get(httpserver.url_for("/x"))
    assert e.value.retry_after == 120
    assert time.monotonic() - start < 5 and len(httpserver.log) == 1


def test_429_forever_is_rate_limited(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/x").respond_with_data("", status=429)
    with pytest.raises(RateLimited, match="HTTP 429 after 2 attempts"):
        client(tmp_path, max_retries=1).get(httpserver.url_for("/x"))


def test_server_that_never_answers_times_out(httpserver: HTTPServer, tmp_path: Path) -> None:
    done = threading.Event()

    def slow(request: Request) -> Response:
        time.sleep(1.0)
        done.set()
        return Response("late")

    httpserver.expect_request("/slow").respond_with_handler(slow)
    start = time.monotonic()
    with pytest.raises(FetchError, match=r"no answer within 0\.3 s"):
        client(tmp_path, read_timeout=0.3).get(httpserver.url_for("/slow"))
    assert time.monotonic() - start < 1.0
    done.wait(3)  # let the handler finish so the next test's server log starts clean


def test_connection_refused_is_retried_then_fails(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    http = client(tmp_path, max_retries=2)
    with pytest.raises(FetchError, match="cannot connect after 3 attempt"):
        http.get(f"http://127.0.0.1:{port}/x")
    assert http.requests_made == 3


def test_validator_rejects_body_and_it_is_not_cached(httpserver: HTTPServer,
                                                     tmp_path: Path) -> None:
    httpserver.expect_request("/x").respond_with_data("garbage")
    http = client(tmp_path)
    for _ in range(2):
        with pytest.raises(FetchError, match="bad body"):
            http.get(httpserver.url_for("/x"), validate=lambda r: "bad body")
    assert len(httpserver.log) == 2


def test_interval_is_kept_in_process(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/x").respond_with_data("ok")
    http = client(tmp_path, intervals={"localhost": 0.3})
    start = time.monotonic()
    for i in range(3):
        http.get(httpserver.url_for("/x"), params={"i": str(i)})
    assert time.monotonic() - start >= 0.6


@pytest.mark.parametrize(("value", "expected"), [
    pytest.param("7", 7.0, id="seconds"),
    pytest.param(None, None, id="absent"),
    pytest.param("soon", None, id="garbage"),
    pytest.param("Wed, 21 Oct 2015 07:28:00 GMT", 0.0, id="date_in_past"),
])
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value) == expected


_WORKER = """
import sys
from pathlib import Path
from readinglist.sources.http import HttpClient
http = HttpClient(Path(sys.argv[1]) / "http-cache.sqlite", intervals={"localhost": 0.5})
for i in range(2):
    http.get(sys.argv[2], params={"who": sys.argv[3], "i": str(i)})
"""


def test_two_processes_share_the_host_lock(httpserver: HTTPServer, tmp_path: Path) -> None:
    starts: list[float] = []

    def record(request: Request) -> Response:
        starts.append(time.time())
        return Response("ok")

    httpserver.expect_request("/p").respond_with_handler(record)
    cache = tmp_path / "cache"
    procs = [subprocess.Popen([sys.executable, "-c", _WORKER, str(cache),
                               httpserver.url_for("/p"), who]) for who in ("a", "b")]
    for p in procs:
        assert p.wait(timeout=20) == 0
    assert len(starts) == 4
    gaps = [b - a for a, b in zip(sorted(starts), sorted(starts)[1:], strict=False)]
    assert min(gaps) >= 0.5, gaps
    assert (cache / "locks" / "localhost.lock").exists()
