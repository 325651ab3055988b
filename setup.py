"""Put the house style into the wheel, so `tspdocs init` works from an installed tspdocs.

The house style (fonts, print and screen styles, the reference DOCX, the page layout) has one copy in
the repository: the shipped project's `assets/` and `templates/layouts/`. setuptools' package data
cannot reach outside the package, so `build_py` copies those files into `tspdocs/house/` of the build;
an editable install reads them from the checkout instead (`tspdocs/commands/scaffold.py`). The shipped
project's logo stays out: a new project gets the starter's placeholder.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
HOUSE_STYLE = ("assets/fonts", "assets/styles", "assets/reference.docx", "templates/layouts")


class BuildWithHouseStyle(build_py):
    """The usual build_py, then the house style copied into the package."""

    def run(self) -> None:
        super().run()
        house = Path(self.build_lib) / "tspdocs" / "house"
        for relative in HOUSE_STYLE:
            source, target = HERE / relative, house / relative
            if source.is_dir():
                shutil.copytree(source, target, dirs_exist_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)


setup(cmdclass={"build_py": BuildWithHouseStyle})
