"""Alerting and recording rules and the groups they are evaluated in."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import promql_parser

from obsgen.definitions.collect import function_location, record_definition
from obsgen.definitions.labels import freeze_string_map
from obsgen.definitions.scenarios import (
    AlertScenario,
    ExprScenario,
    check_expected_alert,
    check_scenarios,
)
from obsgen.definitions.suppress import validate_suppressions
from obsgen.duration import DURATION_HINT, parse_duration
from obsgen.errors import DefinitionError, SourceLocation, caller_location
from obsgen.lint.gotemplate import check_template

if TYPE_CHECKING:
    from obsgen.config.service import ServiceConfig

METRIC_NAME_RE = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
ALERT_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")

# Go's text/template prints a `}}` outside an action as text, so Prometheus
# accepts it. The lint check alerts/template-syntax still reports it.
_ACCEPTED_BY_GO = "'}}' without an opening"


def _check_expr(owner: str, expr: str, location: SourceLocation | None) -> str:
    if not isinstance(expr, str) or not expr.strip():
        raise DefinitionError(
            f"{owner}: expr must be a non-empty PromQL string, got {expr!r}",
            location=location,
        )
    try:
        promql_parser.parse(expr)
    except ValueError as error:
        raise DefinitionError(
            f"{owner}: invalid PromQL in expr: {error}",
            location=location,
            hint=f"fix the expression {expr.strip()!r}",
        ) from None
    return expr.strip()


def _check_templates(
    owner: str,
    labels: Mapping[str, str],
    annotations: Mapping[str, str],
    location: SourceLocation | None,
) -> None:
    # Prometheus rejects a whole rule file when one template does not parse,
    # so this is a definition error that no lint suppression can turn off.
    for kind, values in (("label", labels), ("annotation", annotations)):
        for name, text in values.items():
            errors = [
                error
                for error in check_template(text).errors
                if not error.startswith(_ACCEPTED_BY_GO)
            ]
            if errors:
                raise DefinitionError(
                    f"{owner}: invalid Go template in {kind} {name!r}: {errors[0]}",
                    location=location,
                    hint="Prometheus rejects the rule file otherwise; to print "
                    "'{{' as text, write {{ \"{{\" }}",
                )


def _check_duration(
    owner: str, key: str, value: str | None, location: SourceLocation | None
) -> None:
    if value is None:
        return
    try:
        parse_duration(value)
    except ValueError:
        raise DefinitionError(
            f"{owner}: invalid {key} duration {value!r}",
            location=location,
            hint=DURATION_HINT,
        ) from None


@dataclass(frozen=True)
class AlertingRule:
    """A Prometheus alerting rule.

    `for_` is Prometheus' `for` (a Python keyword). Labels and annotations are
    strings; annotations may use Prometheus' Go templates such as
    `{{ $labels.provider }}`. `threshold` describes the firing condition for
    people, such as "error ratio > 5%"; it goes into the bundle index only.
    `inhibits` names alerts that Alertmanager mutes while this one fires, such
    as the warning that a critical alert of the same condition supersedes.
    `suppress` maps lint check ids to the reason each finding is accepted,
    such as `{"promql/ratio-guard": "requests never drop to zero"}`.
    `scenarios` prove that the rule fires and stays silent when it should; a
    build requires at least one of each.
    """

    alert: str
    expr: str
    for_: str | None = None
    keep_firing_for: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)
    threshold: str | None = None
    inhibits: tuple[str, ...] = ()
    suppress: Mapping[str, str] = field(default_factory=dict, compare=False)
    scenarios: tuple[AlertScenario, ...] = ()
    location: SourceLocation | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        location = self.location or caller_location()
        object.__setattr__(self, "location", location)
        if not isinstance(self.alert, str) or not ALERT_NAME_RE.match(self.alert):
            raise DefinitionError(
                f"invalid alert name {self.alert!r}",
                location=location,
                hint="use letters, digits and underscores, starting with a letter, "
                "such as HighErrorRate",
            )
        owner = f"alert {self.alert!r}"
        object.__setattr__(self, "expr", _check_expr(owner, self.expr, location))
        _check_duration(owner, "for", self.for_, location)
        _check_duration(owner, "keep_firing_for", self.keep_firing_for, location)
        labels = freeze_string_map(
            owner, "label", self.labels, location, reject_reserved=True
        )
        annotations = freeze_string_map(owner, "annotation", self.annotations, location)
        object.__setattr__(self, "labels", labels)
        object.__setattr__(self, "annotations", annotations)
        _check_templates(owner, labels, annotations, location)
        inhibits = (self.inhibits,) if isinstance(self.inhibits, str) else self.inhibits
        for name in inhibits:
            if not isinstance(name, str) or not ALERT_NAME_RE.match(name):
                raise DefinitionError(
                    f"{owner}: invalid alert name {name!r} in inhibits",
                    location=location,
                    hint="list the names of alerts, such as ('ElevatedErrorRate',)",
                )
        object.__setattr__(self, "inhibits", tuple(inhibits))
        suppress = validate_suppressions(owner, self.suppress, location)
        object.__setattr__(self, "suppress", suppress)
        scenarios = check_scenarios(owner, self.scenarios, AlertScenario, location)
        for scenario in scenarios:
            for expected in scenario.alerts:
                check_expected_alert(owner, labels, annotations, scenario, expected)
        object.__setattr__(self, "scenarios", scenarios)

    @property
    def name(self) -> str:
        return self.alert

    @property
    def firing_scenarios(self) -> tuple[AlertScenario, ...]:
        return tuple(scenario for scenario in self.scenarios if scenario.fires)

    @property
    def silent_scenarios(self) -> tuple[AlertScenario, ...]:
        return tuple(scenario for scenario in self.scenarios if not scenario.fires)


@dataclass(frozen=True)
class RecordingRule:
    """A Prometheus recording rule, named `level:metric:operations`.

    `suppress` maps lint check ids to reasons, as for AlertingRule.
    `scenarios` state the samples the rule records from given input series.
    """

    record: str
    expr: str
    labels: Mapping[str, str] = field(default_factory=dict)
    suppress: Mapping[str, str] = field(default_factory=dict, compare=False)
    scenarios: tuple[ExprScenario, ...] = ()
    location: SourceLocation | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        location = self.location or caller_location()
        object.__setattr__(self, "location", location)
        if not isinstance(self.record, str) or not METRIC_NAME_RE.match(self.record):
            raise DefinitionError(
                f"invalid recording rule name {self.record!r}",
                location=location,
                hint="use a metric name of the form level:metric:operations, "
                "such as job:http_requests:rate5m",
            )
        owner = f"recording rule {self.record!r}"
        object.__setattr__(self, "expr", _check_expr(owner, self.expr, location))
        labels = freeze_string_map(
            owner, "label", self.labels, location, reject_reserved=True
        )
        object.__setattr__(self, "labels", labels)
        suppress = validate_suppressions(owner, self.suppress, location)
        object.__setattr__(self, "suppress", suppress)
        scenarios = check_scenarios(owner, self.scenarios, ExprScenario, location)
        object.__setattr__(self, "scenarios", scenarios)

    @property
    def name(self) -> str:
        return self.record


Rule = AlertingRule | RecordingRule


@dataclass(frozen=True)
class RuleGroup:
    """A named group of rules that Prometheus evaluates together, in order."""

    name: str
    rules: tuple[Rule, ...]
    interval: str | None = None
    location: SourceLocation | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        location = self.location or caller_location()
        object.__setattr__(self, "location", location)
        if not isinstance(self.name, str) or not self.name.strip():
            raise DefinitionError(
                f"invalid rule group name {self.name!r}",
                location=location,
                hint="give the group a non-empty name such as http_errors",
            )
        _check_duration(
            f"rule group {self.name!r}", "interval", self.interval, location
        )
        rules = tuple(self.rules)
        for rule in rules:
            if not isinstance(rule, (AlertingRule, RecordingRule)):
                raise DefinitionError(
                    f"rule group {self.name!r} contains {rule!r}, which is not an "
                    "AlertingRule or RecordingRule",
                    location=location,
                    hint="yield only AlertingRule and RecordingRule objects",
                )
        if not rules:
            raise DefinitionError(
                f"rule group {self.name!r} has no rules",
                location=location,
                hint="yield at least one rule, or remove the group",
            )
        object.__setattr__(self, "rules", rules)

    @property
    def alerts(self) -> tuple[AlertingRule, ...]:
        return tuple(rule for rule in self.rules if isinstance(rule, AlertingRule))


RulesFunction = Callable[["ServiceConfig"], Iterable[Rule]]


@dataclass(frozen=True)
class RuleGroupDefinition:
    """A function that yields a group's rules for a given service configuration.

    `name` is the name given to `rule_group`; the group in the bundle is
    named `<service name>.<name>`.
    """

    name: str
    function: RulesFunction
    interval: str | None
    location: SourceLocation

    def build(self, service: ServiceConfig) -> RuleGroup | None:
        """Call the definition and return the validated group.

        Returns None when the function yields no rules, as a group does when
        the configuration disables what it monitors. Raises DefinitionError
        when the function returns None or a value that is not a collection of
        rules, which is nearly always a missing `yield`.
        """
        result = self.function(service)
        if not inspect.isgenerator(result):
            _check_returned_rules(self, result)
        rules = tuple(result)
        if not rules:
            return None
        return RuleGroup(
            name=f"{service.name}.{self.name}",
            rules=rules,
            interval=self.interval or service.evaluation_interval,
            location=self.location,
        )


def _check_returned_rules(definition: RuleGroupDefinition, result: object) -> None:
    owner = f"rule group {definition.name!r}"
    if result is None:
        raise DefinitionError(
            f"{owner}: the function returned None instead of yielding rules",
            location=definition.location,
            hint="yield each rule, as in `yield AlertingRule(...)`; a function "
            "without yield must return a list of rules, empty to leave the group out",
        )
    rejected = isinstance(result, (str, bytes, Mapping))
    if rejected or not isinstance(result, Iterable):
        raise DefinitionError(
            f"{owner}: the function returned {type(result).__name__} {result!r:.60} "
            "instead of yielding rules",
            location=definition.location,
            hint="yield each rule, as in `yield AlertingRule(...)`, or return a "
            "list of rules",
        )


def rule_group(
    name: str, *, interval: str | None = None
) -> Callable[[RulesFunction], RuleGroupDefinition]:
    """Declare a rule group whose rules the decorated function yields.

    The function receives the ServiceConfig. The group in the bundle is named
    `<service name>.<name>`: `@rule_group("http")` becomes the group
    `payments.http` for the service `payments`. Group names must be unique
    across all rule modules, because the PrometheusRule lists the groups of
    every rule file together. A generator that yields nothing, or a function
    that returns an empty list, produces no group. That is how a group is
    left out when the configuration disables what it monitors. Without
    `interval`, the group is evaluated at the service's configured
    evaluation interval.
    """
    location = caller_location()
    if callable(name):
        raise DefinitionError(
            "rule_group is used without a group name",
            location=function_location(name) or location,
            hint='write @rule_group("name") with parentheses and a name',
        )
    if not isinstance(name, str) or not name.strip():
        raise DefinitionError(
            f"invalid rule group name {name!r}",
            location=location,
            hint='give the group a non-empty name, such as @rule_group("http")',
        )

    def decorate(function: RulesFunction) -> RuleGroupDefinition:
        where = function_location(function)
        if where is None:
            raise DefinitionError(
                f"rule_group({name!r}) decorates {function!r}, which is not a function",
                location=location,
                hint="put @rule_group on a def that yields the group's rules",
            )
        _check_duration(f"rule group {name!r}", "interval", interval, location or where)
        definition = RuleGroupDefinition(name, function, interval, where)
        record_definition(definition)
        return definition

    return decorate
