"""A live alerting setup for tests: a metrics exporter the test controls, a real
Prometheus that scrapes it and evaluates the bundle's rules, and bounded polling
of the alerts API. Everything listens on 127.0.0.1 at a free port."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar

import requests
import yaml

HOST = "127.0.0.1"
T = TypeVar("T")

# The template's HTTP latency buckets, as its /metrics writes their `le` labels.
LATENCY_BUCKETS = (
    "0.001", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25",
    "0.5", "1.0", "2.5", "5.0", "10.0", "+Inf",
)  # fmt: skip
# Every request of the exporter takes 3ms: it falls in the bucket (0.001, 0.005].
REQUEST_SECONDS = 0.003
ENDPOINT = "/api/v1/tasks"


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free at the moment of the call."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def wait_for(
    check: Callable[[], T | None],
    *,
    timeout: float,
    what: str,
    interval: float = 0.2,
) -> T:
    """Poll `check` until it returns a true value, such as a non-empty list.

    Raises AssertionError naming `what` after `timeout` seconds.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")
        time.sleep(interval)


def shorten_durations(rule_file: str, *, for_: str, interval: str) -> str:
    """Return a rule file with every alert's `for` set to `for_` and every
    group evaluated every `interval`.

    This is for a test's copy of the rules only: the rules under test keep
    their expressions and 5m rate windows, and only wait less.
    """
    document = yaml.safe_load(rule_file)
    for group in document["groups"]:
        group["interval"] = interval
        for rule in group["rules"]:
            if "alert" in rule and "for" in rule:
                rule["for"] = for_
    return yaml.safe_dump(document, sort_keys=False)


class TemplateMetrics:
    """The /metrics body of the FastAPI template, with values the test sets.

    Counters advance with wall-clock time at the configured rates whenever
    Prometheus scrapes, as a real service's counters do between scrapes.
    """

    def __init__(self, providers: Iterable[str]) -> None:
        self._lock = threading.Lock()
        self._started = time.time()
        self._last = time.monotonic()
        # database_pool reports unhealthy whenever the pool is idle.
        self._statuses = {provider: 1.0 for provider in providers}
        self._statuses["database_pool"] = 0.0
        self._transitions: dict[tuple[str, str, str], int] = {}
        self._per_second = 0.0
        self._error_ratio = 0.0
        self._ok = 0.0
        self._errors = 0.0

    def set_traffic(self, per_second: float, error_ratio: float = 0.0) -> None:
        """Serve `per_second` requests from now on, `error_ratio` of them 500s."""
        with self._lock:
            self._advance()
            self._per_second = per_second
            self._error_ratio = error_ratio

    def set_status(self, provider: str, status: float) -> None:
        """Report `status` for `provider`: 1 healthy, 0.5 degraded, 0 unhealthy."""
        with self._lock:
            before = self._statuses[provider]
            if before != status:
                key = (provider, _status_name(before), _status_name(status))
                self._transitions[key] = self._transitions.get(key, 0) + 1
            self._statuses[provider] = status

    def _advance(self) -> None:
        now = time.monotonic()
        served = self._per_second * (now - self._last)
        self._errors += served * self._error_ratio
        self._ok += served * (1 - self._error_ratio)
        self._last = now

    def render(self) -> str:
        with self._lock:
            self._advance()
            return "".join(
                [
                    self._http_requests(),
                    self._latency(),
                    self._health(),
                    self._pool(),
                ]
            )

    def _http_requests(self) -> str:
        lines = [
            "# HELP http_requests_total Total HTTP requests",
            "# TYPE http_requests_total counter",
        ]
        counts = {"200": self._ok, "500": self._errors}
        for status, count in counts.items():
            labels = f'endpoint="{ENDPOINT}",method="GET",status="{status}"'
            lines.append(f"http_requests_total{{{labels}}} {count!r}")
        lines += [
            "# HELP http_requests_created Total HTTP requests",
            "# TYPE http_requests_created gauge",
        ]
        for status in counts:
            labels = f'endpoint="{ENDPOINT}",method="GET",status="{status}"'
            lines.append(f"http_requests_created{{{labels}}} {self._started!r}")
        return "\n".join(lines) + "\n"

    def _latency(self) -> str:
        total = self._ok + self._errors
        labels = f'endpoint="{ENDPOINT}",method="GET"'
        lines = [
            "# HELP http_request_duration_seconds HTTP request duration in seconds",
            "# TYPE http_request_duration_seconds histogram",
        ]
        for le in LATENCY_BUCKETS:
            inside = le == "+Inf" or float(le) >= REQUEST_SECONDS
            count = total if inside else 0.0
            lines.append(
                f'http_request_duration_seconds_bucket{{{labels},le="{le}"}} {count!r}'
            )
        lines.append(f"http_request_duration_seconds_count{{{labels}}} {total!r}")
        lines.append(
            f"http_request_duration_seconds_sum{{{labels}}} {total * REQUEST_SECONDS!r}"
        )
        return "\n".join(lines) + "\n"

    def _health(self) -> str:
        lines = [
            "# HELP health_check_status Current health status of provider. "
            "1.0 = healthy, 0.5 = degraded, 0.0 = unhealthy.",
            "# TYPE health_check_status gauge",
        ]
        for provider, status in self._statuses.items():
            lines.append(f'health_check_status{{provider="{provider}"}} {status!r}')
        lines += [
            "# HELP health_check_status_transitions_total Total health status "
            "transitions.",
            "# TYPE health_check_status_transitions_total counter",
        ]
        for (provider, before, after), count in sorted(self._transitions.items()):
            labels = f'from_status="{before}",provider="{provider}",to_status="{after}"'
            lines.append(f"health_check_status_transitions_total{{{labels}}} {count}.0")
        return "\n".join(lines) + "\n"

    def _pool(self) -> str:
        gauges = {
            "database_pool_size": 10.0,
            "database_pool_max_overflow": 10.0,
            "database_pool_checkedout": 0.0,
        }
        lines = []
        for name, value in gauges.items():
            lines += [f"# TYPE {name} gauge", f"{name} {value!r}"]
        lines += [
            "# TYPE database_pool_checkout_timeout_total counter",
            "database_pool_checkout_timeout_total 0.0",
        ]
        return "\n".join(lines) + "\n"


def _status_name(status: float) -> str:
    if status >= 1:
        return "healthy"
    return "degraded" if status > 0 else "unhealthy"


class MetricsExporter:
    """An HTTP server on 127.0.0.1 that serves `metrics.render()` at /metrics."""

    def __init__(self, metrics: TemplateMetrics) -> None:
        self.metrics = metrics
        exporter = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                if self.path != "/metrics":
                    self.send_error(404)
                    return
                body = exporter.metrics.render().encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # Prometheus scrapes every second; the log would drown.

        self._server = ThreadingHTTPServer((HOST, 0), Handler)
        self.address = f"{HOST}:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> MetricsExporter:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


class Prometheus:
    """A Prometheus server on 127.0.0.1 that scrapes one target every second
    and evaluates the given rule files."""

    def __init__(
        self,
        workdir: Path,
        rule_files: list[Path],
        target: str,
        *,
        job: str,
        namespace: str,
        executable: str = "prometheus",
    ) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        config = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": [str(path) for path in rule_files],
            "scrape_configs": [
                {
                    "job_name": job,
                    "static_configs": [
                        {"targets": [target], "labels": {"namespace": namespace}}
                    ],
                }
            ],
        }
        self.config_path = workdir / "prometheus.yml"
        self.config_path.write_text(yaml.safe_dump(config, sort_keys=False))
        self.log_path = workdir / "prometheus.log"
        self._command = [
            executable,
            f"--config.file={self.config_path}",
            f"--storage.tsdb.path={workdir / 'data'}",
            f"--web.listen-address={HOST}:{self.port}",
            "--log.level=warn",
        ]
        self._process: subprocess.Popen | None = None
        self._log = None

    def __enter__(self) -> Prometheus:
        self._log = self.log_path.open("w")
        self._process = subprocess.Popen(
            self._command, stdout=self._log, stderr=subprocess.STDOUT
        )
        try:
            wait_for(self._ready, timeout=30, what=f"Prometheus ready at {self.url}")
        except AssertionError:
            self.__exit__()
            raise AssertionError(
                f"Prometheus did not start; its log:\n{self.log_path.read_text()}"
            ) from None
        return self

    def _ready(self) -> bool:
        if self._process is not None and self._process.poll() is not None:
            raise AssertionError(
                f"Prometheus exited with status {self._process.returncode}:\n"
                f"{self.log_path.read_text()}"
            )
        try:
            return requests.get(f"{self.url}/-/ready", timeout=2).status_code == 200
        except requests.ConnectionError:
            return False

    def __exit__(self, *exc: object) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=15)
        if self._log is not None:
            self._log.close()

    def query(self, expr: str) -> list[dict[str, Any]]:
        response = requests.get(
            f"{self.url}/api/v1/query", params={"query": expr}, timeout=5
        )
        response.raise_for_status()
        return response.json()["data"]["result"]

    def alerts(self) -> list[dict[str, Any]]:
        """Return the active alerts (pending and firing) from /api/v1/alerts."""
        response = requests.get(f"{self.url}/api/v1/alerts", timeout=5)
        response.raise_for_status()
        return response.json()["data"]["alerts"]


class AlertLog:
    """The states each alert went through, from polling /api/v1/alerts."""

    def __init__(self, prometheus: Prometheus) -> None:
        self.prometheus = prometheus
        self.active: list[dict[str, Any]] = []
        self.seen_names: set[str] = set()
        self._states: dict[tuple, list[str]] = {}

    def poll(self) -> AlertLog:
        self.active = self.prometheus.alerts()
        for alert in self.active:
            self.seen_names.add(alert["labels"]["alertname"])
            states = self._states.setdefault(_key(alert["labels"]), [])
            if not states or states[-1] != alert["state"]:
                states.append(alert["state"])
        return self

    def find(self, alertname: str, **labels: str) -> dict[str, Any] | None:
        """Return the active alert with this name and these labels, if any."""
        for alert in self.active:
            alert_labels = alert["labels"]
            if alert_labels["alertname"] == alertname and all(
                alert_labels.get(name) == value for name, value in labels.items()
            ):
                return alert
        return None

    def states(self, alertname: str, **labels: str) -> list[str]:
        """Return the states the alert went through, in order, without repeats."""
        found = []
        for key, states in self._states.items():
            key_labels = dict(key)
            if key_labels["alertname"] == alertname and all(
                key_labels.get(name) == value for name, value in labels.items()
            ):
                found.extend(states)
        return found


def _key(labels: dict[str, str]) -> tuple:
    return tuple(sorted(labels.items()))
