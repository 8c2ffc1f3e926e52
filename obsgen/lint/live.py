"""Asking a running Prometheus whether selectors match any series."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from typing import Any

import promql_parser as pp
import requests

from obsgen.errors import EXIT_COULD_NOT_RUN, ObsgenError
from obsgen.lint.variables import variables_in

logger = logging.getLogger("obsgen.lint")

# How far back a selector may have matched to count as matching.
LOOKBACK_SECONDS = 3600
TIMEOUT_SECONDS = 10


class LiveError(ObsgenError):
    """The Prometheus server could not be asked."""

    exit_code = EXIT_COULD_NOT_RUN


class PrometheusClient:
    """A client of Prometheus' HTTP API that remembers what it asked."""

    def __init__(self, url: str, session: requests.Session | None = None) -> None:
        self.url = url.rstrip("/")
        self.session = session or requests.Session()
        self._answers: dict[str, bool] = {}

    def has_series(self, selector: str) -> bool:
        """Return whether `selector` matched a series in the last hour."""
        if selector not in self._answers:
            self._answers[selector] = self._ask(selector)
        return self._answers[selector]

    def _ask(self, selector: str) -> bool:
        now = time.time()
        params = {
            "match[]": selector,
            "start": f"{now - LOOKBACK_SECONDS:.3f}",
            "end": f"{now:.3f}",
        }
        endpoint = f"{self.url}/api/v1/series"
        try:
            response = self.session.get(
                endpoint, params=params, timeout=TIMEOUT_SECONDS
            )
        except requests.RequestException as error:
            raise LiveError(
                f"cannot reach Prometheus at {self.url}: {error}",
                hint="check --prometheus-url and that the server is running",
            ) from None
        if response.status_code == 400:
            logger.warning(
                "Prometheus rejected the selector %s: %s", selector, response.text
            )
            return True
        if not response.ok:
            raise LiveError(
                f"Prometheus at {self.url} returned HTTP {response.status_code} for "
                f"GET /api/v1/series: {response.text[:200]}",
                hint="check that --prometheus-url is the server's base URL",
            )
        try:
            data = response.json()["data"]
        except (ValueError, KeyError):
            raise LiveError(
                f"{endpoint} returned no Prometheus API response",
                hint="check that --prometheus-url is the server's base URL",
            ) from None
        return bool(data)


def _operator(matcher: pp.Matcher) -> str:
    for op, text in (
        (pp.MatchOp.NotEqual, "!="),
        (pp.MatchOp.Re, "=~"),
        (pp.MatchOp.NotRe, "!~"),
    ):
        if matcher.op == op:
            return text
    return "="


def selector_text(selector: pp.VectorSelector, values: Mapping[str, str]) -> str | None:
    """Return the selector as PromQL with Grafana variables filled in.

    `values` maps variable names to values; a matcher whose variable has no
    value is dropped, since any value could match. Returns None when no
    matcher is left to send.
    """
    parts = []
    for matcher in selector.matchers.matchers:
        value = matcher.value
        operator = _operator(matcher)
        names = variables_in(value)
        if names:
            if any(name not in values for name in names):
                continue
            for name in names:
                for form in (f"${{{name}}}", f"${name}", f"[[{name}]]"):
                    value = value.replace(form, values[name])
            if values.get(names[0]) == ".*" and operator == "=":
                operator = "=~"
        parts.append(f"{matcher.name}{operator}{json.dumps(value)}")
    name = selector.name or ""
    if not name and not parts:
        return None
    return f"{name}{{{', '.join(parts)}}}"


def dashboard_variable_values(dashboard: Any) -> dict[str, str]:
    """Return each template variable's current value; `All` becomes `.*`."""
    values: dict[str, str] = {}
    templating = dashboard.get("templating") if isinstance(dashboard, Mapping) else None
    for variable in (templating or {}).get("list") or []:
        if not isinstance(variable, Mapping):
            continue
        current = variable.get("current")
        value = current.get("value") if isinstance(current, Mapping) else None
        if isinstance(value, list):
            value = "|".join(str(item) for item in value)
        if value in ("$__all", None) and variable.get("includeAll"):
            value = variable.get("allValue") or ".*"
        if isinstance(value, str):
            values[str(variable.get("name"))] = ".*" if value == "$__all" else value
    return values
