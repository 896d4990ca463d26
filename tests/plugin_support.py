"""Install a throwaway distribution with entry points, as `pip install` of a plugin would: a
`*.dist-info` folder holding `entry_points.txt` (and any module sources) in a folder put on sys.path."""

from __future__ import annotations

import contextlib
import hashlib
import sys
from pathlib import Path

from bot import plugins


@contextlib.contextmanager
def installed(folder: Path, entry_points: dict[str, dict[str, str]], modules: dict[str, str] | None = None):
    """`entry_points`: group -> {name: "module:attr"}; `modules`: module name -> source, written to `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    modules = modules or {}
    for name, source in modules.items():
        (folder / f"{name}.py").write_text(source, encoding="utf-8")
    dist = "helpbot_test_" + hashlib.sha1(str(folder).encode()).hexdigest()[:8]
    info = folder / f"{dist}-0.1.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n", encoding="utf-8")
    (info / "entry_points.txt").write_text("".join(
        f"[{group}]\n" + "".join(f"{name} = {target}\n" for name, target in eps.items()) + "\n"
        for group, eps in entry_points.items()), encoding="utf-8")
    sys.path.insert(0, str(folder))
    plugins.clear()
    try:
        yield
    finally:
        sys.path.remove(str(folder))
        for name in modules:
            sys.modules.pop(name, None)
        plugins.clear()
