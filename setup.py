"""Build hook: ship the top-level `assets/` folder inside the wheel as `dashboard/assets`.

Everything else about the package is declared in pyproject.toml.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPyWithAssets(build_py):
    """Copies `assets/` (CSS, fonts, map data served by Dash) next to the `dashboard` package."""

    def run(self) -> None:
        super().run()
        if not self.editable_mode:
            target = Path(self.build_lib) / "dashboard" / "assets"
            shutil.copytree(Path(__file__).parent / "assets", target, dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildPyWithAssets})
