"""A local HTTP server that serves a `/metrics` body the test can change."""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Self

# The Prometheus text exposition format, version 0.0.4.
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class MetricsServer:
    """An HTTP server on 127.0.0.1 at a random free port that serves `/metrics`.

    Use it as a context manager, or call start() and stop(). `set_metrics()`
    replaces the body that the next scrape receives.
    """

    def __init__(self, text: str | Callable[[], str] = "") -> None:
        self._lock = threading.Lock()
        self._body: str | Callable[[], str] = text
        self._scrape_count = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def set_metrics(self, text: str | Callable[[], str]) -> None:
        """Replace the exposition text that `/metrics` returns from now on.

        A callable is called on every scrape, for series that change over time.
        """
        with self._lock:
            self._body = text

    @property
    def scrape_count(self) -> int:
        """The number of `/metrics` requests served so far."""
        with self._lock:
            return self._scrape_count

    @property
    def address(self) -> str:
        """The `host:port` that a Prometheus scrape target points at."""
        if self._server is None:
            raise RuntimeError("the metrics server is not started")
        host, port = self._server.server_address[:2]
        return f"{host}:{port}"

    @property
    def url(self) -> str:
        return f"http://{self.address}/metrics"

    def start(self) -> None:
        """Bind 127.0.0.1 on a port the kernel picks and serve in a daemon thread."""
        server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="metrics-server",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the socket; safe to call more than once."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

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

    def _serve(self) -> bytes:
        with self._lock:
            self._scrape_count += 1
            body = self._body
        text = body() if callable(body) else body
        return text.encode("utf-8")

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path.split("?", 1)[0] != "/metrics":
                    self.send_error(404, "only /metrics is served")
                    return
                body = owner._serve()
                self.send_response(200)
                self.send_header("Content-Type", CONTENT_TYPE)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                # One line per scrape every second would bury test output.
                pass

        return Handler
