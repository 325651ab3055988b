"""Work limits and failing machinery (issue 18): a template that would loop for hours, or write gigabytes,
stops at its line; a PDF worker that dies is an error, not a build that waits for ever."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO, Mini
from test_batch import with_areas
from test_linear import hang_guard

from tspdocs.assemble import templating

TEMPLATE = "templates/reports/small.md.j2"


@pytest.mark.parametrize(("body", "line", "says"), [
    ("{% for i in range(100000) %}\n{% for j in range(100000) %}\n{% endfor %}\n{% endfor %}\n", 4,
     "loops ran more than 1,000,000 steps"),
    ("{% for i in range(100000) %}\n{{ 'x' * 1000 }}\n{% endfor %}\n", 4, "the output grew past"),
    ("{{ 'x' * 10 ** 9 }}\n", 3, "a repetition of 1,000,000,000 items is too large"),
    ("{{ 10 ** 100000000 }}\n", 3, "10 ** 100000000 is too large a number"),
], ids=["nested loops", "output", "repetition", "power"])
def test_a_template_past_a_work_limit_stops_at_its_line(mini: Mini, body: str, line: int, says: str) -> None:
    mini.write(TEMPLATE, "# Report\n\n" + body)
    with hang_guard(60):
        run = mini.run("build", "report", "--format", "html")
    assert run.code == 1, run.output
    assert f"{TEMPLATE}:{line}: error [template-limit] template stopped: {says}" in run.stderr, run.stderr
    assert "Traceback" not in run.output
    assert not mini.documents()


def test_loops_and_arithmetic_within_the_limits_render(mini: Mini, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(templating, "MAX_LOOP_STEPS", 14)  # 3 + 9 + 2: the recursive calls are not counted
    mini.write(TEMPLATE, "# Report\n\n{% for i in range(3) %}{% for j in range(3) %}{{ i * j }}{% endfor %}"
                         "{% endfor %} {{ 'ab' * 2 }} {{ 2 ** 10 }}"
                         "{% for x in [[1, [2]], [3]] recursive %}{% if x is iterable %}{{ loop(x) }}"
                         "{% else %}<{{ x }}>{% endif %}{% endfor %}\n")
    run = mini.run("build", "report", "--format", "html")
    assert run.code == 0, run.output
    html = (mini.root / "build/report/report.html").read_text(encoding="utf-8")
    assert "000012024 abab 1024&lt;1&gt;&lt;2&gt;&lt;3&gt;" in html


def test_the_loop_budget_counts_every_step_of_a_render(mini: Mini, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(templating, "MAX_LOOP_STEPS", 11)  # 3 outer + 9 inner steps: one too many
    mini.write(TEMPLATE, "# Report\n\n{% for i in range(3) %}\n{% for j in range(3) %}{{ j }}{% endfor %}\n"
                         "{% endfor %}\n")
    run = mini.run("build", "report", "--format", "html")
    assert run.code == 1, run.output
    assert f"{TEMPLATE}:4: error [template-limit]" in run.stderr, run.stderr


# A PDF worker that dies ---------------------------------------------------------------------------------

DYING_WORKER = """\
import os, signal, sys
from tspdocs.commands import render
real = render.get_writer


def get_writer(fmt):
    if fmt != "pdf":
        return real(fmt)
    def die(doc, ctx):  # as the kernel's OOM killer would: no exception, no clean-up, the process is gone
        os.kill(os.getpid(), signal.SIGKILL)
    return die


render.get_writer = get_writer  # inherited by the workers, which are forked from this process
sys.argv = ["tspdocs", *sys.argv[1:]]
from tspdocs.cli import run
run()
"""


DYING_BATCH_WORKER = """\
import os, signal, sys
from tspdocs.commands import batch


def build_chunk(chunk):
    os.kill(os.getpid(), signal.SIGKILL)


batch.build_chunk = build_chunk  # the pool's workers are forked from this process and run it
sys.argv = ["tspdocs", *sys.argv[1:]]
from tspdocs.cli import run
run()
"""


@pytest.mark.slow
@pytest.mark.parametrize(("script", "args", "says"), [
    (DYING_WORKER, ["build", "report", "--format", "pdf,html", "--jobs", "1"],
     "error [worker] the worker laying out the PDF of 'report' stopped before it finished (killed, or out of memory?)"),
    (DYING_BATCH_WORKER, ["brief", "--audience", "dh", "--by", "area", "--format", "html", "--jobs", "2"],
     "error [worker] a worker building area briefings stopped before it finished (killed, or out of memory?)"),
], ids=["pdf", "area briefings"])
def test_a_worker_that_dies_is_a_clear_error_not_a_hang(mini: Mini, script: str, args: list[str], says: str) -> None:
    with_areas(mini)
    env = {**os.environ, "PYTHONPATH": f"{REPO}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    try:
        result = subprocess.run([sys.executable, "-c", script, *args], cwd=mini.root, env=env,
                                capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        pytest.fail("the build waited for a worker that had died")
    assert result.returncode == 1, result.stdout + result.stderr
    assert says in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert not mini.documents()


def _children(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _maps(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return ""


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux's /proc")
def test_the_workers_end_with_a_build_that_is_killed(mini: Mini) -> None:
    """A worker outliving its build would hold the build's stdout open: whoever reads it would wait for ever."""
    env = {**os.environ, "PYTHONPATH": f"{REPO}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    build = subprocess.Popen([sys.executable, "-m", "tspdocs", "build", "report", "--format", "pdf", "--jobs", "1"],
                             cwd=mini.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        with hang_guard(60):  # until a worker has loaded WeasyPrint (its Pango library) and so is at work
            while not any("libpango" in _maps(child) for child in _children(build.pid)):
                time.sleep(0.05)
        build.kill()  # as the OOM killer or a CI timeout would
        try:
            build.communicate(timeout=30)  # returns once every process holding the pipes has ended
        except subprocess.TimeoutExpired:
            pytest.fail("a PDF worker outlived the build it worked for")
    finally:
        build.kill()
        build.wait()


@pytest.mark.slow
def test_a_build_that_stops_on_a_mistake_leaves_no_worker_behind(mini: Mini) -> None:
    (mini.root / "assets/styles/print.css").write_text('body { background: url("file:///etc/hostname") }\n',
                                                       encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": f"{REPO}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    try:  # capture_output waits until every process holding stdout and stderr has ended, workers included
        result = subprocess.run([sys.executable, "-m", "tspdocs", "build", "report", "--format", "pdf", "--jobs", "1"],
                                cwd=mini.root, env=env, capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("a PDF worker outlived the build it worked for")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "assets/styles/print.css:1: error [outside-project]" in result.stderr, result.stderr
