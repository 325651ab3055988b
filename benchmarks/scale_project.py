"""Make a long report from the shipped project: every finding copied N more times, for the scale rows.

    python benchmarks/scale_project.py PROJECT COPIES

Each copy gets its own id (copy c of F02 is F(100 + 20(c - 1) + 2): ids have three digits, so at most 45
copies) and its own table and figure labels; references in
its text still point at the original's, which exist. The final report takes every approved finding, so
it grows by about 10 pages a copy while the rest of the report (cover, contents, references) stays.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path


def scale(project: Path, copies: int) -> None:
    findings = project / "content/findings"
    for source in sorted(findings.glob("*.md")):
        text = source.read_text(encoding="utf-8")
        for copy in range(1, copies + 1):
            number = 100 + 20 * (copy - 1) + int(re.search(r"^id: F(\d+)$", text, flags=re.M)[1])  # type: ignore[index]
            renamed = re.sub(r"^id: F\d+$", f"id: F{number}", text, count=1, flags=re.M)
            renamed = re.sub(r"^(\s*label: )(\S+)$", rf"\g<1>\g<2>-copy{copy}", renamed, flags=re.M)
            (findings / f"{source.stem}-copy{copy}.md").write_text(renamed, encoding="utf-8")


if __name__ == "__main__":
    scale(Path(sys.argv[1]), int(sys.argv[2]))
