"""A real Prometheus server for tests, scraping a local metrics server.

`PrometheusServer` starts `/usr/bin/prometheus` on 127.0.0.1 at a random free
port with a temporary TSDB and a generated `prometheus.yml`, waits until it is
ready and has scraped its target once, and always stops the process and
removes its storage. Every wait is bounded and reports the Prometheus log
when it times out.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

import requests
import yaml

INSTALL_HINT = (
    "run scripts/install-prometheus to install prometheus, promtool and amtool"
)

# Prometheus reports a group that has not been evaluated yet with Go's zero time.
NEVER_EVALUATED = "0001-01-01T00:00:00Z"

LOG_TAIL_LINES = 60
START_ATTEMPTS = 3

T = TypeVar("T")


class ToolMissingError(RuntimeError):
    """A Prometheus command-line tool is not installed."""


class PrometheusError(RuntimeError):
    """Prometheus failed to start, rejected a request, or a wait timed out."""


def find_tool(name: str) -> str:
    """Return the path of a Prometheus tool, or raise ToolMissingError with the fix."""
    path = shutil.which(name)
    if path is None:
        raise ToolMissingError(f"{name} not found on PATH: {INSTALL_HINT}")
    return path


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class ScrapeTarget:
    """The one target Prometheus scrapes, with the labels service selectors use."""

    address: str
    job: str
    namespace: str
    pod: str = "example-service-0"


def copy_rule_files(
    rule_files: Iterable[Path], out_dir: Path, group_interval: str | None
) -> list[Path]:
    """Copy rule files to `out_dir`, setting every group's interval when given.

    A bundle's groups carry the service's production evaluation interval, such
    as 30s. Tests evaluate them every second instead, so that they do not wait
    for minutes. Nothing but `interval` changes.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    copies = []
    for index, source in enumerate(rule_files):
        target = out_dir / f"{index:02d}-{source.name}"
        if group_interval is None:
            shutil.copyfile(source, target)
        else:
            document = yaml.safe_load(source.read_text(encoding="utf-8"))
            for group in document.get("groups") or []:
                group["interval"] = group_interval
            target.write_text(
                yaml.safe_dump(document, sort_keys=False, allow_unicode=True),
                encoding="utf-8",
            )
        copies.append(target)
    return copies


def render_config(
    rule_files: Sequence[Path],
    target: ScrapeTarget,
    scrape_interval: str = "1s",
    evaluation_interval: str = "1s",
) -> str:
    """Return a prometheus.yml that loads `rule_files` and scrapes `target`."""
    config = {
        "global": {
            "scrape_interval": scrape_interval,
            # The timeout may not exceed the interval, and the default is 10s.
            "scrape_timeout": scrape_interval,
            "evaluation_interval": evaluation_interval,
        },
        "rule_files": [str(path) for path in rule_files],
        "scrape_configs": [
            {
                "job_name": target.job,
                "metrics_path": "/metrics",
                "static_configs": [
                    {
                        "targets": [target.address],
                        "labels": {"namespace": target.namespace, "pod": target.pod},
                    }
                ],
            }
        ],
    }
    return yaml.safe_dump(config, sort_keys=False)


class PrometheusServer:
    """A Prometheus process that scrapes one target and evaluates rule files.

    Use it as a context manager, or call start() and stop(). `work_dir` contains
    the configuration, the rule file copies, the log and the TSDB; without it
    a temporary folder is created and removed on stop(). With it, only the
    TSDB is removed, so the log and configuration remain for inspection.
    """

    def __init__(
        self,
        *,
        rule_files: Sequence[Path],
        target: ScrapeTarget,
        work_dir: Path | None = None,
        scrape_interval: str = "1s",
        evaluation_interval: str = "1s",
        rule_group_interval: str | None = "1s",
        startup_timeout: float = 30.0,
    ) -> None:
        self.target = target
        self.scrape_interval = scrape_interval
        self.startup_timeout = startup_timeout
        self._binary = find_tool("prometheus")
        self._own_work_dir = work_dir is None
        self.work_dir = Path(work_dir or tempfile.mkdtemp(prefix="prometheus-test-"))
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self.storage_dir = self.work_dir / "tsdb"
        self.log_path = self.work_dir / "prometheus.log"
        self.rule_files = copy_rule_files(
            rule_files, self.work_dir / "rules", rule_group_interval
        )
        self.config_path = self.work_dir / "prometheus.yml"
        self.config_path.write_text(
            render_config(
                self.rule_files, target, scrape_interval, evaluation_interval
            ),
            encoding="utf-8",
        )
        self.port: int | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._http = requests.Session()

    @property
    def url(self) -> str:
        if self.port is None:
            raise RuntimeError("Prometheus is not started")
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # Process lifecycle.

    def start(self) -> None:
        """Start Prometheus and wait until it is ready and has scraped its target.

        Stops the process again and raises PrometheusError when it does not
        get there within `startup_timeout` seconds.
        """
        try:
            self._start_process()
            self.wait_until_ready()
            self.wait_for_first_scrape()
        except BaseException:
            self.stop()
            raise

    def _start_process(self) -> None:
        # Another process may take the probed port before Prometheus binds it.
        for _ in range(START_ATTEMPTS):
            self.port = free_port()
            self._launch()
            if not self._exited_with_port_in_use():
                return
        raise self._error(f"Prometheus found no free port in {START_ATTEMPTS} tries")

    def _launch(self) -> None:
        self.storage_dir.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                [
                    self._binary,
                    f"--config.file={self.config_path}",
                    f"--storage.tsdb.path={self.storage_dir}",
                    f"--web.listen-address=127.0.0.1:{self.port}",
                    "--log.level=info",
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.work_dir,
            )

    def _exited_with_port_in_use(self) -> bool:
        assert self._process is not None
        try:
            self._process.wait(timeout=0.5)
        except subprocess.TimeoutExpired:
            return False
        return "address already in use" in self.log_text()

    def stop(self) -> None:
        """Terminate Prometheus (kill it after 10s) and remove its storage."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        self._http.close()
        if self._own_work_dir:
            shutil.rmtree(self.work_dir, ignore_errors=True)
        else:
            shutil.rmtree(self.storage_dir, ignore_errors=True)

    def log_text(self) -> str:
        """Return the Prometheus log so far."""
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def _error(self, message: str) -> PrometheusError:
        tail = "\n".join(self.log_text().splitlines()[-LOG_TAIL_LINES:])
        return PrometheusError(
            f"{message}\nconfiguration: {self.config_path}\n"
            f"--- Prometheus log, last {LOG_TAIL_LINES} lines ---\n{tail}"
        )

    # HTTP API.

    def api(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET an `/api/v1/...` endpoint and return its `data`."""
        response = self._http.get(f"{self.url}{path}", params=params, timeout=10)
        try:
            body = response.json()
        except ValueError:
            raise self._error(
                f"GET {path} returned HTTP {response.status_code}, not JSON: "
                f"{response.text[:200]!r}"
            ) from None
        if body.get("status") != "success":
            raise PrometheusError(
                f"GET {path} {params or ''} failed: {body.get('errorType')}: "
                f"{body.get('error')}"
            )
        return body["data"]

    def query(self, expr: str) -> list[dict[str, Any]]:
        """Run an instant query now and return its result list.

        A scalar or string result is returned as a one-element list.
        """
        data = self.api("/api/v1/query", {"query": expr})
        if data["resultType"] in ("vector", "matrix"):
            return data["result"]
        return [{"metric": {}, "value": data["result"]}]

    def rule_groups(self) -> list[dict[str, Any]]:
        """Return the rule groups Prometheus has loaded, with their rules' health."""
        return self.api("/api/v1/rules")["groups"]

    def alerts(self) -> list[dict[str, Any]]:
        """Return the active (pending and firing) alerts."""
        return self.api("/api/v1/alerts")["alerts"]

    def targets(self) -> list[dict[str, Any]]:
        """Return the active scrape targets."""
        return self.api("/api/v1/targets", {"state": "active"})["activeTargets"]

    # Bounded waits.

    def wait_for(
        self,
        condition: Callable[[], T | None],
        *,
        timeout: float,
        description: str,
        interval: float = 0.2,
    ) -> T:
        """Poll `condition` until it returns a true value, and return that value.

        Raises PrometheusError with the log when `timeout` seconds pass or the
        process exits first.
        """
        deadline = time.monotonic() + timeout
        while True:
            if self._process is None or self._process.poll() is not None:
                raise self._error(f"Prometheus exited while waiting for {description}")
            result = condition()
            if result:
                return result
            if time.monotonic() >= deadline:
                raise self._error(
                    f"timed out after {timeout:g}s waiting for {description}"
                )
            time.sleep(interval)

    def wait_until_ready(self) -> None:
        """Wait until `/-/ready` returns 200."""

        def ready() -> bool:
            try:
                response = self._http.get(f"{self.url}/-/ready", timeout=2)
            except requests.ConnectionError:
                return False
            return response.status_code == 200

        self.wait_for(
            ready, timeout=self.startup_timeout, description="Prometheus /-/ready"
        )

    def wait_for_first_scrape(self) -> None:
        """Wait until the target's last scrape succeeded."""
        last_errors: list[str] = []

        def scraped() -> bool:
            for target in self.targets():
                if target["health"] == "up":
                    return True
                if target.get("lastError"):
                    last_errors[:] = [target["lastError"]]
            return False

        try:
            self.wait_for(
                scraped,
                timeout=self.startup_timeout,
                description=f"a successful scrape of {self.target.address}",
            )
        except PrometheusError as error:
            if last_errors:
                raise PrometheusError(
                    f"last scrape error: {last_errors[0]}\n{error}"
                ) from error
            raise

    def wait_for_samples(
        self, count: int, window: str, *, timeout: float = 30.0
    ) -> None:
        """Wait until the target has `count` scrapes stored within the last `window`.

        rate() and increase() need two samples inside their range.
        """
        selector = f'up{{job="{self.target.job}"}}'

        def enough() -> bool:
            result = self.query(f"count_over_time({selector}[{window}])")
            return bool(result) and float(result[0]["value"][1]) >= count

        self.wait_for(
            enough,
            timeout=timeout,
            description=f"{count} samples of {selector} within {window}",
        )

    def wait_for_rule_evaluations(
        self, count: int = 2, *, timeout: float = 60.0
    ) -> list[dict[str, Any]]:
        """Wait until every loaded rule group was evaluated `count` more times.

        Counts distinct evaluation times seen from now on, so results that were
        computed before this call do not count. Returns the rule groups.
        """
        seen: dict[tuple[str, str], set[str]] = {}
        start: dict[tuple[str, str], str] = {
            (group["file"], group["name"]): group["lastEvaluation"]
            for group in self.rule_groups()
        }
        if not start:
            raise self._error("Prometheus has loaded no rule groups")

        def evaluated() -> list[dict[str, Any]] | None:
            groups = self.rule_groups()
            for group in groups:
                key = (group["file"], group["name"])
                if group["lastEvaluation"] not in (NEVER_EVALUATED, start.get(key)):
                    seen.setdefault(key, set()).add(group["lastEvaluation"])
            done = all(len(seen.get(key, ())) >= count for key in start)
            return groups if done else None

        return self.wait_for(
            evaluated,
            timeout=timeout,
            description=f"{count} evaluations of each of {len(start)} rule groups",
        )
