"""Grafana variable substitution that the live dashboard tests rely on."""

from __future__ import annotations

import pytest

from tests.support.dashboards import current_values
from tests.support.grafana_variables import (
    UndefinedVariableError,
    builtin_variables,
    substitute_variables,
)

VALUES = {
    "job": "example-service",
    "pod": "example-service-.*",
    "pods": ["api-0", "api.1"],
    **builtin_variables(
        rate_interval_seconds=60, interval_seconds=15, range_seconds=3600
    ),
}

CASES = {
    "dollar": ('up{job="$job"}', 'up{job="example-service"}'),
    "braces": ('up{job="${job}"}', 'up{job="example-service"}'),
    "braces_format": ('up{job="${job:raw}"}', 'up{job="example-service"}'),
    "brackets": ('up{job="[[job]]"}', 'up{job="example-service"}'),
    "brackets_format": ('up{job="[[job:regex]]"}', 'up{job="example-service"}'),
    "regex_value_verbatim": ('up{pod=~"$pod"}', 'up{pod=~"example-service-.*"}'),
    "multi_value_regex": ('up{pod=~"$pods"}', 'up{pod=~"(api-0|api\\\\.1)"}'),
    "multi_value_pipe": ('up{pod=~"${pods:pipe}"}', 'up{pod=~"api-0|api.1"}'),
    "multi_value_csv": ("${pods:csv}", "api-0,api.1"),
    "rate_interval": ("rate(x[$__rate_interval])", "rate(x[60s])"),
    "interval": ("avg_over_time(x[$__interval])", "avg_over_time(x[15s])"),
    "range": ("increase(x[$__range])", "increase(x[3600s])"),
    "range_seconds": ("x / $__range_s", "x / 3600"),
    "no_variables": ("sum(up)", "sum(up)"),
    "capture_group_braces": ('label_replace(x, "a", "${1}xx", "b", "(.)")', None),
    "capture_group_dollar": ('label_replace(x, "a", "$1", "b", "(.)")', None),
}


@pytest.mark.parametrize("name", list(CASES))
def test_substitution(name: str) -> None:
    text, expected = CASES[name]

    # None: the text must come back unchanged.
    assert substitute_variables(text, VALUES) == (
        text if expected is None else expected
    )


def test_undefined_variable_named() -> None:
    with pytest.raises(UndefinedVariableError, match="'jobs'"):
        substitute_variables('up{job="$jobs"}', VALUES)


def test_unknown_format_rejected() -> None:
    with pytest.raises(UndefinedVariableError, match="'nosuchformat'"):
        substitute_variables("${pods:nosuchformat}", VALUES)


def test_current_values_from_templating() -> None:
    document = {
        "templating": {
            "list": [
                {"name": "job", "current": {"value": "api"}},
                {
                    "name": "pod",
                    "multi": True,
                    "includeAll": True,
                    "allValue": "api-.*",
                    "current": {"value": ["$__all"]},
                },
                {"name": "status", "multi": True, "current": {"value": ["500", "502"]}},
                {"name": "empty"},
            ]
        }
    }

    assert current_values(document) == {
        "job": "api",
        "pod": "api-.*",
        "status": ["500", "502"],
    }
