"""Checks of a service configuration that its JSON Schema cannot express."""

from __future__ import annotations

import datetime
import json
import logging
import math
from typing import Any

import promql_parser

from obsgen.config.service import ServiceConfig
from obsgen.duration import format_duration, parse_duration
from obsgen.errors import ConfigError
from obsgen.promql import quote
from obsgen.yamlsource import JsonPath, LocatedDocument, format_json_path

logger = logging.getLogger("obsgen.config")

# Prometheus expands alert labels and annotations as Go templates, so "{{" or
# "}}" in these values would break the rule files or, in slack_channel, every
# Slack notification. Label values such as the namespace have patterns in the
# schema instead.
TEMPLATED_KEYS = (
    ("service", "team"),
    ("service", "environment"),
    ("service", "runbook_base_url"),
    ("prometheus", "job"),
    ("alertmanager", "slack_channel"),
)

# Prometheus uses the newest sample of a series up to 5m old (the default
# --query.lookback-delta), so at this interval or longer, series vanish from
# queries between two samples.
LOOKBACK_DELTA_MS = 5 * 60 * 1000

_THRESHOLD_PAIRS = (
    ("error_ratio_warning", "error_ratio_critical"),
    ("latency_p95_warning_seconds", "latency_p95_critical_seconds"),
    ("pool_utilization_warning", "pool_utilization_critical"),
)


def format_value(document: LocatedDocument, json_path: JsonPath, value: Any) -> str:
    """Format a configuration value for an error message: strings quoted, other
    scalars as written in the file."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    written = document.plain_text(json_path)
    if written:
        return written
    if value is None:
        return "null"
    return json.dumps(value, ensure_ascii=False, default=str)


def yaml_type_name(value: Any) -> str:
    """Return what YAML made of an unquoted scalar, such as `the boolean true`."""
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, datetime.date):
        return "a date"
    if value is None:
        return "null"
    return f"a {type(value).__name__}"


def reject_non_finite_numbers(document: LocatedDocument) -> None:
    """Reject .inf, .nan and numbers too large for a float anywhere in the file.

    JSON Schema bounds do not reject them: NaN compares false with every bound.
    """
    for json_path, value in _walk(document.data, ()):
        if isinstance(value, float) and not math.isfinite(value):
            raise ConfigError(
                f"invalid value for {format_json_path(json_path)}: "
                f"{format_value(document, json_path, value)} is not a finite number",
                location=document.location(json_path),
                hint="use a finite number; YAML reads .inf, .nan and numbers "
                "beyond about 1.8e308 as infinite or not a number",
            )


def _walk(value: Any, json_path: JsonPath) -> Any:
    yield json_path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, (*json_path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, (*json_path, index))


def validate_config(config: ServiceConfig, document: LocatedDocument) -> None:
    """Check what the schema cannot: value pairs, templates, regex and intervals."""
    _validate_thresholds(config, document)
    _validate_template_text(document)
    _validate_pod_regex(config, document)
    _validate_intervals(config, document)


def _validate_thresholds(config: ServiceConfig, document: LocatedDocument) -> None:
    thresholds = config.thresholds
    for warning_key, critical_key in _THRESHOLD_PAIRS:
        warning = getattr(thresholds, warning_key)
        critical = getattr(thresholds, critical_key)
        if warning >= critical:
            raise ConfigError(
                f"invalid value for thresholds.{warning_key}: {warning} is not below "
                f"thresholds.{critical_key} ({critical})",
                location=document.location(("thresholds", warning_key)),
                hint="the warning threshold must be below the critical one",
            )


def _validate_template_text(document: LocatedDocument) -> None:
    for section, key in TEMPLATED_KEYS:
        value = document.data.get(section, {}).get(key)
        if value is None:
            continue
        for braces in ("{{", "}}"):
            if braces in value:
                raise ConfigError(
                    f"invalid value for {section}.{key}: {json.dumps(value)} "
                    f"contains {braces!r}",
                    location=document.location((section, key)),
                    hint="remove the braces: Prometheus and Alertmanager read "
                    "{{ ... }} in label, annotation and notification text as a "
                    "Go template",
                )


def _validate_pod_regex(config: ServiceConfig, document: LocatedDocument) -> None:
    # Prometheus checks the regex as the selector's matcher, and so does
    # promql_parser. NOTE: promql_parser uses Rust's regex crate, which accepts
    # a few patterns that Go's RE2 in Prometheus 2.42 rejects, such as a**,
    # (?<name>x) and repeat counts above 1000. promtool in obsgen test still
    # reports those.
    try:
        promql_parser.parse(f"up{{pod=~{quote(config.pod_regex)}}}")
    except ValueError:
        # promql_parser reports only "illegal regex", without the reason.
        raise ConfigError(
            f"invalid value for kubernetes.pod_regex: {json.dumps(config.pod_regex)} "
            "is not a valid RE2 regular expression",
            location=document.location(("kubernetes", "pod_regex")),
            hint="fix the regular expression; Prometheus matches it against the "
            "whole pod name, such as example-service-.*",
        ) from None


def _validate_intervals(config: ServiceConfig, document: LocatedDocument) -> None:
    intervals = {
        "scrape_interval": config.scrape_interval,
        "evaluation_interval": config.evaluation_interval,
    }
    for key, text in intervals.items():
        milliseconds = parse_duration(text)
        location = document.location(("prometheus", key))
        if milliseconds == 0:
            raise ConfigError(
                f'invalid value for prometheus.{key}: "{text}"',
                location=location,
                hint="expected a duration above 0, such as 15s",
            )
        if milliseconds >= LOOKBACK_DELTA_MS:
            raise ConfigError(
                f'invalid value for prometheus.{key}: "{text}" is not shorter '
                f"than {format_duration(LOOKBACK_DELTA_MS)}",
                location=location,
                hint="use 2m or less: Prometheus queries take the newest sample "
                "up to 5m old, so a series vanishes when its samples are further "
                "apart, and 2m leaves room for one missed sample",
            )

    scrape = parse_duration(config.scrape_interval)
    evaluation = parse_duration(config.evaluation_interval)
    if scrape > evaluation:
        # Not an error: the rules stay correct, they only run again on the
        # same samples.
        logger.warning(
            "warning: prometheus.scrape_interval %s is longer than "
            "prometheus.evaluation_interval %s, so rules are evaluated again on "
            "the same samples\n  at %s\n  hint: set evaluation_interval to the "
            "scrape interval or longer",
            config.scrape_interval,
            config.evaluation_interval,
            document.location(("prometheus", "scrape_interval")),
        )
