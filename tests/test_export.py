"""Exports of the embedded default: golden files, re-parsing, determinism, the CLI.

Golden files live in tests/golden/; rewrite them after an intended change with
`REGEN_GOLDEN=1 .venv/bin/pytest tests/test_export.py` and review the diff.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from readinglist.api import ReadingList
from readinglist.cli import main
from readinglist.export import FORMATS, export, write
from readinglist.store import Store

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO / "tests" / "golden"
REGEN = os.environ.get("REGEN_GOLDEN") == "1"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> ReadingList:
    root = tmp_path_factory.mktemp("default")
    shutil.copy(REPO / "topics.yaml", root / "topics.yaml")
    shutil.copytree(REPO / "bib", root / "bib")
    proj = ReadingList(root)
    proj.build()
    return proj


@pytest.fixture
def db(project: ReadingList) -> Store:
    s = project.store()
    yield s
    s.close()


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if REGEN or not path.exists():
        if not REGEN:
            pytest.fail(f"missing golden file {path}; run with REGEN_GOLDEN=1 to create it")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")
        return
    assert text == path.read_bytes().decode("utf-8"), (
        f"{name} differs from its golden file; if intended, rerun with REGEN_GOLDEN=1 and review the diff")


CASES = [
    ("markdown", {}, "default.md"),
    ("markdown", {"course": "cs294-sp22", "style": "cs294"}, "cs294-sp22.cs294.md"),
    ("bibtex", {}, "default.bib"),
    ("biblatex", {}, "default.biblatex.bib"),
    ("csl-json", {}, "default.csl.json"),
    ("ris", {}, "default.ris"),
    ("json", {}, "default.json"),
    ("bibtex", {"course": "cs294-sp22", "topic": "distributed-training-systems", "role": "required"},
     "cs294-sp22.dist-required.bib"),
]


@pytest.mark.parametrize(("fmt", "opts", "name"), CASES, ids=[c[2] for c in CASES])
def test_golden(db: Store, fmt: str, opts: dict[str, str], name: str) -> None:
    out = export(db, fmt, **opts)
    assert isinstance(out, str)
    check_golden(name, out)
    assert export(db, fmt, **opts) == out  # deterministic within a process


def test_golden_jekyll_data(db: Store) -> None:
    files = export(db, "jekyll-data")
    assert isinstance(files, dict)
    assert sorted(files) == ["courses.json", "cs294-sp22.json", "gatech-cs8803-smr.json",
                             "lecture-schedule-004.json", "umass-692f.json", "umass-692s.json"]
    for rel, text in files.items():
        check_golden(f"jekyll-data/{rel}", text)
    cs = json.loads(files["cs294-sp22.json"])
    assert len(cs["topics"]) == 16
    assert sum(len(t["required"]) + len(t["optional"]) for t in cs["topics"]) == 60


def test_every_format_has_a_golden_case() -> None:
    assert {c[0] for c in CASES} | {"jekyll-data"} == set(FORMATS)


def test_bibtex_reparses_one_entry_per_paper(db: Store) -> None:
    import bibtexparser

    n_papers = db.rows("SELECT count(*) AS n FROM papers")[0]["n"]
    for fmt in ("bibtex", "biblatex"):
        text = export(db, fmt)
        assert isinstance(text, str)
        lib = bibtexparser.parse_string(text)
        assert lib.failed_blocks == []
        assert len(lib.entries) == n_papers == 61
        keys = [e.key for e in lib.entries]
        assert len(set(keys)) == n_papers
        for e in lib.entries:
            names = {f.key.lower() for f in e.fields}
            assert not names & {"provenance", "verification", "venue"}
    lib = bibtexparser.parse_string(export(db, "bibtex"))  # type: ignore[arg-type]
    by_key = {e.key: {f.key: f.value for f in e.fields} for e in lib.entries}
    stored = db.paper("narayanan2021efficient")["fields"]
    meg = by_key["narayanan2021efficient"]
    assert meg["title"] == stored["title"] == "Efficient Large-Scale Language Model Training on {GPU} Clusters Using {Megatron-LM}"
    assert (meg["eprint"], meg["archivePrefix"], meg["primaryClass"]) == ("2104.04473", "arXiv", "cs.CL")
    assert meg["booktitle"].startswith("Proceedings of the International Conference for High Performance")
    assert by_key["domingos2012few"]["month"] == "oct"
    bl = bibtexparser.parse_string(export(db, "biblatex"))  # type: ignore[arg-type]
    blk = {e.key: e for e in bl.entries}
    meg2 = {f.key: f.value for f in blk["narayanan2021efficient"].fields}
    assert (meg2["eprinttype"], meg2["eprintclass"]) == ("arxiv", "cs.CL")
    assert "archiveprefix" not in meg2
    assert "journaltitle" in {f.key for f in blk["domingos2012few"].fields}
    assert blk["deepspeedteam2022deepspeed"].entry_type == "online"


def test_selection_filters(db: Store) -> None:
    text = export(db, "bibtex", course="cs294-sp22", topic="distributed-training-systems", role="required")
    assert isinstance(text, str)
    assert [line.split("{")[1].rstrip(",") for line in text.splitlines() if line.startswith("@")] == [
        "li2021chimera", "narayanan2021efficient", "rajbhandari2021zeroinfinity"]
    md = export(db, "markdown", course="cs294-sp22", role="optional")
    assert isinstance(md, str)
    assert "**Required**" not in md and "**Optional**" in md


def test_markdown_layout(db: Store) -> None:
    md = export(db, "markdown", course="cs294-sp22")
    assert isinstance(md, str)
    assert md.startswith("# Machine Learning Systems (Spring 2022)\n")
    week4 = md.split("## Week 4: ")[1].split("## Week 5")[0]
    assert week4.index("**Required**") < week4.index("**Optional**")
    assert ("[Efficient Large-Scale Language Model Training on GPU Clusters Using Megatron-LM]"
            "(https://arxiv.org/abs/2104.04473)") in week4
    assert "*SC* 2021. Best Student Paper." in week4
    cs = export(db, "markdown", course="cs294-sp22", style="cs294")
    assert isinstance(cs, str)
    assert cs.count('<div class="required_reading" markdown="1">') == 11
    assert cs.count("{% include syllabus_entry %}") == 16
    assert "* [Chimera: Efficiently Training Large-Scale Neural Networks with Bidirectional Pipelines " \
           "[SC’21, Best Paper finalist]](https://doi.org/10.1145/3458817.3476145)" in cs


def test_csl_json_shape(db: Store) -> None:
    items = json.loads(export(db, "csl-json"))  # type: ignore[arg-type]
    by_id = {i["id"]: i for i in items}
    assert len(items) == 61
    meg = by_id["narayanan2021efficient"]
    assert meg["type"] == "paper-conference"
    assert meg["author"][0] == {"family": "Narayanan", "given": "Deepak"}
    assert meg["issued"] == {"date-parts": [[2021]]}
    assert by_id["domingos2012few"]["issued"] == {"date-parts": [[2012, 10]]}
    assert by_id["kaplan2020scaling"]["publisher"] == "arXiv"
    assert by_id["deepspeedteam2022deepspeed"]["author"] == [{"literal": "DeepSpeed Team"}]


def test_ris_records(db: Store) -> None:
    text = export(db, "ris")
    assert isinstance(text, str)
    records = [r for r in text.split("ER  - ") if r.strip()]
    assert len(records) == 61
    assert all(line[:2].isupper() and line[2:6] == "  - " for line in text.splitlines() if line)


def test_cli_writes_atomically_and_identically(project: ReadingList, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "a.bib"
    r = runner.invoke(main, ["--root", str(project.root), "export", "bibtex", "-o", str(out)])
    assert r.exit_code == 0, r.output
    first = out.read_bytes()
    r = runner.invoke(main, ["--root", str(project.root), "export", "bibtex", "-o", str(out)])
    assert out.read_bytes() == first
    assert [p.name for p in tmp_path.iterdir()] == ["a.bib"]  # no temp file left behind
    r = runner.invoke(main, ["--root", str(project.root), "export", "markdown", "--course", "nope"])
    assert r.exit_code == 1 and "unknown course 'nope'" in r.output


def test_subprocess_export(project: ReadingList, tmp_path: Path) -> None:
    outdir = tmp_path / "site" / "_data" / "readinglist"
    res = subprocess.run([sys.executable, "-m", "readinglist", "--root", str(project.root), "export",
                          "jekyll-data", "-o", str(outdir)], capture_output=True, text=True, check=False)
    assert res.returncode == 0, res.stderr
    assert (outdir / "cs294-sp22.json").exists()
    res = subprocess.run([sys.executable, "-m", "readinglist", "--root", str(project.root), "export",
                          "csl-json", "--course", "umass-692s"], capture_output=True, text=True, check=False)
    assert res.returncode == 0, res.stderr
    assert len(json.loads(res.stdout)) == 2


def test_write_refuses_escaping_paths(tmp_path: Path) -> None:
    from readinglist.errors import ReadingListError

    for bad in ("../x.json", "/etc/x.json", "a/../../x.json"):
        with pytest.raises(ReadingListError, match="refusing"):
            write({"ok.json": "{}", bad: "{}"}, tmp_path / "out")
        assert not (tmp_path / "out" / "ok.json").exists()  # checked before anything is written
    assert not (tmp_path / "x.json").exists()


def test_csl_json_validates_against_the_csl_schema(db: Store) -> None:
    import jsonschema

    schema = json.loads((REPO / "tests" / "csl-data.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    items = json.loads(export(db, "csl-json"))  # type: ignore[arg-type]
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(items), key=str)
    assert errors == [], errors[:3]
    # the schema does bite: an unknown type or property is refused
    bad = [dict(items[0], type="preprint"), dict(items[1], venue="SC")]
    assert len(list(jsonschema.Draft7Validator(schema).iter_errors(bad))) == 2
