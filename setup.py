"""Ship the sample knowledge base inside the wheel as `bot/sample_knowledge` (content, not code)."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithKnowledge(build_py):
    def run(self):
        super().run()
        source = Path(__file__).parent / "knowledge"
        target = Path(self.build_lib) / "bot" / "sample_knowledge"
        if source.is_dir():
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(source, target)


setup(cmdclass={"build_py": BuildWithKnowledge})
