"""The exposition parser, the catalog format and the committed catalog."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from obsgen.catalog import catalog_from_exposition, load_catalog, parse_exposition
from obsgen.catalog.model import MetricType
from obsgen.cli import main
from obsgen.errors import ConfigError
from tests.support.project import CATALOG, ROOT

# The capture of the FastAPI template's /metrics, beside the repository.
REFERENCE = ROOT.parent / "shared" / "reference" / "fastapi-template-metrics.prom"

EXPOSITION = """\
# HELP http_requests_total Total HTTP requests
# TYPE http_requests_total counter
http_requests_total{endpoint="/a",method="GET",status="200"} 3.0
http_requests_total{endpoint="/b \\"q\\"",method="POST",status="500"} 1.0 1700000000000
# TYPE req_seconds histogram
req_seconds_bucket{le="0.1",method="GET"} 1.0
req_seconds_bucket{le="1.0",method="GET"} 2.0
req_seconds_bucket{le="+Inf",method="GET"} 2.0
req_seconds_sum{method="GET"} 0.3
req_seconds_count{method="GET"} 2.0
# TYPE temperature gauge
temperature NaN
# TYPE jobs counter
jobs_total 4
jobs_created 1.7e9
# TYPE quiet_total counter
# EOF
"""


def test_parse_families():
    families = {f.name: f for f in parse_exposition(EXPOSITION, Path("m.prom"))}
    assert families["http_requests_total"].labels == {"endpoint", "method", "status"}
    assert families["req_seconds"].buckets == {0.1, 1.0}
    assert families["req_seconds"].labels == {"method"}
    assert families["temperature"].type is MetricType.GAUGE
    assert families["jobs"].sample_names == {"jobs_total", "jobs_created"}


def test_catalog_from_exposition():
    catalog = catalog_from_exposition(EXPOSITION, Path("m.prom"), ["job"])
    assert catalog.metrics["jobs_total"].type is MetricType.COUNTER
    assert catalog.metrics["quiet_total"].labels is None
    bucket = catalog.series("req_seconds_bucket")
    assert bucket.series_type is MetricType.COUNTER
    assert bucket.labels == {"le", "method", "job"}
    assert catalog.series("req_seconds") is None
    assert catalog.series("temperature").series_type is MetricType.GAUGE


def test_catalog_round_trip(tmp_path):
    catalog = catalog_from_exposition(EXPOSITION, Path("m.prom"), ["job"])
    path = tmp_path / "catalog.yaml"
    path.write_bytes(catalog.to_yaml("test"))
    loaded = load_catalog(path)
    assert loaded.metrics == catalog.metrics
    assert loaded.target_labels == catalog.target_labels


@pytest.mark.parametrize(
    "text, message",
    [
        ('x{a="1" 2\n', "invalid sample value"),
        ("x one\n", "invalid sample value"),
        ("# TYPE x countr\n", "unknown metric type 'countr'"),
    ],
)
def test_invalid_exposition(text, message):
    with pytest.raises(ConfigError) as raised:
        parse_exposition(text, Path("bad.prom"))
    assert message in raised.value.message
    assert raised.value.location.line == 1


def test_committed_catalog_matches_reference(tmp_path):
    # The capture is copied so the header names only the file name.
    capture = tmp_path / "fastapi-template-metrics.prom"
    capture.write_bytes(REFERENCE.read_bytes())
    out = tmp_path / "catalog.yaml"
    result = CliRunner().invoke(
        main,
        [
            "catalog",
            str(capture),
            "--merge",
            str(ROOT / "catalogs" / "kubernetes.yaml"),
            "--merge",
            str(ROOT / "catalogs" / "fastapi-template-source.yaml"),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == CATALOG.read_bytes(), (
        "catalogs/fastapi-template.yaml is out of date; regenerate it with "
        "obsgen catalog"
    )


def test_reference_catalog_facts():
    catalog = load_catalog(CATALOG)
    assert catalog.metrics["http_requests_total"].labels == {
        "endpoint",
        "method",
        "status",
    }
    assert catalog.metrics["health_check_status"].labels == {"provider"}
    assert catalog.metrics["health_check_status_transitions_total"].labels == {
        "provider",
        "from_status",
        "to_status",
    }
    assert catalog.metrics["health_check_errors_total"].labels == {
        "provider",
        "error_type",
    }
    assert catalog.metrics["http_request_duration_seconds"].buckets[-1] == 10.0
    for name in (
        "container_cpu_usage_seconds_total",
        "container_memory_working_set_bytes",
        "container_spec_memory_limit_bytes",
        "kube_pod_container_status_restarts_total",
        "kube_pod_status_ready",
        "up",
    ):
        assert name in catalog.metrics


def test_catalog_command_stdout(tmp_path):
    path = tmp_path / "m.prom"
    path.write_text(EXPOSITION)
    result = CliRunner().invoke(main, ["catalog", str(path)])
    assert result.exit_code == 0
    assert "http_requests_total:" in result.stdout
    assert result.stderr == ""


def test_catalog_command_missing_file(tmp_path):
    result = CliRunner().invoke(main, ["catalog", str(tmp_path / "none.prom")])
    assert result.exit_code == 3
    assert "file not found" in result.stderr


def test_invalid_catalog_file(tmp_path):
    path = tmp_path / "catalog.yaml"
    path.write_text("metrics:\n  x:\n    type: countr\n")
    with pytest.raises(ConfigError) as raised:
        load_catalog(path)
    assert "metrics.x.type" in raised.value.message
    assert raised.value.location.line == 3
