"""Invalid service configurations: one error with the key, the line and a fix.

Each case is a whole configuration file. `# <-` marks the line the error must
point at.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.obsgen_cli import describe, run_obsgen
from tests.support.paths import EXAMPLE_CONFIG, REPO_ROOT
from tests.support.prometheus import find_tool

VALID = """\
service:
  name: example-service
prometheus:
  job: example-service
  namespace: production
grafana:
  folder: Example Service
  datasource:
    name: Prometheus
    uid: prometheus
    url: http://prometheus:9090
thresholds:
  error_ratio_warning: 0.01
  error_ratio_critical: 0.05
health:
  providers:
    database: {enabled: true, critical_for_readiness: true}
    cache: {enabled: true}
"""


@dataclass(frozen=True)
class Case:
    # Bytes for text that is not valid UTF-8; None for a file that is missing.
    yaml: str | bytes | None
    error: str
    hint: str


def replace(old: str, new: str) -> str:
    assert old in VALID, old
    return VALID.replace(old, new)


def alias_bomb(levels: int) -> str:
    """Return YAML in which each line lists the previous one 9 times, so the
    last line stands for 9**levels values. The first alias is on line 2."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for level in range(1, levels):
        aliases = ", ".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{aliases}]")
    lines[1] += "  # <-"
    return "\n".join(lines) + "\n"


def add_threshold(line: str) -> str:
    return replace(
        "  error_ratio_critical: 0.05\n", f"  error_ratio_critical: 0.05\n{line}\n"
    )


TEMPLATE_HINT = "remove the braces: Prometheus and Alertmanager read {{ ... }}"


CASES = {
    "unknown_key": Case(
        replace(
            "  namespace: production\n",
            "  namespace: production\n  scrape_intervall: 15s  # <-\n",
        ),
        "unknown key 'scrape_intervall' in prometheus",
        "use one of: evaluation_interval, job, namespace, scrape_interval",
    ),
    "wrong_type": Case(
        replace("cache: {enabled: true}", 'cache: {enabled: "yes"}  # <-'),
        'invalid value for health.providers.cache.enabled: "yes"',
        "expected true or false",
    ),
    "bad_duration": Case(
        replace(
            "  error_ratio_critical: 0.05\n",
            "  error_ratio_critical: 0.05\n  latency_baseline_offset: 1 day  # <-\n",
        ),
        'invalid value for thresholds.latency_baseline_offset: "1 day"',
        "expected a Prometheus duration such as 15s, 5m or 1h30m",
    ),
    "ratio_above_one": Case(
        replace("error_ratio_critical: 0.05", "error_ratio_critical: 1.5  # <-"),
        "invalid value for thresholds.error_ratio_critical: 1.5",
        "expected a ratio above 0 and at most 1",
    ),
    "warning_not_below_critical": Case(
        replace("error_ratio_warning: 0.01", "error_ratio_warning: 0.05  # <-"),
        "invalid value for thresholds.error_ratio_warning: 0.05 is not below "
        "thresholds.error_ratio_critical (0.05)",
        "the warning threshold must be below the critical one",
    ),
    "duplicate_key": Case(
        replace(
            "  namespace: production\n", "  namespace: production\n  job: other  # <-\n"
        ),
        "duplicate key 'job' in prometheus",
        "remove one of the two entries",
    ),
    "yaml_syntax_error": Case(
        replace("folder: Example Service", "folder: Example: Service  # <-"),
        "invalid YAML: mapping values are not allowed here",
        "fix the YAML syntax at that line",
    ),
    "missing_file": Case(
        None,
        "file not found: {config}",
        "check the path",
    ),
    "missing_required_key": Case(
        # The error points at the mapping that lacks the key.
        replace(
            "  job: example-service\n  namespace: production\n",
            "  namespace: production  # <-\n",
        ),
        "missing required key prometheus.job",
        "add prometheus.job, a non-empty string",
    ),
    "critical_provider_disabled": Case(
        replace(
            "database: {enabled: true, critical_for_readiness: true}",
            "database: {enabled: false, critical_for_readiness: true}  # <-",
        ),
        "health provider 'database' is critical for readiness but disabled",
        "set enabled: true, or critical_for_readiness: false",
    ),
    "database_pool_configured": Case(
        replace(
            "    cache: {enabled: true}\n", "    database_pool: {enabled: true}  # <-\n"
        ),
        "health provider 'database_pool' cannot be configured: it reports "
        "unhealthy while idle, so obsgen alerts on the database_pool_* gauges instead",
        "remove health.providers.database_pool",
    ),
    # 9**6 values: enough to take seconds and hundreds of MB if expanded.
    "alias_bomb": Case(
        VALID + alias_bomb(6),
        "YAML alias *a0 is not allowed in a configuration file",
        "write the value out in full instead of the anchor &a0",
    ),
    "merge_key": Case(
        replace(
            "  datasource:\n",
            "  <<: {dashboards_path: /var/lib/x}  # <-\n  datasource:\n",
        ),
        "YAML merge key '<<' is not allowed in a configuration file",
        "write the merged keys out in full",
    ),
    "two_documents": Case(
        replace("grafana:\n", "---  # <-\ngrafana:\n"),
        "{config} has more than one YAML document",
        "keep one document: remove the '---' at that line",
    ),
    "not_utf8": Case(
        replace("folder: Example Service", "folder: Example Servic\udcff  # <-").encode(
            "utf-8", "surrogateescape"
        ),
        "cannot read {config}: byte 0xff is not valid UTF-8",
        "save the file as UTF-8",
    ),
    "control_character": Case(
        replace("folder: Example Service", "folder: Example\x07Service  # <-"),
        "invalid YAML: unacceptable character #x0007: special characters are not "
        "allowed",
        "write it as an escape in a double-quoted string",
    ),
    "unquoted_boolean": Case(
        replace("job: example-service", "job: yes  # <-"),
        "invalid value for prometheus.job: yes (YAML reads it as the boolean true)",
        'expected a non-empty string; quote it: "yes"',
    ),
    "unquoted_date": Case(
        replace("folder: Example Service", "folder: 2024-01-31  # <-"),
        "invalid value for grafana.folder: 2024-01-31 (YAML reads it as a date)",
        'quote it: "2024-01-31"',
    ),
    "infinite_threshold": Case(
        add_threshold("  latency_p95_critical_seconds: 1.0e+400  # <-"),
        "invalid value for thresholds.latency_p95_critical_seconds: 1.0e+400 is not "
        "a finite number",
        "use a finite number",
    ),
    "inf_threshold": Case(
        add_threshold("  latency_p95_warning_seconds: .inf  # <-"),
        "invalid value for thresholds.latency_p95_warning_seconds: .inf is not a "
        "finite number",
        "use a finite number",
    ),
    "nan_threshold": Case(
        # NaN passes every JSON Schema bound.
        add_threshold("  latency_p95_critical_seconds: .nan  # <-"),
        "invalid value for thresholds.latency_p95_critical_seconds: .nan is not a "
        "finite number",
        "use a finite number",
    ),
    "integer_provider_key": Case(
        replace(
            "    cache: {enabled: true}\n",
            "    cache: {enabled: true}\n    1: {enabled: true}  # <-\n",
        ),
        "invalid key 1 in health.providers: YAML reads it as an integer, and keys "
        "must be strings",
        'quote it: "1"',
    ),
    "integer_and_string_keys": Case(
        # Sorting the keys for the schema error compared int with str.
        add_threshold("  1: 2  # <-\n  zz: 3"),
        "invalid key 1 in thresholds: YAML reads it as an integer, and keys must be "
        "strings",
        'quote it: "1"',
    ),
    "boolean_key": Case(
        replace(
            "  name: example-service\n", "  name: example-service\n  on: 1  # <-\n"
        ),
        "invalid key on in service: YAML reads it as a boolean, and keys must be "
        "strings",
        'quote it: "on"',
    ),
    "template_in_team": Case(
        replace(
            "  name: example-service\n",
            '  name: example-service\n  team: "{{ oops"  # <-\n',
        ),
        "invalid value for service.team: \"{{ oops\" contains '{{'",
        TEMPLATE_HINT,
    ),
    "template_in_environment": Case(
        replace(
            "  name: example-service\n",
            '  name: example-service\n  environment: "prod }}"  # <-\n',
        ),
        "invalid value for service.environment: \"prod }}\" contains '}}'",
        TEMPLATE_HINT,
    ),
    "template_in_runbook_url": Case(
        replace(
            "  name: example-service\n",
            "  name: example-service\n"
            '  runbook_base_url: "https://wiki/{{oops"  # <-\n',
        ),
        'invalid value for service.runbook_base_url: "https://wiki/{{oops" '
        "contains '{{'",
        TEMPLATE_HINT,
    ),
    "template_in_slack_channel": Case(
        VALID + 'alertmanager:\n  slack_channel: "#alerts-{{.x}}"  # <-\n',
        'invalid value for alertmanager.slack_channel: "#alerts-{{.x}}" '
        "contains '{{'",
        TEMPLATE_HINT,
    ),
    "namespace_not_kubernetes_name": Case(
        replace("namespace: production", 'namespace: "prod{{ $x }}"  # <-'),
        'invalid value for prometheus.namespace: "prod{{ $x }}"',
        "expected a Kubernetes name",
    ),
    "pod_regex_invalid": Case(
        VALID + 'kubernetes:\n  pod_regex: "example-service-("  # <-\n',
        'invalid value for kubernetes.pod_regex: "example-service-(" is not a valid '
        "RE2 regular expression",
        "fix the regular expression",
    ),
    "pod_regex_lookahead": Case(
        # Python's re accepts lookahead; RE2, and so Prometheus, does not.
        VALID + 'kubernetes:\n  pod_regex: "example-(?=service)"  # <-\n',
        'invalid value for kubernetes.pod_regex: "example-(?=service)" is not a '
        "valid RE2 regular expression",
        "fix the regular expression",
    ),
    "scrape_interval_too_long": Case(
        replace(
            "  namespace: production\n",
            "  namespace: production\n  scrape_interval: 10m  # <-\n",
        ),
        'invalid value for prometheus.scrape_interval: "10m" is not shorter than 5m',
        "use 2m or less",
    ),
    "evaluation_interval_too_long": Case(
        replace(
            "  namespace: production\n",
            "  namespace: production\n  evaluation_interval: 1h  # <-\n",
        ),
        'invalid value for prometheus.evaluation_interval: "1h" is not shorter than 5m',
        "use 2m or less",
    ),
    "evaluation_interval_zero": Case(
        replace(
            "  namespace: production\n",
            '  namespace: production\n  evaluation_interval: "0"  # <-\n',
        ),
        'invalid value for prometheus.evaluation_interval: "0"',
        "expected a duration above 0",
    ),
    "group_by_empty": Case(
        VALID + "alertmanager:\n  group_by: []  # <-\n",
        "invalid value for alertmanager.group_by: []",
        "expected a non-empty list of distinct label names",
    ),
    "group_by_duplicate": Case(
        # amtool check-config: duplicated label "alertname" in group_by.
        VALID + "alertmanager:\n  group_by: [alertname, alertname]  # <-\n",
        'invalid value for alertmanager.group_by: ["alertname", "alertname"]',
        "expected a non-empty list of distinct label names",
    ),
}


def marked_line(text: str | bytes) -> int:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    lines = [n for n, line in enumerate(text.splitlines(), 1) if line.endswith("# <-")]
    assert len(lines) == 1, f"expected one '# <-' marker in:\n{text}"
    return lines[0]


@pytest.mark.parametrize("name", list(CASES))
def test_invalid_config_rejected(tmp_path: Path, name: str) -> None:
    case = CASES[name]
    config = tmp_path / "service.yaml"
    if isinstance(case.yaml, bytes):
        config.write_bytes(case.yaml)
    elif case.yaml is not None:
        config.write_text(case.yaml)
    out_dir = tmp_path / "bundle"

    result = run_obsgen("build", "--config", config, "--out", out_dir)
    lines = result.stderr.splitlines()

    assert result.returncode == 3, describe(result)
    assert result.stdout == "", describe(result)
    assert "Traceback" not in result.stderr, describe(result)
    assert lines[0] == "error: " + case.error.replace("{config}", str(config)), (
        describe(result)
    )
    assert [line for line in lines if line.startswith("error:")] == lines[:1]
    if case.yaml is not None:
        assert f"  at {config}:{marked_line(case.yaml)}" in lines, describe(result)
    assert any(line.startswith("  hint: ") and case.hint in line for line in lines), (
        describe(result)
    )
    assert not out_dir.exists()


def test_valid_base_config_builds(tmp_path: Path) -> None:
    # The cases above differ from this configuration in one place each.
    config = tmp_path / "service.yaml"
    config.write_text(VALID)

    result = run_obsgen("build", "--config", config, "--out", tmp_path / "bundle")

    assert result.returncode == 0, describe(result)


def test_config_folder_rejected(tmp_path: Path) -> None:
    config = tmp_path / "service.yaml"
    config.mkdir()
    out_dir = tmp_path / "bundle"

    result = run_obsgen("build", "--config", config, "--out", out_dir)
    lines = result.stderr.splitlines()

    assert result.returncode == 3, describe(result)
    assert lines[0] == f"error: {config} is a folder, not a file", describe(result)
    assert lines[1].startswith("  hint: pass the path of a YAML file"), describe(result)
    assert not out_dir.exists()


def test_scrape_interval_above_evaluation_warns(tmp_path: Path) -> None:
    # Rules evaluated between two scrapes see the same samples: wasteful, not
    # wrong, so the build goes on.
    config = tmp_path / "service.yaml"
    config.write_text(
        replace(
            "  namespace: production\n",
            "  namespace: production\n"
            "  scrape_interval: 1m\n"
            "  evaluation_interval: 30s\n",
        )
    )

    result = run_obsgen("build", "--config", config, "--out", tmp_path / "bundle")
    lines = result.stderr.splitlines()

    assert result.returncode == 0, describe(result)
    assert lines[0] == (
        "obsgen: warning: prometheus.scrape_interval 1m is longer than "
        "prometheus.evaluation_interval 30s, so rules are evaluated again on the "
        "same samples"
    ), describe(result)
    assert lines[1] == f"  at {config}:6", describe(result)
    assert lines[2].startswith("  hint: set evaluation_interval"), describe(result)


def test_pod_regex_rejected_by_promtool(tmp_path: Path) -> None:
    # Shows that the pod_regex cases above reject what Prometheus rejects.
    promtool = find_tool("promtool")
    for regex in ("example-service-(", "example-(?=service)"):
        rules = tmp_path / "pod-regex.rules.yaml"
        expr = f'up{{pod=~"{regex}"}}'
        rules.write_text(
            yaml.safe_dump(
                {"groups": [{"name": "a", "rules": [{"record": "a:b", "expr": expr}]}]}
            )
        )

        result = run_tool(promtool, "check", "rules", rules)

        assert result.returncode == 1, f"{regex}: {result.stdout}{result.stderr}"
        assert "error parsing regexp" in result.stderr, result.stderr


# A value that Go's template parser rejects wherever Prometheus or Alertmanager
# expands it.
BROKEN_TEMPLATE = "{{oops"


def string_values(data: Any, json_path: tuple = ()) -> Iterator[tuple]:
    """Yield the path of every string value in a parsed configuration."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from string_values(value, (*json_path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from string_values(value, (*json_path, index))
    elif isinstance(data, str):
        yield json_path


def schema_string_keys() -> set[tuple]:
    """Return the path of every string-valued property the schema names."""
    schema = yaml.safe_load(
        (REPO_ROOT / "obsgen/schemas/service.schema.json").read_text()
    )
    keys = set()

    def visit(node: dict, json_path: tuple) -> None:
        if "$ref" in node:
            node = schema["$defs"][node["$ref"].removeprefix("#/$defs/")]
        if node.get("type") == "string":
            keys.add(json_path)
        for name, child in node.get("properties", {}).items():
            visit(child, (*json_path, name))

    visit(schema, ())
    return keys


def run_tool(tool: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [tool, *map(str, args)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_template_text_never_breaks_bundle(tmp_path: Path) -> None:
    """Put a broken Go template into each string of the example configuration:
    either the configuration is rejected at that line, or promtool and amtool
    accept the bundle."""
    promtool = find_tool("promtool")
    amtool = find_tool("amtool")
    base = yaml.safe_load(EXAMPLE_CONFIG.read_text())
    base["grafana"]["datasource"]["basic_auth_user"] = "grafana"
    base["grafana"]["datasource"]["basic_auth_password_file"] = "/etc/grafana/pw"
    # The catalog is a file that obsgen reads, not text in the bundle.
    base["catalog"] = str(EXAMPLE_CONFIG.parent / base["catalog"])
    paths = [path for path in string_values(base) if path != ("catalog",)]
    untested = schema_string_keys() - set(paths) - {("catalog",)}
    assert not untested, f"add these keys to the base configuration: {untested}"

    for index, json_path in enumerate(paths):
        data = yaml.safe_load(yaml.safe_dump(base))
        parent = data
        for part in json_path[:-1]:
            parent = parent[part]
        parent[json_path[-1]] += BROKEN_TEMPLATE
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000)
        line = next(
            n for n, row in enumerate(text.splitlines(), 1) if BROKEN_TEMPLATE in row
        )
        config = tmp_path / f"service-{index}.yaml"
        config.write_text(text)
        out_dir = tmp_path / f"bundle-{index}"

        result = run_obsgen("build", "--config", config, "--out", out_dir)

        key = ".".join(map(str, json_path))
        if result.returncode != 0:
            lines = result.stderr.splitlines()
            assert result.returncode == 3, f"{key}: {describe(result)}"
            assert lines[0].startswith("error: invalid value for "), describe(result)
            assert f"  at {config}:{line}" in lines, f"{key}: {describe(result)}"
            assert not out_dir.exists()
            continue
        rule_files = sorted((out_dir / "prometheus" / "rules").glob("*.yaml"))
        rules = run_tool(promtool, "check", "rules", *rule_files)
        assert rules.returncode == 0, f"{key}: {rules.stdout}{rules.stderr}"
        alertmanager = out_dir / "alertmanager" / "alertmanager.yaml"
        checked = run_tool(amtool, "check-config", alertmanager)
        assert checked.returncode == 0, f"{key}: {checked.stdout}{checked.stderr}"
