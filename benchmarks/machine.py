"""The machine line every benchmark prints with its figures."""

from __future__ import annotations

import os
import platform
from importlib.metadata import PackageNotFoundError, version


def describe(*packages: str) -> str:
    """"2 cores, AMD EPYC ..., load 1.20, Python 3.11.7, slack-bolt 1.x": cores, CPU model, load
    average, Python, and the versions of `packages`."""
    cpu = platform.processor() or platform.machine() or "unknown CPU"
    try:
        cpu = next(ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo") if ln.startswith("model name"))
    except (OSError, StopIteration):
        pass
    load = f", load {os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else ""
    parts = [f"{os.cpu_count()} cores, {cpu}{load}, Python {platform.python_version()}"]
    for name in packages:
        try:
            parts.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            parts.append(f"{name} not installed")
    return ", ".join(parts)
