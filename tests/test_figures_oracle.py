"""An independent oracle for every figure in every area briefing and national document: pandas, in the test.

The shipped project is built as a user builds it; then each figure the
manifests say a document prints is recomputed here from survey.csv and
tables.yaml with pandas alone (no tspdocs code), and compared with what was
printed: the same value, the same base, and never a base under the project's
minimum. The HTML's own <data> elements must say the same.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from conftest import copy_project, run_cli
from lxml import html as lxml_html

pytestmark = pytest.mark.slow
AGREE_FROM = 4


@pytest.fixture(scope="module")
def areas_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("oracle") / "project")
    national = run_cli(root, "build", "all", "--format", "html")
    assert national.code == 0, national.output + national.stderr
    by_area = run_cli(root, "brief", "--audience", "all", "--by", "area", "--format", "html", "-j", "2")
    assert by_area.code == 0, by_area.output + by_area.stderr
    return root


def recompute(root: Path, name: str, scope: str) -> tuple[float, int | None]:
    """Return a value and its base as a statistician would compute them from the raw file."""
    spec = yaml.safe_load((root / "content/data/tables.yaml").read_text(encoding="utf-8"))
    value = spec["values"][name]
    table = spec["tables"][value["table"]]
    frame = pd.read_csv(root / "content/data" / table["file"], dtype=str, keep_default_na=False)
    if scope != "all rows":
        for part in scope.split(", "):
            column, _, wanted = part.partition(" = ")
            frame = frame[frame[column] == wanted]
    for column, wanted in value.get("where", {}).items():
        frame = frame[frame[column].isin([str(w) for w in (wanted if isinstance(wanted, list) else [wanted])])]
    if "count" in value:
        return float(len(frame)), len(frame)
    if "share" in value:
        mask = pd.Series(True, index=frame.index)
        for column, wanted in value["share"].items():
            mask &= frame[column].isin([str(w) for w in (wanted if isinstance(wanted, list) else [wanted])])
        return float(mask.mean()), len(frame)
    operation = next(op for op in ("agree", "mean", "median", "sum", "distinct") if op in value)
    answers = pd.to_numeric(frame[value[operation]].replace("", None), errors="coerce").dropna() \
        if operation != "distinct" else frame[value[operation]]
    if operation == "agree":
        return float((answers >= AGREE_FROM).mean()), len(answers)
    if operation == "distinct":
        return float(answers.nunique()), None
    return float(getattr(answers, operation)()), len(answers) if operation != "sum" else None


def minimum(root: Path) -> tuple[int, int]:
    spec = yaml.safe_load((root / "content/data/tables.yaml").read_text(encoding="utf-8")).get("figures", {})
    return spec.get("min_base", 30), spec.get("min_count", 3)


def check_figure(root: Path, figure: dict[str, Any]) -> None:
    expected, base = recompute(root, figure["value"], figure["scope"])
    assert figure["number"] == pytest.approx(expected, abs=1e-9), figure
    assert figure["base"] == base, figure
    min_base, min_count = minimum(root)
    if base is not None:
        is_count = "count" in yaml.safe_load((root / "content/data/tables.yaml").read_text())["values"][figure["value"]]
        assert base >= (min_count if is_count else min_base), f"printed on too small a base: {figure}"


def test_every_figure_in_every_area_briefing_is_what_pandas_computes(areas_built: Path) -> None:
    manifest = json.loads((areas_built / "build/briefings/manifest-by-area.json").read_text())
    assert len({(f["audience"], f["area"]) for f in manifest["files"]}) == 72
    checked = 0
    for item in manifest["files"]:
        for figure in item["figures"]:
            if "value" in figure:
                check_figure(areas_built, figure)
                checked += 1
            elif not figure["suppressed"] and figure["base"] is not None:
                assert figure["base"] >= minimum(areas_built)[1], figure
    assert checked > 72


def test_every_figure_in_the_national_documents_is_what_pandas_computes(areas_built: Path) -> None:
    manifest = json.loads((areas_built / "build/manifest.json").read_text())
    figures = [f for output in manifest["outputs"] for f in output["figures"] if "value" in f]
    assert len(figures) > 30
    for figure in figures:
        check_figure(areas_built, figure)


def test_the_html_says_what_the_manifest_says(areas_built: Path) -> None:
    manifest = json.loads((areas_built / "build/briefings/manifest-by-area.json").read_text())
    for item in manifest["files"][:12]:
        tree = lxml_html.fromstring((areas_built / item["path"]).read_bytes())
        shown = [(d.get("data-value"), d.get("data-base"), d.text_content()) for d in tree.xpath("//data")]
        listed = [(f["value"], str(f["base"]) if f["base"] is not None else None, f["text"])
                  for f in item["figures"] if "value" in f]
        assert shown == listed


def test_check_by_area_finds_nothing_wrong_in_the_shipped_content(project: Path) -> None:
    run = run_cli(project, "check", "--by", "area", "--format", "json")
    report = json.loads(run.stdout)
    assert report["counts"]["error"] == 0, [p for p in report["problems"] if p["severity"] == "error"]
    assert run.code == 0
