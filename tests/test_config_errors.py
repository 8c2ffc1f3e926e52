"""Invalid service configurations: one error with the key, the line and a fix.

Each case is a whole configuration file. `# <-` marks the line the error must
point at.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.obsgen_cli import describe, run_obsgen

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
    yaml: str | None
    error: str
    hint: str


def replace(old: str, new: str) -> str:
    assert old in VALID, old
    return VALID.replace(old, new)


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
}


def marked_line(text: str) -> int:
    lines = [n for n, line in enumerate(text.splitlines(), 1) if line.endswith("# <-")]
    assert len(lines) == 1, f"expected one '# <-' marker in:\n{text}"
    return lines[0]


@pytest.mark.parametrize("name", list(CASES))
def test_invalid_config_rejected(tmp_path: Path, name: str) -> None:
    case = CASES[name]
    config = tmp_path / "service.yaml"
    if case.yaml is not None:
        config.write_text(case.yaml)
    out_dir = tmp_path / "bundle"

    result = run_obsgen("build", "--config", config, "--out", out_dir)
    lines = result.stderr.splitlines()

    assert result.returncode == 3, describe(result)
    assert result.stdout == "", describe(result)
    assert "Traceback" not in result.stderr, describe(result)
    assert lines[0] == "error: " + case.error.format(config=config), describe(result)
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
