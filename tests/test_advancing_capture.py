"""The advancing capture keeps histograms consistent and gauges as captured."""

from __future__ import annotations

from tests.support.advancing import scale_counters

TEXT = """\
# TYPE requests_total counter
requests_total{code="200"} 10.0
# TYPE requests_created gauge
requests_created{code="200"} 1.7e+09
# TYPE latency_seconds histogram
latency_seconds_bucket{le="0.1"} 4.0
latency_seconds_bucket{le="+Inf"} 8.0
latency_seconds_sum 2.0
latency_seconds_count 8.0
# TYPE in_progress gauge
in_progress 3.0
"""


def test_counters_and_histograms_scale() -> None:
    scaled = scale_counters(TEXT, 1.5).splitlines()

    assert 'requests_total{code="200"} 15.0' in scaled
    assert 'latency_seconds_bucket{le="0.1"} 6.0' in scaled
    assert 'latency_seconds_bucket{le="+Inf"} 12.0' in scaled
    assert "latency_seconds_sum 3.0" in scaled
    assert "latency_seconds_count 12.0" in scaled


def test_gauges_and_comments_unchanged() -> None:
    scaled = scale_counters(TEXT, 1.5).splitlines()

    assert 'requests_created{code="200"} 1.7e+09' in scaled
    assert "in_progress 3.0" in scaled
    assert "# TYPE latency_seconds histogram" in scaled
