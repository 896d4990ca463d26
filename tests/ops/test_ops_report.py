"""The HTML report: self-contained, escaped, and rendered for real in headless Chromium."""

from __future__ import annotations

import datetime as dt
import re
import struct
import subprocess
import zlib
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from bot.core.audit import AuditLog
from bot.cli import main
from bot.ops.report import render_report
from bot.ops.stats import compute_stats
from bot.ops.svg import nice_scale
from bot.guard.stage import redact_for_log
from ops_helpers import seed_audit

CHROMIUM = Path("/usr/bin/chromium")
NOW = dt.datetime(2025, 3, 20, 12, 0, tzinfo=dt.timezone.utc)
HOSTILE = "<script>alert('x')</script> how do I export?"


@pytest.fixture(scope="module")
def stats(tmp_path_factory, embedder):
    audit = AuditLog(tmp_path_factory.mktemp("report") / "helpbot.db", redact_for_log)
    seed_audit(audit.db, days=14, per_day=30, now=NOW)
    audit.db["audit"].insert({**_unknown_row(audit), "text_redacted": HOSTILE})
    return compute_stats(audit.db, 30, embedder, gap_limit=20, now=NOW)


def _unknown_row(audit) -> dict:
    cursor = audit.db.execute("select * from audit where route = 'unknown' limit 1")
    names = [d[0] for d in cursor.description]
    row = dict(zip(names, cursor.fetchone()))
    row.pop("id")
    return row


def test_page_is_self_contained_and_escaped(stats):
    page = render_report(stats, now=NOW)
    assert page.startswith("<!doctype html>") and page.rstrip().endswith("</html>")
    assert page.count("<svg") == 3
    lowered = page.lower()
    for external in ("<script", "<link", "<img", "<iframe", "http://", "https://", "@import", "url("):
        assert external not in lowered, external
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "Routes over time" in page and "Latency" in page and "Coverage gaps" in page
    # one bar segment per (day, route) with messages, each with a tooltip
    segments = sum(1 for d in stats["daily"] for n in d["routes"].values() if n)
    assert len(re.findall(r"<rect [^>]*><title>", page)) == segments


def test_nice_axis_scale():
    assert nice_scale(0) == (1.0, 4)
    assert nice_scale(30) == (30, 3)
    assert nice_scale(31) == (40, 4)
    assert nice_scale(383) == (400, 4)
    for value in (0.3, 7, 12, 99, 1234):
        top, steps = nice_scale(value)
        assert top >= value and steps >= 3


def test_report_command_writes_the_file(tmp_path, isolated_env):
    from bot.config import load_settings
    from bot.paths import audit_path

    seed_audit(AuditLog(audit_path(load_settings()), redact_for_log).db, days=5, per_day=10)
    out = tmp_path / "r.html"
    result = CliRunner().invoke(main, ["report", "--out", str(out), "--days", "10"])
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output and "50 messages" in result.output
    assert "<svg" in out.read_text(encoding="utf-8")


def png_pixels(path: Path) -> np.ndarray:
    """Decode an 8-bit RGB/RGBA PNG (what Chromium writes) into an (h, w, channels) array."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        chunk = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    width, height, depth, color, _, _, interlace = header
    assert depth == 8 and color in (2, 6) and interlace == 0
    bpp = 3 if color == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    out = np.zeros((height, stride), dtype=np.uint8)
    prev = bytearray(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        if kind == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif kind == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev))
        elif kind == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
        elif kind == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b, c = prev[i], prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        out[y] = np.frombuffer(bytes(line), dtype=np.uint8)
        prev = line
    return out.reshape(height, width, bpp)


@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed")
def test_report_renders_in_headless_chromium(stats, tmp_path):
    page = tmp_path / "report.html"
    page.write_text(render_report(stats, now=NOW), encoding="utf-8")
    shot = tmp_path / "report.png"
    subprocess.run(
        [
            str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={shot}", "--window-size=1200,1600", page.as_uri(),
        ],
        check=True, capture_output=True, timeout=120,
    )
    assert shot.exists() and shot.stat().st_size > 20_000
    pixels = png_pixels(shot)
    assert pixels.shape[:2] == (1600, 1200)
    colours = {tuple(p) for p in pixels[::4, ::4, :3].reshape(-1, 3)}
    assert len(colours) > 50, "the screenshot is (nearly) one colour"
    # The route colours of the charts are on screen: answer green and block red.
    flat = pixels[:, :, :3].reshape(-1, 3)
    for rgb in ((0x2E, 0x7D, 0x32), (0xC6, 0x28, 0x28)):
        assert (np.abs(flat.astype(int) - rgb).sum(axis=1) < 12).sum() > 500, rgb
