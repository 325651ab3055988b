"""Area briefings on a Dask cluster: the same bytes as the local pool, and clear errors when it cannot work."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import MINI_PROJECT, REPO, Mini
from test_batch import with_areas
from test_workflow import ONLY_MOJ

import tspdocs.commands.cluster as cluster
from tspdocs.errors import BuildError


def _outputs(root: Path) -> dict[str, bytes]:
    folder = root / "build/briefings"
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _readme_snippet() -> str:
    """Return the README's Python example of building on a cluster, exactly as printed there."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, re.DOTALL)
    (snippet,) = [block for block in blocks if "open_executor" in block]
    return snippet


@pytest.mark.slow
def test_a_dask_cluster_in_another_folder_builds_the_same_bytes_as_the_local_pool(
        mini: Mini, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    from distributed import LocalCluster

    with_areas(mini).write("content/project.yaml", MINI_PROJECT.replace(ONLY_MOJ, ""))  # `all` is dh alone
    formats = ("--format", "docx,html")  # PDFs' bytes are pinned by test_reproducible; here the cost is not worth it
    local = mini.run("brief", "--audience", "dh", "--by", "area", "-j", "2", *formats)
    assert local.code == 0, local.output + local.stderr
    expected = _outputs(mini.root)
    assert len([p for p in expected if p.endswith(".docx")]) == 2, "two areas"
    _clear(mini.root)
    monkeypatch.setenv("PYTHONPATH", str(REPO))  # the workers import this checkout's tspdocs
    monkeypatch.chdir(tmp_path_factory.mktemp("workers"))  # and start in a folder that is not the project
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as workers:
        address = workers.scheduler_address.removeprefix("tcp://")
        run = mini.run("brief", "--audience", "dh", "--by", "area", "--executor", f"dask://{address}", *formats)
        assert run.code == 0, run.output + run.stderr
        assert "Built 2 area briefings (4 files)" in run.output
        assert "Traceback" not in run.stderr and "CommClosedError" not in run.stderr
        assert _outputs(mini.root) == expected, "byte for byte what the local pool wrote"
        _clear(mini.root)
        monkeypatch.chdir(mini.root)  # the README's example, run as printed in a project, on this cluster
        exec(_readme_snippet().replace("dask://scheduler:8786", f"dask://{address}"), {})
    built = _outputs(mini.root)
    assert {k: v for k, v in built.items() if not k.endswith((".pdf", ".json"))} == \
        {k: v for k, v in expected.items() if not k.endswith(".json")}
    assert len([p for p in built if p.endswith(".pdf")]) == 2


def _clear(root: Path) -> None:
    for path in (root / "build/briefings").rglob("*"):
        if path.is_file():
            path.unlink()


def test_the_executor_must_be_a_dask_address_and_needs_by_area(mini: Mini) -> None:
    bad = mini.run("brief", "--audience", "dh", "--by", "area", "--executor", "redis://host:1")
    assert bad.code == 2 and "is not dask://HOST:PORT" in bad.stderr
    alone = mini.run("brief", "--audience", "dh", "--executor", "dask://host:8786")
    assert alone.code == 2 and "add --by area" in alone.stderr


def test_a_scheduler_that_does_not_answer_is_a_clear_error(mini: Mini, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cluster, "CONNECT_SECONDS", 1)
    run = with_areas(mini).run("brief", "--audience", "dh", "--by", "area", "--executor", "dask://127.0.0.1:9")
    assert run.code == 1 and "error [executor] cannot reach the Dask scheduler at 127.0.0.1:9" in run.stderr
    assert "Traceback" not in run.stderr and not mini.documents()


class Workers:
    """Stands in for a Dask client: runs the function each worker would run, on the paths they would see."""

    def __init__(self, seen: dict[str, str]) -> None:
        self.seen = seen

    def wait_for_workers(self, n: int, timeout: float) -> None:
        return None

    def run(self, function, root: str, expected: str) -> dict[str, str | None]:  # type: ignore[no-untyped-def]
        return {worker: function(path, expected) for worker, path in self.seen.items()}


def test_workers_that_cannot_see_the_project_are_named(mini: Mini, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "content").mkdir(parents=True)
    (elsewhere / "content/project.yaml").write_text("title: another project\n", encoding="utf-8")
    root = str(mini.root)
    cluster._check_workers(Workers({"tcp://10.0.0.1:1": root, "tcp://10.0.0.2:1": root}), mini.root)
    with pytest.raises(BuildError) as caught:
        cluster._check_workers(Workers({"tcp://10.0.0.1:1": root, "tcp://10.0.0.2:1": str(tmp_path / "missing"),
                                        "tcp://10.0.0.3:1": str(elsewhere)}), mini.root)
    (problem,) = caught.value.problems
    assert problem.code == "executor-project"
    assert re.match(rf"2 of 3 Dask workers cannot use the project at {re.escape(root)} \(tcp://10.0.0.2:1: "
                    r"cannot read .*missing/content/project.yaml: .*; tcp://10.0.0.3:1: .*elsewhere/content/"
                    r"project.yaml there differs from this one\); start the workers where", problem.message)


class OtherTspdocs(Workers):
    """Workers with another tspdocs installed: the function the check sends does not exist there."""

    def run(self, function, root: str, expected: str) -> dict[str, str | None]:  # type: ignore[no-untyped-def]
        raise ModuleNotFoundError("No module named 'tspdocs.commands.cluster'")


def test_workers_without_this_tspdocs_are_a_clear_error(mini: Mini) -> None:
    with pytest.raises(BuildError) as caught:
        cluster._check_workers(OtherTspdocs({}), mini.root)
    (problem,) = caught.value.problems
    assert problem.code == "executor" and "No module named 'tspdocs.commands.cluster'" in problem.message
    assert "install this tspdocs (0.1.0) on every worker" in problem.message
