"""Hostile and broken input (issue 18): no leak, no hang, no traceback.

Each test plays a contributor who puts something odd into the project — a
FIFO, a device link, a git filter, a CSL style with a remote parent, control
characters — and checks the promise: exit status 0 or 1, a `file:line` problem
with a code instead of a traceback, nothing read or run outside the project.
"""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from conftest import Mini, Run

TEMPLATE = "templates/reports/small.md.j2"


def assert_no_traceback(run: Run) -> None:
    exception = run.result.exception
    assert exception is None or isinstance(exception, SystemExit), f"tspdocs crashed: {exception!r}\n{run.output}"


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), "-c", "user.name=E", "-c", "user.email=e@example.org", *args],
                   check=True, capture_output=True)


# Git: no configurable command runs ----------------------------------------------------------------------


@pytest.mark.parametrize("how", ["clean", "process", "included", "required"])
def test_git_filters_configured_in_the_repository_do_not_run(mini: Mini, tmp_path: Path, how: str) -> None:
    marker = Path(f"/tmp/pwned-{uuid.uuid4().hex}")
    git(mini.root, "init", "-q")
    git(mini.root, "add", "-A")
    git(mini.root, "commit", "-q", "-m", "v1")
    git(mini.root, "tag", "v1")
    command = f"touch {marker}"
    if how == "included":
        (tmp_path / "evil.gitconfig").write_text(f"[filter \"evil\"]\n\tclean = {command}\n", encoding="utf-8")
        git(mini.root, "config", "include.path", str(tmp_path / "evil.gitconfig"))
    else:
        git(mini.root, "config", f"filter.evil.{'process' if how == 'process' else 'clean'}", command)
        if how == "required":
            git(mini.root, "config", "filter.evil.required", "true")
    (mini.root / ".git/info").mkdir(exist_ok=True)
    (mini.root / ".git/info/attributes").write_text("* filter=evil\n", encoding="utf-8")
    mini.write(".gitattributes", "* filter=evil\n")
    # Same size, new time: git must read the files again to tell whether they changed, through the filter.
    for path in (mini.root / "content").rglob("*"):
        os.utime(path, (time.time() + 5, time.time() + 5))
    try:
        run = mini.run("build", "report", "--format", "html")
        assert run.code == 0, run.output
        changes = mini.run("changes", "v1")
        assert_no_traceback(changes)
        assert not marker.exists(), "a build ran a filter the repository configured"
    finally:
        marker.unlink(missing_ok=True)
