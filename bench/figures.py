"""Figures: what a measurement reports, and median / p95 over repeated runs."""
import math
import time
from dataclasses import dataclass

NOT_AVAILABLE = "not available"


@dataclass
class Figure:
    """One row of the results table.

    ``median`` and ``p95`` are seconds (None when the row is a single value
    or not available); ``value`` is a formatted single value (a ratio,
    megabytes, requests per second); ``verdict`` is met / missed / "" (no
    target) / not available.
    """

    path: str
    case: str
    median: float | None = None
    p95: float | None = None
    runs: int = 0
    value: str = ""
    detail: str = ""
    target: str = ""
    verdict: str = ""


def percentile(samples, fraction):
    """Nearest-rank percentile of a list of numbers."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def median(samples):
    ordered = sorted(samples)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def repeat(function, runs, warmup=1, budget=None):
    """Call ``function`` ``warmup`` times untimed, then ``runs`` times timed; returns seconds.

    With ``budget`` (seconds), timing stops early once the samples add up
    to it: a path that takes a minute per call has made its point after a
    few calls, and the run must end in reasonable time.
    """
    for _ in range(warmup):
        function()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
        if budget is not None and sum(samples) >= budget:
            break
    return samples


def timed_figure(path, case, samples, *, limit=None, detail="", target_text=None, value=""):
    """A Figure from timing samples; ``limit`` (seconds) is checked against the p95."""
    p95 = percentile(samples, 0.95)
    figure = Figure(path, case, median=median(samples), p95=p95, runs=len(samples), detail=detail, value=value)
    if limit is not None:
        figure.target = target_text or f"p95 ≤ {format_seconds(limit)}"
        figure.verdict = "met" if p95 <= limit else "missed"
    return figure


def unavailable(path, case, why, target=""):
    return Figure(path, case, detail=why, target=target, verdict=NOT_AVAILABLE)


def format_seconds(seconds):
    if seconds is None:
        return "–"
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms" if seconds < 0.1 else f"{seconds * 1000:.0f} ms"
    if seconds < 120:
        return f"{seconds:.2f} s"
    return f"{seconds / 60:.1f} min"
