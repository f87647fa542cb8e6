"""Machine facts and the results table in ``bench/RESULTS.md``.

Each run owns one block of the file, keyed by database kind and ticket
count (``<!-- bench:postgresql:1000000 -->`` … ``<!-- /bench -->``); a new
run replaces its own block and leaves the others, and the hand-written
findings outside the blocks, as they are.
"""
import os
import platform
import re
import sqlite3
from datetime import datetime, timezone
from importlib import metadata

from sqlalchemy import text

from bench.figures import format_seconds

HEADER = """# Waspada benchmark results

Written by `make bench` / `python -m bench` (see the "Benchmark" section of `README.md`).
Each block below is one run; the targets are those of issue 7, set for
1,000,000 tickets on a 2-core machine (a quick run is checked against the
same numbers, which it should meet with room to spare). Times are median
and p95 (nearest rank) over the stated number of runs.

## Findings

(Causes of missed targets and the proposed fixes are written here by hand.)

"""


def machine_facts(engine):
    """Cores, memory, CPU, OS, Python, database and library versions."""
    facts = {"cores": os.cpu_count()}
    try:
        with open("/proc/meminfo") as handle:
            total_kb = int(handle.readline().split()[1])
        facts["memory"] = f"{total_kb / 1024 / 1024:.1f} GiB"
    except OSError:
        facts["memory"] = "?"
    facts["cpu"] = _cpu_model()
    facts["os"] = platform.platform()
    facts["python"] = platform.python_version()
    facts["sqlite"] = sqlite3.sqlite_version
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            facts["postgresql"] = connection.execute(text("SHOW server_version")).scalar()
    for package in ("flask", "sqlalchemy", "psycopg", "gunicorn"):
        try:
            facts[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            pass
    return facts


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def render_block(*, key, backend, dataset, facts, figures, notes, quick, elapsed, load):
    """The Markdown block of one run."""
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    mode = "quick" if quick else "full"
    lines = [f"<!-- bench:{key} -->",
             f"## {backend} · {dataset.tickets:,} tickets ({mode}) · {when}", ""]
    lines.append("Machine: " + ", ".join(f"{k} {v}" for k, v in facts.items()) + ".")
    # Other processes on the machine skew every figure: say how busy it was.
    lines.append("Load average (1/5/15 min) at the start {} and at the end {}.".format(
        *("/".join(f"{x:.1f}" for x in averages) for averages in load)))
    lines.append("")
    sizes = dataset.sizes
    lines.append("Data set (seed {seed}, measured at {moment}): ".format(
        seed=dataset.seed, moment=dataset.moment.strftime("%Y-%m-%d %H:%M UTC"))
        + ", ".join(f"{name} {count:,}" for name, count in sizes.items())
        + f"; generated in {format_seconds(dataset.generate_seconds)}"
        + f"; measured Kodim user `{dataset.kodim_user}`, Koramil user `{dataset.koramil_user}`"
          " (the busiest of each).")
    lines.append("")
    lines.append("| # | path · case | median | p95 | runs | value | detail | target | verdict |")
    lines.append("|---|---|---|---|---|---|---|---|---|")
    for figure in figures:
        number, _sep, name = figure.path.partition(". ")
        cells = [number, f"{name} · {figure.case}",
                 format_seconds(figure.median) if figure.median is not None else "–",
                 format_seconds(figure.p95) if figure.p95 is not None else "–",
                 str(figure.runs or "–"), figure.value or "–", figure.detail or "",
                 figure.target or "", _verdict(figure.verdict)]
        lines.append("| " + " | ".join(" ".join(cell.replace("|", "/").split()) for cell in cells) + " |")
    lines.append("")
    if notes:
        lines.extend(f"- {note}" for note in notes)
        lines.append("")
    lines.append(f"Whole run: {format_seconds(elapsed)}.")
    lines.append("<!-- /bench -->")
    return "\n".join(lines) + "\n"


def _verdict(verdict):
    if verdict == "met":
        return "**met**"
    if verdict.startswith("missed"):
        return f"**{verdict.upper()}**"
    return verdict


def write(path, key, block):
    """Replace the run's block in ``path`` (or append it); returns the file's text."""
    existing = HEADER
    if os.path.exists(path):
        with open(path, encoding="utf-8") as handle:
            existing = handle.read()
    pattern = re.compile(rf"<!-- bench:{re.escape(key)} -->.*?<!-- /bench -->\n?", re.S)
    if pattern.search(existing):
        updated = pattern.sub(lambda _m: block, existing)
    else:
        updated = existing.rstrip("\n") + "\n\n" + block
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(updated)
    return updated
