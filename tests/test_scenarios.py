"""Scenarios: the definition API, the promtool test files and `obsgen test`.

Every test that runs scenarios runs the real promtool.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import textwrap
from fractions import Fraction
from pathlib import Path

import pytest
import yaml

from obsgen import (
    STALE,
    AlertingRule,
    ExpectedAlert,
    InputSeries,
    Sample,
    fires,
    stays_silent,
)
from obsgen.bundle.build import build_bundle
from obsgen.definitions.notation import (
    format_number,
    format_values,
    parse_values,
    to_fraction,
)
from obsgen.errors import DefinitionError

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_CONFIG = ROOT / "examples" / "example-service" / "service.yaml"
PROMTOOL = shutil.which("promtool")

# A rule module with one alert; {scenarios} is replaced by the scenarios list.
ONE_ALERT = """\
from obsgen import AlertingRule, ExpectedAlert, fires, rule_group, stays_silent
from obsgen.definitions.shapes import target_up


@rule_group("probe")
def probe(service):
    job = {{"job": service.job, "namespace": service.namespace}}
    yield AlertingRule(
        alert="TargetDown",
        expr=f"sum by (namespace, job) (up{{{{{{service.selector}}}}}}) == 0",
        for_="1m",
        labels={{"severity": "critical"}},
        annotations={{
            "summary": "{{{{ $labels.job }}}} is down",
            "description": "No target of the job is up.",
            "runbook_url": "https://runbooks.example.com/target-down",
        }},
        scenarios=[
{scenarios}
        ],
    )
"""

FIRING = """\
            fires(
                "the target is down",
                series=target_up(service, up=0),
                at="5m",
                alerts=ExpectedAlert(
                    labels=job, annotations={{"summary": "{summary}"}}
                ),
            ),"""

SILENT = """\
            stays_silent("the target is up", series=target_up(service), at="5m"),"""


@pytest.fixture(scope="module", autouse=True)
def promtool_installed():
    assert PROMTOOL is not None, "promtool not found: install Debian's prometheus"


def run_obsgen(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "obsgen", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def make_project(tmp_path: Path, modules: dict[str, str]) -> list[str]:
    """Write rule modules into tmp_path/rules; return the project options."""
    rules = tmp_path / "rules"
    rules.mkdir()
    (tmp_path / "dashboards").mkdir()
    for name, text in modules.items():
        (rules / name).write_text(text)
    return [
        "--config",
        str(EXAMPLE_CONFIG),
        "--rules",
        str(rules),
        "--dashboards",
        str(tmp_path / "dashboards"),
    ]


def one_alert(*scenarios: str) -> str:
    return ONE_ALERT.format(scenarios="\n".join(scenarios))


def line_of(text: str, needle: str) -> int:
    """Return the 1-based line of the first line of `text` containing `needle`."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in text")


@pytest.fixture(scope="module")
def example_bundle(tmp_path_factory) -> Path:
    """The example service's bundle, built once, without dashboards."""
    out = tmp_path_factory.mktemp("example") / "bundle"
    dashboards = tmp_path_factory.mktemp("no-dashboards")
    result = run_obsgen(
        "build",
        "--config",
        str(EXAMPLE_CONFIG),
        "--dashboards",
        str(dashboards),
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def example_build(tmp_path_factory):
    """The example service's rule groups with their scenario objects."""
    dashboards = tmp_path_factory.mktemp("no-dashboards")
    bundle = build_bundle(EXAMPLE_CONFIG, ROOT / "rules", dashboards)
    return bundle


# Expanding notation and exact numbers


def test_notation_expands_like_promtool():
    points = parse_values("1x2 _x2 5 stale 0+10x3 4-1x2")

    assert points[:3] == (1, 1, 1)
    assert points[3:5] == (None, None)
    assert points[5] == 5
    assert points[6] is STALE
    assert points[7:11] == (0, 10, 20, 30)
    assert points[11:] == (4, 3, 2)


def test_notation_round_trips():
    text = "0+10x20 _x2 stale 5 1x30"

    assert format_values(parse_values(text)) == text


def test_notation_rejects_inexact_float_steps():
    with pytest.raises(ValueError, match="not exact in promtool"):
        parse_values("0+0.1x10")


def test_notation_rejects_unknown_tokens():
    with pytest.raises(ValueError, match="invalid token 'abc'"):
        parse_values("1 abc")


def test_values_list_exact_decimals():
    values = [Fraction(12 * minute, 10) for minute in range(5)]

    # 1.2 is no float64, so each value is written exactly rather than as
    # a float sum that drifts.
    assert format_values(values) == "0 1.2 2.4 3.6 4.8"


def test_dyadic_steps_stay_short():
    assert format_values([Fraction(minute, 2) for minute in range(6)]) == "0+0.5x5"


def test_format_number_is_exact():
    assert format_number(Fraction(1, 20)) == "0.05"
    assert format_number(Fraction(1, 1024)) == "0.0009765625"
    assert format_number(Fraction(-3, 8)) == "-0.375"
    assert format_number(Fraction(268435456)) == "268435456"


def test_format_number_rejects_endless_decimals():
    with pytest.raises(ValueError, match="no finite decimal"):
        format_number(Fraction(1, 3))


def test_float_noise_is_rejected():
    with pytest.raises(ValueError, match="0.30000000000000004"):
        to_fraction(0.1 * 3)


def test_short_floats_are_exact():
    assert to_fraction(0.05) == Fraction(1, 20)
    assert to_fraction("2.5") == Fraction(5, 2)


# The definition API


def test_input_series_sorts_labels():
    series = InputSeries('up{namespace="b", job="a"}', "1x3")

    assert series.series == 'up{job="a", namespace="b"}'
    assert series.values == "1x3"


def test_input_series_rejects_regex_matchers():
    with pytest.raises(DefinitionError, match="matcher other than ="):
        InputSeries('up{job=~"a.*"}', "1")


def test_input_series_error_names_its_line():
    line = sys._getframe().f_lineno + 2
    with pytest.raises(DefinitionError) as raised:
        InputSeries("up", "0+0.1x10")

    assert raised.value.location.path == __file__
    assert raised.value.location.line == line


def test_scenario_records_its_line():
    line = sys._getframe().f_lineno + 1
    scenario = stays_silent("idle", series=InputSeries("up", "1x5"), at="5m")

    assert scenario.location.path == __file__
    assert scenario.location.line == line


def test_sample_rejects_float_noise():
    with pytest.raises(DefinitionError, match="rounding noise"):
        Sample({}, 0.1 + 0.2)


def test_expected_alert_must_state_templated_annotations():
    scenario = fires(
        "down",
        series=InputSeries("up", "0x5"),
        at="5m",
        alerts=ExpectedAlert(labels={}),
    )

    with pytest.raises(DefinitionError, match="rendered 'summary' annotation"):
        AlertingRule(
            alert="Down",
            expr="up == 0",
            annotations={"summary": "{{ $labels.job }} is down"},
            scenarios=[scenario],
        )


def test_expected_alert_cannot_contradict_rule_labels():
    scenario = fires(
        "down",
        series=InputSeries("up", "0x5"),
        at="5m",
        alerts=ExpectedAlert(labels={"severity": "warning"}),
    )

    with pytest.raises(DefinitionError, match="the rule sets severity='critical'"):
        AlertingRule(
            alert="Down",
            expr="up == 0",
            labels={"severity": "critical"},
            scenarios=[scenario],
        )


def test_scenario_descriptions_must_differ():
    first = stays_silent("up", series=InputSeries("up", "1x5"), at="5m")
    second = stays_silent("up", series=InputSeries("up", "1x5"), at="6m")

    with pytest.raises(DefinitionError, match="two scenarios are described as 'up'"):
        AlertingRule(alert="Down", expr="up == 0", scenarios=[first, second])


def test_firing_scenario_needs_an_alert():
    with pytest.raises(DefinitionError, match="expects no alert"):
        fires("down", series=InputSeries("up", "0x5"), at="5m", alerts=[])


# Build checks


def test_build_rejects_alert_without_firing_scenario(tmp_path):
    text = one_alert(SILENT)
    options = make_project(tmp_path, {"probe.py": text})

    result = run_obsgen("build", *options, "--out", str(tmp_path / "out"))

    assert result.returncode == 3
    assert "alert 'TargetDown' has no firing scenario" in result.stderr
    assert f"probe.py:{line_of(text, 'yield AlertingRule(')}" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_build_rejects_alert_without_silent_scenario(tmp_path):
    text = one_alert(FIRING.format(summary="example-service is down"))
    options = make_project(tmp_path, {"probe.py": text})

    result = run_obsgen("build", *options, "--out", str(tmp_path / "out"))

    assert result.returncode == 3
    assert "alert 'TargetDown' has no silent scenario" in result.stderr
    assert f"probe.py:{line_of(text, 'yield AlertingRule(')}" in result.stderr


def test_build_rejects_alert_without_scenarios(tmp_path):
    text = one_alert()
    options = make_project(tmp_path, {"probe.py": text})

    result = run_obsgen("build", *options, "--out", str(tmp_path / "out"))

    assert result.returncode == 3
    assert "has no firing scenario and no silent scenario" in result.stderr


# The generated test files


def test_test_files_sit_beside_rule_files(example_bundle):
    tests = sorted(
        path.name for path in (example_bundle / "prometheus/tests").iterdir()
    )

    assert tests == [
        "availability.test.yaml",
        "database.test.yaml",
        "health_checks.test.yaml",
        "http.test.yaml",
    ]
    document = yaml.safe_load(
        (example_bundle / "prometheus/tests/http.test.yaml").read_text()
    )
    assert document["rule_files"] == ["../rules/http.rules.yaml"]


def test_test_files_have_no_float_noise(example_bundle):
    # 16 or more significant digits in a row are float noise such as
    # 0.0009999999999999432; exact decimals of the scenarios are shorter.
    noise = re.compile(r"\d*\.\d{15,}|\d{16,}")
    for path in (example_bundle / "prometheus/tests").iterdir():
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            assert not noise.search(line), f"{path.name}:{number}: {line}"


def test_expected_values_are_written_exactly(example_bundle):
    text = (example_bundle / "prometheus/tests/http.test.yaml").read_text()

    # The error ratio of a 10% burst and the p99 inside the bucket (2.5, 5].
    assert "value: 0.1\n" in text
    assert "value: 4.975\n" in text


def test_test_files_are_deterministic(example_bundle, tmp_path):
    result = run_obsgen(
        "build",
        "--config",
        str(EXAMPLE_CONFIG),
        "--dashboards",
        str(tmp_path),
        "--out",
        str(tmp_path / "again"),
    )

    assert result.returncode == 0, result.stderr
    for path in (example_bundle / "prometheus/tests").iterdir():
        again = tmp_path / "again/prometheus/tests" / path.name
        assert again.read_bytes() == path.read_bytes(), path.name


def test_firing_expectation_has_all_labels_and_annotations(example_bundle):
    document = yaml.safe_load(
        (example_bundle / "prometheus/tests/http.test.yaml").read_text()
    )
    test = next(
        test
        for test in document["tests"]
        if test["name"]
        == "HighErrorRate fires: twice the critical ratio of requests fail"
    )
    expected = test["alert_rule_test"][0]["exp_alerts"][0]

    assert expected["exp_labels"] == {
        "job": "example-service",
        "namespace": "production",
        "service": "example-service",
        "severity": "critical",
        "team": "platform",
    }
    assert expected["exp_annotations"]["description"].startswith(
        "Error rate is 10% (threshold: 5%)."
    )
    assert expected["exp_annotations"]["summary"] == "High error rate detected"


# Coverage of the example service

CHECKLIST_ALERTS = {
    "ServiceUnhealthy",
    "ServiceDegraded",
    "HealthCheckFlapping",
    "DatabasePoolHighUtilization",
    "DatabasePoolNearExhaustion",
    "HighErrorRate",
    "ElevatedErrorRate",
    "HighLatency",
    "VeryHighLatency",
    "HealthCheckErrors",
    "NoHealthyInstances",
}

# Alerts on ratios, rates and presence; each needs a scenario without traffic.
NO_TRAFFIC_WORDS = (
    "no traffic",
    "idle",
    "without traffic",
    "no transitions",
    "no check errors",
)
NEEDS_NO_TRAFFIC = {
    "NoHealthyInstances",
    "HealthCheckMissing",
    "HealthCheckFlapping",
    "HealthCheckErrors",
    "DatabasePoolHighUtilization",
    "DatabasePoolNearExhaustion",
    "DatabasePoolCheckoutTimeouts",
    "HighErrorRate",
    "ElevatedErrorRate",
    "HighLatency",
    "VeryHighLatency",
    "LatencyRegression",
}


def example_alerts(bundle) -> list[AlertingRule]:
    return [rule for _, group in bundle.rule_groups for rule in group.alerts]


def test_every_example_alert_fires_and_stays_silent(example_build):
    alerts = example_alerts(example_build)

    assert CHECKLIST_ALERTS <= {rule.alert for rule in alerts}
    for rule in alerts:
        assert rule.firing_scenarios, rule.alert
        assert rule.silent_scenarios, rule.alert


def test_every_example_alert_has_vanished_series(example_build):
    for rule in example_alerts(example_build):
        vanishing = [
            scenario
            for scenario in rule.scenarios
            if any(STALE in series.points for series in scenario.series)
        ]
        assert vanishing, f"{rule.alert} {dict(rule.labels)}"


def test_ratio_and_presence_alerts_have_no_traffic(example_build):
    for rule in example_alerts(example_build):
        if rule.alert not in NEEDS_NO_TRAFFIC:
            continue
        descriptions = [scenario.description for scenario in rule.scenarios]
        assert any(
            word in description
            for description in descriptions
            for word in NO_TRAFFIC_WORDS
        ), f"{rule.alert}: {descriptions}"


def test_per_provider_alerts_have_per_provider_scenarios(example_build):
    for rule in example_alerts(example_build):
        provider = rule.labels.get("provider")
        if provider is None:
            continue
        for scenario in rule.firing_scenarios:
            for alert in scenario.alerts:
                assert alert.labels["provider"] == provider


def test_scenarios_follow_enabled_providers(tmp_path):
    config = yaml.safe_load(EXAMPLE_CONFIG.read_text())
    config["health"]["providers"] = {
        "database": {"enabled": True, "critical_for_readiness": True},
        "cache": {"enabled": True},
        "consul": {"enabled": False},
    }
    # The copy lives elsewhere, so its catalog path must not be relative.
    config["catalog"] = str(ROOT / "catalogs/fastapi-template.yaml")
    config_path = tmp_path / "service.yaml"
    config_path.write_text(yaml.safe_dump(config))
    (tmp_path / "dashboards").mkdir()

    bundle = build_bundle(config_path, ROOT / "rules", tmp_path / "dashboards")
    text = bundle.files["prometheus/tests/health_checks.test.yaml"].decode()

    assert 'ServiceUnhealthy{provider="cache", severity="warning"} fires' in text
    assert 'ServiceUnhealthy{provider="database", severity="critical"} fires' in text
    assert "consul" not in text


# obsgen test with the real promtool


def test_obsgen_test_passes_on_example(tmp_path):
    result = run_obsgen(
        "test", "--config", str(EXAMPLE_CONFIG), "--dashboards", str(tmp_path)
    )

    assert result.returncode == 0, result.stderr
    assert "29 of 29 alerts (100%) have a firing and a silent scenario" in result.stdout
    assert re.search(r"^HighErrorRate\s+1\s+6$", result.stdout, re.MULTILINE)
    assert re.search(
        r'^ServiceUnhealthy\{provider="cache", severity="warning"\}\s+1\s+5$',
        result.stdout,
        re.MULTILINE,
    )
    assert "promtool passed" in result.stderr


def test_committed_bundle_runs_in_promtool(example_bundle):
    tests = [
        "prometheus/tests/availability.test.yaml",
        "prometheus/tests/database.test.yaml",
    ]

    result = subprocess.run(
        [PROMTOOL, "test", "rules", *tests],
        cwd=example_bundle,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stdout + result.stderr


def test_obsgen_test_fails_on_wrong_annotation(tmp_path):
    text = one_alert(FIRING.format(summary="example-service is up"), SILENT)
    options = make_project(tmp_path, {"probe.py": text})

    result = run_obsgen("test", *options)

    assert result.returncode == 1
    assert "FAILED TargetDown fires: the target is down" in result.stderr
    assert f"probe.py:{line_of(text, 'fires(')}" in result.stderr
    assert 'summary="example-service is down"' in result.stderr
    assert "1 of 2 scenarios failed in promtool" in result.stderr


def test_obsgen_test_passes_on_right_annotation(tmp_path):
    text = one_alert(FIRING.format(summary="example-service is down"), SILENT)
    options = make_project(tmp_path, {"probe.py": text})

    result = run_obsgen("test", *options)

    assert result.returncode == 0, result.stderr
    assert "1 of 1 alerts (100%)" in result.stdout


def test_obsgen_test_fails_when_pending_is_wrong(tmp_path):
    # The target is down from minute 0, so at 5m the alert fires, not pends.
    pending = """\
            stays_silent(
                "down for a moment",
                series=target_up(service, up=0),
                at="5m",
                pending=1,
            ),"""
    text = one_alert(FIRING.format(summary="example-service is down"), pending)
    options = make_project(tmp_path, {"probe.py": text})

    result = run_obsgen("test", *options)

    assert result.returncode == 1
    assert "FAILED TargetDown stays silent: down for a moment" in result.stderr


NAN_RATIO = """\
from obsgen import RecordingRule, Sample, records, rule_group
from obsgen.definitions.shapes import counter, target_labels


@rule_group("ratio")
def ratio(service):
    labels = target_labels(service)
    yield RecordingRule(
        record="instance:errors:ratio",
        expr="rate(errors_total[5m]) / rate(requests_total[5m])",
        suppress={"catalog/unknown-metric": "a made-up service for this test"},
        scenarios=[
            records(
                "no traffic records no sample, not NaN",
                series=[
                    counter("errors_total", labels, 0),
                    counter("requests_total", labels, 0),
                ],
                at="10m",
            ),
        ],
    )
"""


def test_obsgen_test_catches_nan_ratio(tmp_path):
    options = make_project(tmp_path, {"ratio.py": NAN_RATIO})

    result = run_obsgen("test", *options)

    assert result.returncode == 1
    assert "FAILED instance:errors:ratio records: no traffic" in result.stderr
    assert "NaN" in result.stderr
    assert f"ratio.py:{line_of(NAN_RATIO, 'records(')}" in result.stderr


def test_obsgen_test_fails_on_promtool_warning(example_bundle, tmp_path):
    bundle = tmp_path / "bundle"
    shutil.copytree(example_bundle, bundle)
    test_file = bundle / "prometheus/tests/database.test.yaml"
    text = test_file.read_text()
    # A pattern that matches no file: promtool warns and still passes.
    test_file.write_text(
        text.replace(
            "  - ../rules/database.rules.yaml\n",
            "  - ../rules/database.rules.yaml\n  - ../rules/missing-*.yaml\n",
        )
    )
    direct = subprocess.run(
        [PROMTOOL, "test", "rules", str(test_file)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    result = run_obsgen("test", "--bundle", str(bundle))

    assert direct.returncode == 0
    assert "WARNING" in direct.stderr
    assert result.returncode == 1
    assert "no file match pattern ../rules/missing-*.yaml" in result.stderr
    assert "which obsgen counts as failures" in result.stderr


def test_obsgen_test_without_promtool(tmp_path):
    result = run_obsgen(
        "test",
        "--dashboards",
        str(tmp_path),
        "--promtool",
        str(tmp_path / "no-promtool"),
    )

    assert result.returncode == 4
    assert "promtool not found" in result.stderr
    assert "Debian's prometheus package" in result.stderr


def test_obsgen_test_on_bundle_without_tests(tmp_path):
    result = run_obsgen("test", "--bundle", str(tmp_path))

    assert result.returncode == 3
    assert "no promtool test files" in result.stderr


def test_one_alert_module_is_valid_python():
    # The templates above must stay valid Python, or the build tests would
    # fail for the wrong reason.
    compile(one_alert(SILENT), "probe.py", "exec")
    compile(textwrap.dedent(NAN_RATIO), "ratio.py", "exec")


def test_obsgen_test_rejects_alert_without_scenarios(tmp_path):
    text = one_alert(SILENT)
    options = make_project(tmp_path, {"probe.py": text})

    result = run_obsgen("test", *options)

    assert result.returncode == 3
    assert "alert 'TargetDown' has no firing scenario" in result.stderr
    assert f"probe.py:{line_of(text, 'yield AlertingRule(')}" in result.stderr
