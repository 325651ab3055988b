"""Shell completion: document and audience names come from the project, through click's completion API."""

from __future__ import annotations

import pytest
from click.shell_completion import ShellComplete
from click.testing import CliRunner
from conftest import Mini

from tspdocs.cli import main


def _complete(args: list[str], incomplete: str) -> list[str]:
    completion = ShellComplete(main, {}, "tspdocs", "_TSPDOCS_COMPLETE")
    return [item.value for item in completion.get_completions(args, incomplete)]


def test_documents_and_audiences_complete_from_the_project(mini: Mini, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(mini.root)
    assert _complete(["build"], "") == ["all", "report", "briefing-dh", "briefing-moj"]
    assert _complete(["build", "report"], "BRI") == ["briefing-dh", "briefing-moj"], "any case, as names match"
    assert _complete(["serve"], "") == ["report", "briefing-dh", "briefing-moj"], "serve previews one document"
    assert _complete(["brief", "--audience"], "") == ["all", "dh", "moj"]
    assert _complete(["serve", "--audience"], "m") == ["moj"]


def test_completion_reads_the_project_named_on_the_line(mini: Mini, tmp_path_factory: pytest.TempPathFactory,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path_factory.mktemp("elsewhere"))
    assert _complete(["build"], "") == [], "no project here: nothing to offer, and no error in the shell"
    assert _complete(["brief", "--project", str(mini.root), "-a"], "d") == ["dh"]
    mini.write("content/project.yaml", "title: [broken\n")
    assert _complete(["brief", "--project", str(mini.root), "-a"], "") == [], "a broken project offers nothing"


def test_the_documented_environment_variable_drives_completion(mini: Mini, monkeypatch: pytest.MonkeyPatch) -> None:
    """`_TSPDOCS_COMPLETE`, the variable the README's `eval` lines set: click derives it from the name `tspdocs`."""
    monkeypatch.chdir(mini.root)
    runner = CliRunner()
    script = runner.invoke(main, [], prog_name="tspdocs", env={"_TSPDOCS_COMPLETE": "bash_source"})
    assert "complete -o nosort -F _tspdocs_completion tspdocs" in script.output
    env = {"_TSPDOCS_COMPLETE": "bash_complete", "COMP_WORDS": "tspdocs brief --audience ", "COMP_CWORD": "3"}
    answer = runner.invoke(main, [], prog_name="tspdocs", env=env)
    assert answer.output.split() == ["plain,all", "plain,dh", "plain,moj"]
