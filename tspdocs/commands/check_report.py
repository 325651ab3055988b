"""Write `tspdocs check`'s findings for people and for CI: JSON, GitHub workflow annotations, or SARIF.

The JSON shape is documented in docs/check-output.schema.json. GitHub reads
`::error file=…,line=…::message` lines from a workflow's log and shows each
on the pull request's diff; SARIF 2.1.0 is what code-scanning tools take.
"""

from __future__ import annotations

import json

from .. import __version__
from ..errors import Problem

JSON_VERSION = 1
GITHUB_LEVELS = {"error": "error", "warning": "warning", "info": "notice"}
SARIF_LEVELS = {"error": "error", "warning": "warning", "info": "note"}
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def report_json(problems: list[Problem]) -> str:
    """Return the documented JSON shape: {version, problems: [...], counts: {error, warning, info}}."""
    counts = {"error": 0, "warning": 0, "info": 0}
    for problem in problems:
        counts[problem.severity.value] += 1
    return json.dumps({"version": JSON_VERSION, "problems": [p.as_dict() for p in problems], "counts": counts},
                      indent=2, ensure_ascii=False)


def report_github(problems: list[Problem]) -> str:
    """Return one workflow command a problem, so GitHub shows each at its file and line."""
    lines = []
    for problem in problems:
        loc = problem.location
        properties = [("title", f"tspdocs [{problem.code}]")]
        if loc is not None:
            properties.insert(0, ("file", loc.path))
            if loc.line is not None:
                properties.insert(1, ("line", str(loc.line)))
            if loc.col is not None:
                properties.insert(2, ("col", str(loc.col)))
        fields = ",".join(f"{name}={_escape(value, property_value=True)}" for name, value in properties)
        lines.append(f"::{GITHUB_LEVELS[problem.severity.value]} {fields}::{_escape(problem.full_message)}")
    return "\n".join(lines)


def _escape(text: str, *, property_value: bool = False) -> str:
    """Escape as GitHub's workflow commands require (and property values a little more)."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property_value else text


def report_sarif(problems: list[Problem]) -> str:
    """Return a SARIF 2.1.0 log with one result a problem and one rule a code."""
    rules = sorted({p.code for p in problems})
    results = []
    for problem in problems:
        result: dict[str, object] = {"ruleId": problem.code, "level": SARIF_LEVELS[problem.severity.value],
                                     "message": {"text": problem.full_message}}
        loc = problem.location
        if loc is not None:
            physical: dict[str, object] = {"artifactLocation": {"uri": loc.path}}
            if loc.line is not None:
                physical["region"] = {"startLine": loc.line, **({"startColumn": loc.col} if loc.col else {})}
            result["locations"] = [{"physicalLocation": physical}]
        results.append(result)
    driver = {"name": "tspdocs", "version": __version__, "rules": [{"id": rule} for rule in rules]}
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [{"tool": {"driver": driver}, "results": results}]}
    return json.dumps(log, indent=2, ensure_ascii=False)
