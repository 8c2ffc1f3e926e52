"""Benchmark `obsgen build`: wall time and peak memory, printed, never asserted.

Builds the example bundle and a synthetic large project (many alerts and
panels) in a subprocess each, several times, and prints the median wall time
and the peak resident set size. Run from the repository root:

    python benchmarks/build.py [--alerts 1000] [--panels 500] [--runs 5]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

RULES = """
from obsgen import AlertingRule, ExpectedAlert, fires, rule_group, stays_silent
from obsgen.definitions.shapes import target_up


@rule_group("synthetic")
def synthetic(service):
    job = {{"job": service.job, "namespace": service.namespace}}
    for index in range({alerts}):
        yield AlertingRule(
            alert=f"TargetDown{{index}}",
            expr=f"sum by (namespace, job) (up{{{{{{service.selector}}}}}}) == 0",
            for_="1m",
            labels={{**service.alert_labels("warning"), "shard": str(index)}},
            annotations={{
                "summary": "The target is down",
                "description": "No target of the job is up.",
                "runbook_url": service.runbook_url("target-down"),
            }},
            scenarios=[
                fires(
                    "down",
                    series=target_up(service, up=0),
                    at="5m",
                    alerts=ExpectedAlert(labels=job),
                ),
                stays_silent("up", series=target_up(service), at="5m"),
            ],
        )
"""

DASHBOARD = """
from grafana_foundation_sdk.builders import dashboard

from obsgen import grafana_dashboard
from obsgen.panels import SERVICE_SELECTOR, new_dashboard, query, timeseries_panel


@grafana_dashboard("synthetic")
def synthetic(service):
    board = new_dashboard(service, "Synthetic", "Many panels.")
    for index in range({panels}):
        board = board.with_panel(
            timeseries_panel(
                f"Requests {{index}}",
                "reqps",
                query(
                    "sum(rate(http_requests_total"
                    f"{{{{{{SERVICE_SELECTOR}}}}}}[$__rate_interval]))"
                ),
            )
        )
    return board
"""


def run_build(args: list[str], out: Path) -> tuple[float, int]:
    """Run one build in a child process; return seconds and peak RSS in KiB."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "obsgen", "build", *args, "--out", str(out)],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    seconds = time.perf_counter() - start
    # ru_maxrss of children is the maximum over all children so far (KiB on Linux).
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return seconds, peak


def measure(name: str, args: list[str], runs: int, work: Path) -> None:
    times = []
    peak = 0
    for run in range(runs):
        seconds, peak = run_build(args, work / f"{name}-{run}")
        times.append(seconds)
    print(
        f"{name:<24} median {statistics.median(times):6.2f} s  "
        f"min {min(times):6.2f} s  peak RSS {peak / 1024:7.1f} MiB  ({runs} runs)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=1000)
    parser.add_argument("--panels", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="obsgen-bench-") as folder:
        work = Path(folder)
        measure("example bundle", [], options.runs, work)

        project = work / "project"
        (project / "rules").mkdir(parents=True)
        (project / "dashboards").mkdir()
        (project / "rules/synthetic.py").write_text(
            textwrap.dedent(RULES.format(alerts=options.alerts))
        )
        (project / "dashboards/synthetic.py").write_text(
            textwrap.dedent(DASHBOARD.format(panels=options.panels))
        )
        synthetic = [
            "--rules",
            str(project / "rules"),
            "--dashboards",
            str(project / "dashboards"),
        ]
        label = f"{options.alerts} alerts, {options.panels} panels"
        measure(label, synthetic, options.runs, work)


if __name__ == "__main__":
    main()
