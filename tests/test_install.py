"""Installed like a tool: the wheel carries what `init` and `build` need, and `init` ships CI and a hook."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO, run_cli
from helpers import pdf_pages

import tspdocs.commands.scaffold as scaffold
from tspdocs import __version__
from tspdocs.cli import main

SHIPPED_WORDING = ("TSRC", "Third Sector", "third sector")


@pytest.fixture(scope="module")
def starter(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project made by `tspdocs init` from this checkout."""
    folder = tmp_path_factory.mktemp("init")
    assert run_cli(folder, "init", "fresh").code == 0
    return folder / "fresh"


def test_init_makes_a_neutral_project(starter: Path) -> None:
    texts = [p for p in starter.rglob("*") if p.is_file() and p.suffix in (".yaml", ".yml", ".md", ".j2", ".css")]
    assert texts, "the starter has text files"
    for path in texts:
        text = path.read_text(encoding="utf-8")
        assert not [w for w in SHIPPED_WORDING if w in text], f"{path.relative_to(starter)} names the shipped project"
    logo = (starter / "assets/logos/logo.png").read_bytes()
    assert logo.startswith(b"\x89PNG") and logo != (REPO / "assets/logos/logo.png").read_bytes(), \
        "a placeholder logo, not the shipped project's"
    for house in ("assets/fonts/LiberationSans-Regular.ttf", "assets/reference.docx", "templates/layouts/page.html.j2"):
        assert (starter / house).read_bytes() == (REPO / house).read_bytes(), f"{house} is the house style"


def test_init_without_the_house_style_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scaffold, "HOUSE", tmp_path / "missing")
    monkeypatch.setattr(scaffold, "SOURCE_TREE", tmp_path / "missing")
    run = run_cli(tmp_path, "init", "fresh")
    assert run.code == 1 and "[no-starter]" in run.stderr and "house style is missing" in run.stderr
    assert not (tmp_path / "fresh").exists(), "nothing is half made"


def _workflow(starter: Path) -> dict[str, object]:
    data = yaml.safe_load((starter / ".github/workflows/documents.yml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true; GitHub reads a name
    return data


def test_the_shipped_workflow_checks_strictly_builds_and_keeps_the_documents(starter: Path) -> None:
    workflow = _workflow(starter)
    assert set(workflow["on"]) == {"push", "pull_request"}  # type: ignore[arg-type]
    assert workflow["env"] == {"TSPDOCS": f"tspdocs=={__version__}"}, "CI installs the tspdocs that made the project"
    assert _workflow_commands(starter) == [["tspdocs", "check", "--strict", "--format", "github"],
                                           ["tspdocs", "build", "all"]]
    for _tspdocs, name, *args in _workflow_commands(starter):  # each names a real command and real options
        assert name in main.commands, name
        main.commands[name].make_context(name, args)  # click raises UsageError on an unknown option or value
    assert run_cli(starter, *_workflow_commands(starter)[0][1:]).code == 0, "the gate passes on a new project"
    (job,) = workflow["jobs"].values()  # type: ignore[attr-defined]
    (upload,) = [step for step in job["steps"] if str(step.get("uses", "")).startswith("actions/upload-artifact@")]
    assert upload["with"]["path"].rstrip("/") == "build"


def _workflow_commands(starter: Path) -> list[list[str]]:
    """Return the workflow's `tspdocs …` command lines, split as the shell would."""
    (job,) = _workflow(starter)["jobs"].values()  # type: ignore[attr-defined]
    runs = [step["run"] for step in job["steps"] if "run" in step]
    return [shlex.split(line) for run in runs for line in run.splitlines() if line.strip().startswith("tspdocs ")]


def test_the_shipped_pre_commit_hook_runs_check(starter: Path) -> None:
    config = yaml.safe_load((starter / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    (hook,) = [hook for repo in config["repos"] for hook in repo["hooks"]]
    assert hook["language"] == "system" and hook["pass_filenames"] is False
    command = shlex.split(hook["entry"])
    assert command[:2] == ["tspdocs", "check"]
    assert run_cli(starter, *command[1:]).code == 0
    (starter / "content/findings/f01-first-finding.md").write_text("---\nid: F01\n---\n", encoding="utf-8")
    assert run_cli(starter, *command[1:]).code == 1, "the hook stops a commit that breaks the project"


@pytest.mark.slow
def test_the_wheel_installs_a_tool_that_inits_builds_and_checks(tmp_path: Path) -> None:
    source = tmp_path / "source"  # a copy, so the build's own build/ and egg-info stay out of the checkout
    source.mkdir()
    for name in ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md"):
        shutil.copy2(REPO / name, source / name)
    for name in ("tspdocs", "assets", "templates"):
        shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(tmp_path / "dist")], check=True, capture_output=True, cwd=tmp_path)
    (wheel,) = (tmp_path / "dist").glob("tspdocs-*.whl")
    venv = tmp_path / "venv"
    # The test's own pip installs into the venv (`--python`): seeding the venv with a pip of its own would
    # triple this test's time. Its dependencies come from the system site-packages, tspdocs from the wheel.
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)], check=True)
    bin_dir = venv / ("Scripts" if sys.platform == "win32" else "bin")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(bin_dir / "python"), "install", "-q", "--no-deps",
                    str(wheel)], check=True, capture_output=True)
    work = tmp_path / "work"
    work.mkdir()
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path), "SOURCE_DATE_EPOCH": "1292457600"}
    where = subprocess.run([bin_dir / "python", "-c", "import tspdocs; print(tspdocs.__file__)"], cwd=work, env=env,
                           check=True, capture_output=True, text=True).stdout
    assert Path(where.strip()).is_relative_to(venv), f"tspdocs must come from the wheel, not {where}"

    def tspdocs(*args: str, cwd: Path) -> str:
        done = subprocess.run([bin_dir / "tspdocs", *args], cwd=cwd, env=env, capture_output=True, text=True)
        assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done.stdout

    tspdocs("init", "p", cwd=work)
    project = work / "p"
    outputs = [tspdocs(*command[1:], cwd=project) for command in _workflow_commands(project)]  # CI's lines
    assert outputs[0] == "" and "Built 2 documents (6 files" in outputs[1]
    assert tspdocs("check", "--strict", cwd=project).strip().endswith("0 errors, 0 warnings")
    cover = pdf_pages(project / "build/report/report.pdf")[0]
    assert "A new research project" in cover and "TSRC" not in cover
    assert (project / "build/briefings/policy/briefing-policy.docx").is_file()
