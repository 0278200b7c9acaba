"""`readinglist report`: a self-contained HTML page, checked as rendered by headless Chromium."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from readinglist.cli import main

REPO = Path(__file__).resolve().parents[1]

EVIL_BIB = r"""
@inproceedings{evil2021, author = {Mallory, Eve}, title = {<script>document.title='pwned'</script> Serving <b>bold</b>},
  booktitle = {OSDI}, venue = {OSDI}, year = {2021}, url = {javascript:alert(1)}}
@inproceedings{evil2022, author = {Mallory, Eve}, title = {<script>document.title='pwned'</script> Serving <b>bold</b>},
  booktitle = {OSDI}, venue = {OSDI}, year = {2022}, url = {https://example.org/e}}
@inproceedings{good2020, author = {Doe, Jo}, title = {A model serving system}, booktitle = {OSDI}, venue = {OSDI},
  year = {2020}, url = {https://example.org/g}}
"""

EVIL_TOPICS = """
version: 1
areas:
  - {id: serving, title: "Serving <img src=x onerror=alert(1)>", keywords: [serving]}
  - {id: storage, title: Storage, keywords: [storage]}
courses:
  - id: evil
    title: "Course <i>with</i> & markup"
    term: Fall 2022
    topics:
      - id: t1
        title: "<img src=x onerror=alert(2)> Week 1"
        readings:
          - {paper: evil2021, role: required}
  - id: other
    title: Other
    term: Fall 2022
    topics:
      - id: s
        title: Storage
        readings:
          - {paper: good2020, role: required}
          - {paper: evil2021, role: optional}
          - {paper: evil2022, role: required}
"""


def _load_script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("report_screenshot", REPO / "scripts" / "report_screenshot.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture
def evil(tmp_path: Path) -> Path:
    root = tmp_path / "evil"
    (root / "bib").mkdir(parents=True)
    (root / "topics.yaml").write_text(EVIL_TOPICS, encoding="utf-8")
    (root / "bib" / "x.bib").write_text(EVIL_BIB, encoding="utf-8")
    return root


def test_report_is_self_contained_and_escaped(evil: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    r = CliRunner().invoke(main, ["--root", str(evil), "report", "--course", "evil", "--against", "other", "-o", str(out)])
    assert r.exit_code == 0, r.output
    html = out.read_text(encoding="utf-8")
    assert "<script" not in html and "<img" not in html and "<b>bold" not in html
    assert "&lt;script&gt;document.title=&#x27;pwned&#x27;&lt;/script&gt;" in html
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", html), "external resource referenced"
    assert "javascript:" not in html.replace("javascript:alert(1)", "")  # never as a link
    assert 'id="heatmap-topics"' in html and 'id="heatmap-courses"' in html and 'id="co-assignment"' in html


def test_report_subprocess_and_bad_input(evil: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.html"
    subprocess.run([sys.executable, "-m", "readinglist", "--root", str(evil), "report", "-o", str(out)], check=True,
                   capture_output=True)
    assert 'id="heatmap-courses"' in out.read_text() and 'id="heatmap-topics"' not in out.read_text()
    p = subprocess.run([sys.executable, "-m", "readinglist", "--root", str(evil), "report", "--course", "nosuch",
                        "-o", str(out)], capture_output=True, text=True)
    assert p.returncode == 1 and "unknown course 'nosuch'" in p.stderr and "Traceback" not in p.stderr
    p = subprocess.run([sys.executable, "-m", "readinglist", "--root", str(evil), "report", "--against", "other",
                        "-o", str(out)], capture_output=True, text=True)
    assert p.returncode == 1 and "--against needs --course" in p.stderr


@pytest.fixture
def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.skip("chromium is not installed (apt-get install -y chromium); the rendered report is not checked")
    return path


def test_report_renders_in_chromium(evil: Path, tmp_path: Path, chromium: str) -> None:
    out = tmp_path / "r.html"
    r = CliRunner().invoke(main, ["--root", str(evil), "report", "--course", "evil", "--against", "other", "-o", str(out)])
    assert r.exit_code == 0, r.output
    png = tmp_path / "r.png"
    dom = _load_script().render(out, screenshot=png, size="1200,1600")
    assert png.stat().st_size > 10_000
    # the title text shows literally, no script ran (the document title is ours, not 'pwned')
    assert "<title>Coverage report: Course &lt;i&gt;with&lt;/i&gt; &amp; markup</title>" in dom
    assert "&lt;script&gt;document.title='pwned'&lt;/script&gt; Serving" in dom
    assert "<script" not in dom and "<img" not in dom
    # findings table and both heatmaps rendered with their cells
    assert re.search(r'<table id="findings"', dom)
    assert re.search(r'<td class="c-explicit"|<td class="c-inferred"', dom)
    heat = dom.split('id="heatmap-courses"', 1)[1].split("</table>", 1)[0]
    assert heat.count("<tr>") == 3  # header + evil + other
    assert 'title="other / storage: required' in heat
    co = dom.split('id="co-assignment"', 1)[1].split("</table>", 1)[0]
    assert "good2020" in co and "evil2022" in co and "evil2021" not in co


def test_default_project_report_renders(tmp_path: Path, chromium: str) -> None:
    root = tmp_path / "default"
    root.mkdir()
    shutil.copy(REPO / "topics.yaml", root / "topics.yaml")
    shutil.copytree(REPO / "bib", root / "bib")
    out = tmp_path / "cs294.html"
    r = CliRunner().invoke(main, ["--root", str(root), "report", "--course", "cs294-sp22", "--against",
                                  "gatech-cs8803-smr", "--against", "lecture-schedule-004", "-o", str(out)])
    assert r.exit_code == 0, r.output
    dom = _load_script().render(out)
    findings = dom.split('id="findings"', 1)[1].split("</table>", 1)[0]
    assert "model-serving" in findings
    topics = dom.split('id="heatmap-topics"', 1)[1].split("</table>", 1)[0]
    assert topics.count("<tr>") == 17  # header + 16 sessions
