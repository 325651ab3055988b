"""The editor's workflow: check, provenance, manifest, changes, scaffolding, output and incremental builds."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import docx
import jsonschema
import pytest
from conftest import MINI_DOCUMENTS, MINI_PROJECT, REPO, Mini, copy_project, run_cli
from helpers import pdf_pages

ONLY_MOJ = "  moj: {name: Ministry of Justice, short_name: MoJ, select: {sectors: justice}}\n"


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True).stdout


def committed(root: Path) -> Path:
    git(root, "init", "-q")
    git(root, "-c", "user.name=Editor", "-c", "user.email=e@example.org", "add", "-A")
    git(root, "-c", "user.name=Editor", "-c", "user.email=e@example.org", "commit", "-q", "-m", "v1")
    return root


def test_check_passes_on_the_shipped_content(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "p")
    run = run_cli(root, "check")
    assert run.code == 0, run.output
    assert " error [" not in run.output
    assert run.output.strip().endswith("0 errors, 0 warnings, 2 notes")  # two drafts waiting for approval
    assert run_cli(root, "check", "--strict").code == 0  # a strict CI gate passes from the first commit


CHECKS = [
    # (name, how to break the mini project, expected "file:line" prefix, code, severity)
    ("orphan-finding", lambda m: (m.finding("F02", "A justice finding", sectors="[justice]"),
                                  m.write("content/project.yaml", MINI_PROJECT.replace(ONLY_MOJ, "")),
                                  m.write("content/documents.yaml", MINI_DOCUMENTS.replace(
                                      "    date: 2010-06-30\n", "    date: 2010-06-30\n"
                                      "    findings: {where: {sectors: health}}\n"))),
     "content/findings/f02.md:2", "orphan-finding", "warning"),
    ("no-evidence", lambda m: None, "content/project.yaml:14", "no-evidence", "warning"),
    ("draft-selected", lambda m: m.finding("F02", "A draft on health", status="draft"),
     "content/findings/f02.md:7", "draft-selected", "info"),
    ("typed-number", lambda m: m.finding("F01", "Health partnerships help", body="Some 61% agreed."),
     "content/findings/f01.md:12:6", "typed-number", "warning"),
    ("long-sentence", lambda m: m.finding("F01", "Health partnerships help",
                                          body="This sentence " + "goes on and on " * 8 + "until it ends."),
     "content/findings/f01.md:12:1", "long-sentence", "warning"),
    ("avoid-word", lambda m: m.finding("F01", "Health partnerships help", body="We will leverage partners."),
     "content/findings/f01.md:12", "avoid-word", "warning"),
    ("acronym", lambda m: m.finding("F01", "Health partnerships help", body="The ICB agreed."),
     "content/findings/f01.md:12", "acronym", "warning"),
    ("unknown-label", lambda m: m.finding("F01", "Health partnerships help", body="See @fig:none."),
     "content/findings/f01.md:12", "unknown-label", "error"),
    ("alt-text", lambda m: m.finding("F01", "Health partnerships help", body="![](pic.png)"),
     "content/findings/f01.md:12", "alt-text", "error"),
    ("heading-order", lambda m: m.finding("F01", "Health partnerships help", body="## Part\n\n#### Too deep\n\nMore."),
     "content/findings/f01.md:14", "heading-order", "error"),
    ("over-budget", lambda m: (m.write("content/documents.yaml", (m.root / "content/documents.yaml").read_text()
                                       + "  budget: {words: 100}\n"),
                               m.finding("F01", "Health partnerships help", body="Word " * 200)),
     "content/documents.yaml:8", "over-budget", "error"),
]


@pytest.mark.parametrize(("name", "breaks", "where", "code", "severity"), CHECKS, ids=[c[0] for c in CHECKS])
def test_check_reports_each_problem_at_its_place(mini: Mini, name: str, breaks, where: str, code: str,  # type: ignore[no-untyped-def]
                                                 severity: str) -> None:
    breaks(mini)
    run = mini.run("check")
    expected = f"{where}: {severity} [{code}]" if where.count(":") >= 2 else f"{where}"
    lines = [line for line in run.output.splitlines() if f"[{code}]" in line]
    assert lines and any(line.startswith(expected) for line in lines), run.output
    assert run.code == (1 if severity == "error" else 0)
    assert not (mini.root / "build").exists(), "check renders nothing"


def test_strict_turns_warnings_into_failure(mini: Mini) -> None:
    mini.finding("F02", "A justice finding", sectors="[justice]")
    assert mini.run("check").code == 0
    assert mini.run("check", "--strict").code == 1


def test_check_json_follows_its_documented_schema(mini: Mini) -> None:
    mini.finding("F02", "A draft on health", status="draft", body="See @tbl:none.")
    run = mini.run("check", "--format", "json")
    report = json.loads(run.stdout)
    jsonschema.validate(report, json.loads((REPO / "docs/check-output.schema.json").read_text()))
    assert report["counts"]["error"] == 1 and report["counts"]["warning"] >= 1
    assert run.code == 1


def test_outputs_carry_the_commit_and_draft_mark(mini: Mini) -> None:
    root = committed(mini.root)
    commit = git(root, "log", "-1", "--format=%h").strip()
    assert mini.run("build", "report").code == 0
    pdf = " ".join(pdf_pages(root / "build/report/report.pdf"))
    html = (root / "build/report/report.html").read_text(encoding="utf-8")
    props = docx.Document(str(root / "build/report/report.docx")).core_properties
    assert commit in pdf and commit in html and commit in props.comments
    assert "DRAFT" not in pdf and "Draft: not for circulation" not in html
    mini.finding("F02", "A draft on health", status="draft")
    git(root, "-c", "user.name=E", "-c", "user.email=e@x", "add", "-A")
    git(root, "-c", "user.name=E", "-c", "user.email=e@x", "commit", "-q", "-m", "draft")
    assert mini.run("build", "report", "--include-drafts").code == 0
    assert "Draft: not for circulation" in (root / "build/report/report.html").read_text(encoding="utf-8")


def test_dirty_tree_is_marked_draft(mini: Mini) -> None:
    root = committed(mini.root)
    mini.finding("F01", "Health partnerships help", body="Changed but not committed.")
    assert mini.run("build", "report", "--format", "html").code == 0
    html = (root / "build/report/report.html").read_text(encoding="utf-8")
    assert "(with uncommitted changes)" in html and "Draft: not for circulation" in html


def test_a_forced_build_reads_the_version_beside_its_imports_and_still_carries_it(mini: Mini) -> None:
    """`--force` reads git in a thread while the build imports: the version must still reach every output."""
    root = committed(mini.root)
    commit = git(root, "log", "-1", "--format=%h").strip()
    mini.finding("F01", "Health partnerships help", body="Changed but not committed.")
    assert mini.run("build", "report", "--format", "docx", "--force").code == 0
    comments = docx.Document(str(root / "build/report/report.docx")).core_properties.comments
    assert f"Version {commit} of " in comments and "(with uncommitted changes)" in comments
    manifest = json.loads((root / "build/manifest.json").read_text(encoding="utf-8"))
    assert manifest["provenance"] == comments


def test_manifest_lists_inputs_and_outputs_with_hashes(mini: Mini) -> None:
    import hashlib

    assert mini.run("build", "report", "--format", "html,docx").code == 0
    manifest = json.loads((mini.root / "build/manifest.json").read_text())
    finding = next(i for i in manifest["inputs"] if i["path"] == "content/findings/f01.md")
    assert finding["sha256"] == hashlib.sha256((mini.root / finding["path"]).read_bytes()).hexdigest()
    outputs = {o["path"]: o for o in manifest["outputs"]}
    assert set(outputs) == {"build/report/report.html", "build/report/report.docx"}
    for path, output in outputs.items():
        assert output["sha256"] == hashlib.sha256((mini.root / path).read_bytes()).hexdigest()


def test_changes_lists_added_changed_and_removed_findings(mini: Mini) -> None:
    mini.finding("F02", "Going away")
    root = committed(mini.root)
    git(root, "tag", "v1")
    mini.finding("F01", "Health partnerships help", status="reviewed", body="New text.")
    (root / "content/findings/f02.md").unlink()
    mini.finding("F03", "Brand new")
    run = mini.run("changes", "v1")
    assert run.code == 0
    lines = run.output.splitlines()
    assert any(line.startswith("changed") and "F01" in line and "status: approved → reviewed" in line
               and "text" in line for line in lines)
    assert any(line.startswith("removed") and "F02" in line for line in lines)
    assert any(line.startswith("added") and "F03" in line for line in lines)
    assert mini.run("changes", "no-such-tag").code == 1


def test_new_finding_gets_the_next_id_and_is_valid(mini: Mini) -> None:
    run = mini.run("new", "finding", "--question", "RQ2", "--sector", "health", "--title", "Clinics got busier")
    assert run.code == 0
    path = mini.root / run.output.split()[-1]
    assert path.name == "f02-clinics-got-busier.md"
    assert "id: F02" in path.read_text() and "status: draft" in path.read_text()
    assert mini.run("check").code == 0
    assert mini.run("new", "finding", "--question", "RQ9", "--sector", "health").code == 1
    assert len(list((mini.root / "content/findings").iterdir())) == 2, "a refused finding leaves no file"


def test_init_creates_a_project_that_builds_at_once(tmp_path: Path) -> None:
    run = run_cli(tmp_path, "init", "fresh")
    assert run.code == 0
    root = tmp_path / "fresh"
    assert run_cli(root, "build").code == 0
    assert (root / "build/report/report.pdf").is_file()
    assert (root / "build/briefings/policy/briefing-policy.docx").is_file()
    assert run_cli(tmp_path, "init", "fresh").code == 1, "refuses a folder that is not empty"


def test_quiet_verbose_and_plain_output(mini: Mini) -> None:
    quiet = mini.run("-q", "build", "report", "--format", "html")
    assert quiet.code == 0 and quiet.output == ""
    assert "Up to date" not in mini.run("build", "report", "--format", "html", "-q").output
    mini.finding("F01", "Health partnerships help", body="Edited.")
    verbose = mini.run("build", "all", "--format", "html", "-v")
    assert "wrote build/report/report.html" in verbose.output
    assert "Built 3 documents" in verbose.output
    assert "\x1b[" not in verbose.output, "no colour when the output is not a terminal"


def _stamps(root: Path) -> dict[str, tuple[int, bytes]]:
    return {p.relative_to(root).as_posix(): (p.stat().st_mtime_ns, p.read_bytes())
            for p in (root / "build").rglob("*") if p.suffix in (".pdf", ".docx", ".html")}


def test_incremental_build_rebuilds_only_documents_that_include_the_change(mini: Mini) -> None:
    mini.finding("F02", "Justice partnerships cut reoffending", sectors="[justice]")
    assert mini.run("build", "all", "--format", "html,docx").code == 0
    before = _stamps(mini.root)
    again = mini.run("build", "all", "--format", "html,docx")
    assert again.code == 0 and "Up to date" in again.output
    assert _stamps(mini.root) == before
    mini.finding("F02", "Justice partnerships cut reoffending", sectors="[justice]", body="Edited text.")
    assert mini.run("build", "all", "--format", "html,docx").code == 0
    after = _stamps(mini.root)
    changed = {path for path in after if after[path] != before[path]}
    assert changed == {"build/report/report.html", "build/report/report.docx",
                       "build/briefings/moj/briefing-moj.html", "build/briefings/moj/briefing-moj.docx"}
    forced = mini.run("build", "all", "--format", "html,docx", "--force")
    assert "Built 3 documents" in forced.output


def test_up_to_date_build_imports_neither_weasyprint_nor_pandas(mini: Mini) -> None:
    assert mini.run("build", "all", "--format", "html").code == 0
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "tspdocs", "build", "all", "--format", "html"],
                            cwd=mini.root, capture_output=True, text=True, check=True)
    assert "Up to date" in result.stdout
    imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines() if "|" in line}
    assert not {"weasyprint", "pandas", "matplotlib", "docx", "pydantic"} & imported


def test_names_match_whatever_the_case_and_suggest_transpositions(mini: Mini) -> None:
    listed = mini.run("list").output
    assert "briefing-dh" in listed
    assert mini.run("build", "briefing-dh", "--format", "html").code == 0
    assert mini.run("brief", "--audience", "DH", "--format", "html").code == 0
    wrong = mini.run("brief", "--audience", "hd", "--format", "html")
    assert wrong.code == 2 and "unknown audience 'hd'; did you mean 'dh'?" in wrong.stderr
    assert mini.run("build", "REPORT", "--format", "html").code == 0


def test_no_color_and_plurals(mini: Mini, monkeypatch: pytest.MonkeyPatch) -> None:
    from tspdocs import console

    monkeypatch.setenv("NO_COLOR", "1")
    assert console._styled("x", fg="red") == "x"
    monkeypatch.delenv("NO_COLOR")
    assert console._styled("x", fg="red") != "x"
    run = mini.run("build", "report", "--format", "html")
    assert "Built 1 document (1 file," in run.output


def test_help_shows_each_command_summary_whole() -> None:
    from click.testing import CliRunner

    from tspdocs.cli import main

    text = " ".join(CliRunner().invoke(main, ["--help"]).output.split())
    assert "Build the policy briefing for an audience into build/briefings/AUDIENCE/." in text
    assert "(a tag, branch or commit)" in text


def test_check_speaks_to_ci_as_github_annotations_and_sarif(mini: Mini) -> None:
    mini.finding("F01", "Health partnerships help", body="See @tbl:nowhere, 100% sure: a, b.")
    github = mini.run("check", "--format", "github")
    assert github.code == 1
    line = next(text for text in github.stdout.splitlines() if "unknown-label" in text)
    assert line.startswith("::error file=content/findings/f01.md,line=12,")
    assert "title=tspdocs [unknown-label]::" in line
    sarif = json.loads(mini.run("check", "--format", "sarif").stdout)
    assert sarif["version"] == "2.1.0"
    (run,) = sarif["runs"]
    result = next(r for r in run["results"] if r["ruleId"] == "unknown-label")
    assert result["level"] == "error"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "content/findings/f01.md" and location["region"]["startLine"] == 12
    assert {rule["id"] for rule in run["tool"]["driver"]["rules"]} == {r["ruleId"] for r in run["results"]}
