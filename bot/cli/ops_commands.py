"""Operations commands: reload (a running bot), stats, report, purge, export."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import urllib.error
import urllib.request

import click

from bot import strings
from bot.cli.app import friendly_errors, main, settings_from
from bot.errors import HelpbotError


@contextlib.contextmanager
def _store(settings):
    """The database the settings name (SQLite file or PostgreSQL), closed afterwards."""
    from bot.core.store import open_store

    store = open_store(settings)
    try:
        yield store
    finally:
        store.close()


def _embedder(settings):
    from bot.search.embeddings import get_embedder

    e = settings.embedding
    return get_embedder(e["model"], e["device"] or None, e["batch_size"])


def post_reload(url: str, token: str, dry_run: bool, timeout: float = 600) -> tuple[int, dict]:
    """POST to a running bot's /admin/reload. Returns (HTTP status, JSON body)."""
    body = json.dumps({"dry_run": dry_run, "who": os.environ.get("USER", "cli")}).encode()
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - URL from the admin
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        try:
            return exc.code, json.loads(exc.read() or b"{}")
        except ValueError:
            return exc.code, {"error": exc.reason}
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise HelpbotError(f"no helpbot answered at {url} ({reason}): is `helpbot serve` running? Pass --url otherwise") from None


@main.command()
@click.option("--dry-run", is_flag=True, help="Only show what would change (FAQ entries, doc sections, thresholds).")
@click.option("--url", default=None, help="The bot's admin endpoint (default: http://[ops] host:port/admin/reload).")
@click.option("--pid", type=int, default=None, help="Send SIGHUP to this process instead of using HTTP.")
@click.pass_context
@friendly_errors
def reload(ctx, dry_run, url, pid):
    """Tell a running bot to reload its knowledge folder (validated first; the old one serves until the swap)."""
    if pid is not None:
        if dry_run:
            raise HelpbotError("--dry-run needs the HTTP endpoint (a signal cannot return the diff); drop --pid")
        try:
            os.kill(pid, signal.SIGHUP)
        except (ProcessLookupError, PermissionError) as exc:
            raise HelpbotError(f"cannot signal process {pid} ({exc.strerror})") from None
        click.echo(f"sent SIGHUP to {pid}; the result is in the bot's log and `/helpbot status`")
        return
    settings = settings_from(ctx)
    token = settings.secret("HELPBOT_ADMIN_TOKEN")
    if not token:
        raise HelpbotError(strings.ADMIN_TOKEN_MISSING)
    if url is None:
        host = settings.ops["host"]
        host = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host
        url = f"http://{host}:{settings.ops['port']}/admin/reload"
    status, body = post_reload(url, token, dry_run)
    click.echo(body.get("summary") or body.get("error") or json.dumps(body))
    if status != 200:
        sys.exit(1)


@main.command()
@click.option("--days", type=click.FloatRange(min=0, min_open=True), default=7, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print everything as JSON.")
@click.option("--no-gaps", is_flag=True, help="Skip grouping unanswered questions (no model load).")
@click.pass_context
@friendly_errors
def stats(ctx, days, as_json, no_gaps):
    """Routes, latency, feedback, block reasons, LLM share and coverage gaps from the audit log."""
    from bot.ops.stats import compute_stats, format_stats

    settings = settings_from(ctx)
    ops = settings.ops
    embedder = None if no_gaps else _embedder(settings)
    with _store(settings) as store:
        result = compute_stats(store, days, embedder, ops["gap_threshold"], ops["gap_limit"])
    click.echo(json.dumps(result, indent=2, ensure_ascii=False) if as_json else format_stats(result))


@main.command()
@click.option("--out", type=click.Path(dir_okay=False), default="report.html", show_default=True)
@click.option("--days", type=click.FloatRange(min=0, min_open=True), default=30, show_default=True)
@click.pass_context
@friendly_errors
def report(ctx, out, days):
    """Write a self-contained HTML report: routes over time, latency, coverage gaps."""
    from bot.ops.report import render_report
    from bot.ops.stats import compute_stats

    settings = settings_from(ctx)
    ops = settings.ops
    with _store(settings) as store:
        result = compute_stats(store, days, _embedder(settings), ops["gap_threshold"], ops["gap_limit"])
    with open(out, "w", encoding="utf-8") as fh:
        fh.write(render_report(result))
    click.echo(f"wrote {out} ({result['total']} messages, {len(result['gaps'])} coverage gaps)")


@main.command()
@click.option("--days", type=float, default=None, help="Keep this many days (default: [audit] retention_days).")
@click.pass_context
@friendly_errors
def purge(ctx, days):
    """Delete audit and feedback rows older than the retention period, then compact the database."""
    from bot.ops.retention import purge as purge_rows

    settings = settings_from(ctx)
    days = settings.audit["retention_days"] if days is None else days
    with _store(settings) as store:
        done = purge_rows(store, days)
    click.echo(f"deleted {done['audit']} audit and {done['feedback']} feedback rows older than {done['cutoff'][:10]}")


@main.command()
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="JSONL file (default: standard output).")
@click.option("--since", default=None, help="Only rows from this date on (YYYY-MM-DD or ISO date-time, UTC).")
@click.pass_context
@friendly_errors
def export(ctx, out, since):
    """Write audit rows as JSON lines (already redacted)."""
    from bot.ops.retention import export_rows, parse_since

    settings = settings_from(ctx)
    since_iso = parse_since(since)
    with _store(settings) as db:
        if out is None:
            export_rows(db, sys.stdout, since_iso)
            return
        with open(out, "w", encoding="utf-8") as fh:
            count = export_rows(db, fh, since_iso)
    click.echo(f"wrote {count} rows to {out}")
