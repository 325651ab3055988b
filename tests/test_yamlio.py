"""YAML is read by the 1.2 core schema, with lines, and refuses what makes files mean something hidden."""

import pytest

from tspdocs.errors import BuildError
from tspdocs.project.yamlio import line_at, load_yaml


def test_yaml_1_1_surprises_stay_as_written() -> None:
    data = load_yaml("a: NO\nb: 1:20\nc: on\nd: true\ne: 1.10\nf: 2010-07-31\n", "x.yaml")
    assert data == {"a": "NO", "b": "1:20", "c": "on", "d": True, "e": 1.1, "f": "2010-07-31"}


def test_lines_of_keys_and_items() -> None:
    data = load_yaml("a:\n  b: 1\nlist:\n  - x\n  - y\n", "x.yaml", first_line=10)
    assert line_at(data, ["a", "b"]) == 11
    assert line_at(data, ["list", 1]) == 14
    assert line_at(data, ["missing"]) == 10


@pytest.mark.parametrize(("text", "code", "line"), [
    ("a: 1\nb: 2\na: 3\n", "duplicate-key", 3),
    ("a: &x 1\nb: *x\n", "yaml", 1),
    ("a: !!python/object:os.system x\n", "yaml", 1),
    ("a: [1, 2\n", "yaml", 2),
    ("a: 1\n---\nb: 2\n", "yaml", 2),
])
def test_refused_yaml_names_the_line(text: str, code: str, line: int) -> None:
    with pytest.raises(BuildError) as caught:
        load_yaml(text, "x.yaml")
    problem = caught.value.problems[0]
    assert (problem.code, problem.location.path, problem.location.line) == (code, "x.yaml", line)


@pytest.mark.parametrize(("text", "message"), [
    ("a: x\t y\n", "YAML syntax: found character '\\t' that cannot start any token"),
    ("a: [b?c]\n", "YAML syntax: expected ',' or ']', but got '?'"),
])
def test_yaml_libyaml_would_read_is_refused_as_pyyaml_refuses_it(text: str, message: str) -> None:
    """libyaml reads these; the Python parser, whose verdict tspdocs has always given, refuses them."""
    with pytest.raises(BuildError) as caught:
        load_yaml(text, "x.yaml")
    assert caught.value.problems[0].message == message


def test_a_byte_order_mark_past_the_start_stays_part_of_the_key() -> None:
    assert load_yaml("a: 1\n\ufeffb: 2\n", "x.yaml") == {"a": 1, "\ufeffb": 2}
