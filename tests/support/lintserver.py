"""A real Prometheus on 127.0.0.1 that scrapes the reference /metrics capture.

The capture is served by a small HTTP server in a thread; Prometheus
scrapes it every second as job `example-service` in namespace `production`,
the example service's selector. Both listen on free ports of 127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import http.server
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT.parent / "shared" / "reference" / "fastapi-template-metrics.prom"
PROMETHEUS = shutil.which("prometheus")
STARTUP_TIMEOUT_SECONDS = 60
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def metrics_server(body: bytes) -> Iterator[str]:
    """Serve `body` at /metrics on 127.0.0.1; yield the target `host:port`."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", CONTENT_TYPE)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _config(target: str, rule_files: list[Path]) -> str:
    files = ", ".join(f'"{path}"' for path in rule_files)
    return f"""\
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [{files}]
scrape_configs:
  - job_name: example-service
    static_configs:
      - targets: ["{target}"]
        labels:
          namespace: production
          pod: example-service-0
"""


def _wait_ready(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    query = {"query": 'count(http_requests_total{job="example-service"})'}
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"prometheus exited early:\n{log.read_text()}")
        try:
            response = requests.get(f"{url}/api/v1/query", params=query, timeout=2)
            if response.ok and response.json()["data"]["result"]:
                return
        except requests.RequestException:
            pass
        time.sleep(0.25)
    raise RuntimeError(
        f"prometheus did not scrape within {STARTUP_TIMEOUT_SECONDS}s:\n"
        f"{log.read_text()}"
    )


@contextlib.contextmanager
def prometheus_scraping_reference(
    workdir: Path, rule_files: list[Path] | None = None
) -> Iterator[str]:
    """Start Prometheus scraping the reference capture; yield its base URL.

    `rule_files` are loaded and evaluated every second.
    """
    if PROMETHEUS is None:
        raise RuntimeError("prometheus is not installed; apt-get install prometheus")
    with metrics_server(REFERENCE.read_bytes()) as target:
        config = workdir / "prometheus.yml"
        config.write_text(_config(target, rule_files or []), encoding="utf-8")
        port = free_port()
        log = workdir / "prometheus.log"
        with log.open("wb") as log_file:
            process = subprocess.Popen(
                [
                    PROMETHEUS,
                    f"--config.file={config}",
                    f"--storage.tsdb.path={workdir / 'data'}",
                    f"--web.listen-address=127.0.0.1:{port}",
                ],
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_ready(url, process, log)
            yield url
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)
