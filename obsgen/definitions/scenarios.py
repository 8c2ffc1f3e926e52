"""Scenarios: input series and the alerts or samples a rule must produce from them.

An alerting rule carries scenarios that prove it both ways: at least one in
which it fires, with the exact labels and rendered annotations of each alert,
and at least one in which it stays silent. A recording rule carries scenarios
that state the samples it records, or that it records none. obsgen compiles
them into promtool test files (`promtool test rules`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import promql_parser

from obsgen.definitions.labels import freeze_string_map
from obsgen.definitions.notation import (
    NOTATION_HINT,
    STALE,
    Number,
    Point,
    format_values,
    parse_values,
    to_fraction,
)
from obsgen.duration import DURATION_HINT, parse_duration
from obsgen.errors import DefinitionError, SourceLocation, caller_location

DEFAULT_INTERVAL = "1m"


def format_series(metric: str, labels: Mapping[str, str]) -> str:
    """Format a series as promtool and PromQL write it, labels sorted by name."""
    if not labels:
        return metric
    pairs = ", ".join(
        f'{name}="{_escape(value)}"' for name, value in sorted(labels.items())
    )
    return f"{metric}{{{pairs}}}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _check_duration(
    owner: str, key: str, value: str, location: SourceLocation | None
) -> int:
    try:
        return parse_duration(value)
    except ValueError:
        raise DefinitionError(
            f"{owner}: invalid {key} duration {value!r}",
            location=location,
            hint=DURATION_HINT,
        ) from None


@dataclass(frozen=True)
class InputSeries:
    """One input series: a series such as `up{job="api"}` and its values.

    `values` is promtool's expanding notation, such as `0+10x20`, or a sequence
    of points (numbers, None for a missing sample, STALE), one per interval.
    """

    series: str
    values: str | Sequence[Point]
    points: tuple[Point, ...] = field(init=False, repr=False, compare=False)
    location: SourceLocation | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        location = self.location or caller_location()
        object.__setattr__(self, "location", location)
        metric, labels = _parse_series(self.series, location)
        object.__setattr__(self, "series", format_series(metric, labels))
        owner = f"input series {self.series}"
        try:
            if isinstance(self.values, str):
                points = parse_values(self.values)
                text = " ".join(self.values.split())
            else:
                points = tuple(_point(value) for value in self.values)
                text = format_values(points)
        except ValueError as error:
            raise DefinitionError(
                f"{owner}: {error}", location=location, hint=NOTATION_HINT
            ) from None
        object.__setattr__(self, "values", text)
        object.__setattr__(self, "points", points)


def _point(value: object) -> Point:
    if value is None or value is STALE or isinstance(value, Fraction):
        return value  # type: ignore[return-value]
    return to_fraction(value)  # type: ignore[arg-type]


def _parse_series(text: str, location: SourceLocation | None) -> tuple[str, dict]:
    hint = 'write a series such as \'http_requests_total{job="api", status="500"}\''
    if not isinstance(text, str):
        raise DefinitionError(
            f"input series must be a string, got {type(text).__name__}",
            location=location,
            hint=hint,
        )
    try:
        expr = promql_parser.parse(text)
    except ValueError as error:
        raise DefinitionError(
            f"invalid input series {text!r}: {error}", location=location, hint=hint
        ) from None
    plain_selector = (
        isinstance(expr, promql_parser.VectorSelector)
        and expr.name
        and expr.offset is None
        and expr.at is None
    )
    if not plain_selector:
        raise DefinitionError(
            f"invalid input series {text!r}: it must be a metric name with labels",
            location=location,
            hint=hint,
        )
    labels = {}
    for matcher in expr.matchers.matchers:
        if matcher.op != promql_parser.MatchOp.Equal:
            raise DefinitionError(
                f"invalid input series {text!r}: label {matcher.name!r} uses a "
                "matcher other than =",
                location=location,
                hint="give every label one exact value with =",
            )
        labels[matcher.name] = matcher.value
    return expr.name, labels


def flatten_series(
    owner: str, series: object, location: SourceLocation | None
) -> tuple[InputSeries, ...]:
    """Flatten nested lists and tuples of InputSeries, rejecting anything else."""
    if isinstance(series, InputSeries):
        return (series,)
    if not isinstance(series, (list, tuple)):
        raise DefinitionError(
            f"{owner}: series must be InputSeries or lists of them, got "
            f"{type(series).__name__}",
            location=location,
        )
    flat: list[InputSeries] = []
    for item in series:
        flat.extend(flatten_series(owner, item, location))
    return tuple(flat)


def _check_scenario_base(
    owner: str,
    description: str,
    series: object,
    at: str,
    interval: str,
    location: SourceLocation | None,
) -> tuple[InputSeries, ...]:
    if not isinstance(description, str) or not description.strip():
        raise DefinitionError(
            f"{owner}: a scenario needs a description, got {description!r}",
            location=location,
            hint="describe the situation in a few words, such as "
            "'10% of requests fail'",
        )
    if "\n" in description or description != description.strip():
        raise DefinitionError(
            f"{owner}: scenario description {description!r} must be one line "
            "without surrounding spaces",
            location=location,
        )
    flat = flatten_series(owner, series, location)
    if not flat:
        raise DefinitionError(
            f"{owner}: scenario {description!r} has no input series",
            location=location,
            hint="give at least one series, such as target_up(service)",
        )
    seen: set[str] = set()
    for item in flat:
        if item.series in seen:
            raise DefinitionError(
                f"{owner}: scenario {description!r} has the input series "
                f"{item.series} twice",
                location=location,
                hint="give each series once; join its values into one string",
            )
        seen.add(item.series)
    _check_duration(owner, "eval time", at, location)
    if _check_duration(owner, "interval", interval, location) == 0:
        raise DefinitionError(
            f"{owner}: scenario {description!r} has a zero interval",
            location=location,
            hint="use the default 1m, or a duration such as 30s",
        )
    return flat


@dataclass(frozen=True)
class ExpectedAlert:
    """An alert expected to fire: the labels of its series, and its annotations.

    obsgen adds the rule's own labels, so `labels` contains only those that come
    from the expression, such as `instance`. `annotations` contains the rendered
    text of every annotation that uses a template, such as
    `{{ $value | humanizePercentage }}`; annotations without a template are
    copied from the rule.
    """

    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)
    location: SourceLocation | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        location = self.location or caller_location()
        object.__setattr__(self, "location", location)
        labels = freeze_string_map("expected alert", "label", self.labels, location)
        annotations = freeze_string_map(
            "expected alert", "annotation", self.annotations, location
        )
        object.__setattr__(self, "labels", labels)
        object.__setattr__(self, "annotations", annotations)


@dataclass(frozen=True)
class AlertScenario:
    """Input series, an evaluation time and the alerts firing at that time.

    No alerts means the rule must stay silent: no alert of its name fires.
    Series values are one per `interval`; `at` is the evaluation time counted
    from the first value, such as "20m". `pending` is the number of the rule's
    alerts that must be pending at `at`, because their condition holds for
    less than the rule's `for` duration.
    """

    description: str
    series: tuple[InputSeries, ...]
    at: str
    alerts: tuple[ExpectedAlert, ...] = ()
    interval: str = DEFAULT_INTERVAL
    pending: int = 0
    location: SourceLocation | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        location = self.location or caller_location()
        object.__setattr__(self, "location", location)
        owner = "alert scenario"
        flat = _check_scenario_base(
            owner, self.description, self.series, self.at, self.interval, location
        )
        object.__setattr__(self, "series", flat)
        alerts = self.alerts
        if isinstance(alerts, ExpectedAlert):
            alerts = (alerts,)
        alerts = tuple(alerts)
        for alert in alerts:
            if not isinstance(alert, ExpectedAlert):
                raise DefinitionError(
                    f"{owner} {self.description!r}: expected alerts must be "
                    f"ExpectedAlert, got {type(alert).__name__}",
                    location=location,
                )
        object.__setattr__(self, "alerts", alerts)
        if (
            isinstance(self.pending, bool)
            or not isinstance(self.pending, int)
            or (self.pending < 0)
        ):
            raise DefinitionError(
                f"{owner} {self.description!r}: pending must be a count of alerts, "
                f"got {self.pending!r}",
                location=location,
            )

    @property
    def fires(self) -> bool:
        return bool(self.alerts)


def fires(
    description: str,
    *,
    series: object,
    at: str,
    alerts: ExpectedAlert | Iterable[ExpectedAlert],
    interval: str = DEFAULT_INTERVAL,
) -> AlertScenario:
    """Declare a scenario in which the rule fires exactly `alerts` at `at`."""
    location = caller_location()
    if isinstance(alerts, ExpectedAlert):
        alerts = (alerts,)
    alerts = tuple(alerts)
    if not alerts:
        raise DefinitionError(
            f"firing scenario {description!r} expects no alert",
            location=location,
            hint="list the alerts that fire, or use stays_silent(...)",
        )
    return AlertScenario(description, series, at, alerts, interval, location=location)


def stays_silent(
    description: str,
    *,
    series: object,
    at: str,
    pending: int = 0,
    interval: str = DEFAULT_INTERVAL,
) -> AlertScenario:
    """Declare a scenario in which no alert of the rule's name fires at `at`.

    With `pending`, that many of the rule's alerts must be pending at `at`,
    which proves that the `for` duration delays them.
    """
    location = caller_location()
    return AlertScenario(
        description, series, at, (), interval, pending, location=location
    )


@dataclass(frozen=True)
class Sample:
    """A sample that a recording rule is expected to record.

    `labels` are the recorded series' labels without its name; obsgen adds the
    name and the rule's own labels. `value` is exact: an int, a Fraction, a
    Decimal, a decimal string, or a float without rounding noise.
    """

    labels: Mapping[str, str]
    value: Number
    location: SourceLocation | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        location = self.location or caller_location()
        object.__setattr__(self, "location", location)
        labels = freeze_string_map("expected sample", "label", self.labels, location)
        object.__setattr__(self, "labels", labels)
        try:
            value = to_fraction(self.value)
        except ValueError as error:
            raise DefinitionError(
                f"expected sample {dict(labels)}: {error}",
                location=location,
                hint="write the value as an int, Fraction, Decimal or string",
            ) from None
        object.__setattr__(self, "value", value)


@dataclass(frozen=True)
class ExprScenario:
    """Input series, an evaluation time and the samples a recording rule records.

    No samples means the rule must record nothing at that time; a ratio over
    no traffic must record no sample rather than NaN.
    """

    description: str
    series: tuple[InputSeries, ...]
    at: str
    samples: tuple[Sample, ...] = ()
    interval: str = DEFAULT_INTERVAL
    location: SourceLocation | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        location = self.location or caller_location()
        object.__setattr__(self, "location", location)
        owner = "expression scenario"
        flat = _check_scenario_base(
            owner, self.description, self.series, self.at, self.interval, location
        )
        object.__setattr__(self, "series", flat)
        samples = self.samples
        if isinstance(samples, Sample):
            samples = (samples,)
        samples = tuple(samples)
        for sample in samples:
            if not isinstance(sample, Sample):
                raise DefinitionError(
                    f"{owner} {self.description!r}: samples must be Sample, got "
                    f"{type(sample).__name__}",
                    location=location,
                )
        object.__setattr__(self, "samples", samples)


def records(
    description: str,
    *,
    series: object,
    at: str,
    samples: Sample | Iterable[Sample] = (),
    interval: str = DEFAULT_INTERVAL,
) -> ExprScenario:
    """Declare a scenario in which a recording rule records exactly `samples`."""
    location = caller_location()
    if isinstance(samples, Sample):
        samples = (samples,)
    return ExprScenario(
        description, series, at, tuple(samples), interval, location=location
    )


def check_scenarios(
    owner: str, scenarios: object, kind: type, location: SourceLocation | None
) -> tuple:
    """Return a rule's scenarios as a tuple, each of `kind` and described uniquely.

    The description names a scenario in promtool's output, so two scenarios of
    one rule must not share it.
    """
    if isinstance(scenarios, (AlertScenario, ExprScenario)):
        scenarios = (scenarios,)
    if not isinstance(scenarios, (list, tuple)):
        raise DefinitionError(
            f"{owner}: scenarios must be a list or tuple, got "
            f"{type(scenarios).__name__}",
            location=location,
        )
    if kind is AlertScenario:
        declare = "fires(...) or stays_silent(...)"
    else:
        declare = "records(...)"
    first_seen: dict[str, SourceLocation | None] = {}
    for scenario in scenarios:
        if not isinstance(scenario, kind):
            raise DefinitionError(
                f"{owner}: scenario {scenario!r} is not a {kind.__name__}",
                location=getattr(scenario, "location", None) or location,
                hint=f"declare the scenario with {declare}",
            )
        if scenario.description in first_seen:
            raise DefinitionError(
                f"{owner}: two scenarios are described as {scenario.description!r}, "
                f"first at {first_seen[scenario.description]}",
                location=scenario.location,
                hint="describe each scenario of a rule differently",
            )
        first_seen[scenario.description] = scenario.location
    return tuple(scenarios)


def check_expected_alert(
    owner: str,
    rule_labels: Mapping[str, str],
    rule_annotations: Mapping[str, str],
    scenario: AlertScenario,
    expected: ExpectedAlert,
) -> None:
    """Raise DefinitionError unless `expected` fits the alerting rule.

    Its labels must not contradict the rule's own, and it must state the
    rendered text of every annotation that uses a template: that text is
    what a person reads when the alert fires.
    """
    owner = f"{owner}, scenario {scenario.description!r}"
    for name, value in expected.labels.items():
        if name in rule_labels and rule_labels[name] != value:
            raise DefinitionError(
                f"{owner}: expected label {name}={value!r}, but the rule sets "
                f"{name}={rule_labels[name]!r}",
                location=scenario.location,
                hint="leave out the rule's own labels; obsgen adds them",
            )
    for name, template in rule_annotations.items():
        if "{{" in template and name not in expected.annotations:
            raise DefinitionError(
                f"{owner}: the expected alert does not state the rendered "
                f"{name!r} annotation, whose template is {template!r}",
                location=scenario.location,
                hint=f"add annotations={{{name!r}: '...'}} with the text a person "
                "reads when the alert fires",
            )
    for name in expected.annotations:
        if name not in rule_annotations:
            raise DefinitionError(
                f"{owner}: the expected alert states the annotation {name!r}, "
                "which the rule does not have",
                location=scenario.location,
                hint=f"use one of: {', '.join(sorted(rule_annotations)) or 'none'}",
            )
