"""Input series of common scenario shapes, labelled like the FastAPI template's.

Every helper returns InputSeries with one value per minute, the default
scenario interval, from minute 0 to minute `minutes`. Series of the service
itself carry its job and namespace, so the rules' selectors match them.
Counters rise by a fixed amount per minute, so their rates over 5m are
exact: 60 requests a minute is a rate of exactly 1 per second.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction

from obsgen.config.service import ServiceConfig
from obsgen.definitions.notation import STALE, Number, Point, to_fraction
from obsgen.definitions.scenarios import InputSeries, flatten_series, format_series
from obsgen.errors import DefinitionError, caller_location

DEFAULT_MINUTES = 30
# Scenario targets are named like pods, so no address appears in test files.
DEFAULT_INSTANCE = "app-0:8000"
DEFAULT_ENDPOINT = "/api/v1/tasks"

# The template's HTTP latency buckets, as its /metrics writes their `le` labels.
LATENCY_BUCKETS = (
    "0.001", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25",
    "0.5", "1.0", "2.5", "5.0", "10.0", "+Inf",
)  # fmt: skip

# Series values as a constant, one value per minute, or a function of the minute.
Shape = Number | Sequence[Number | None] | Callable[[int], Number]


def _exact(value: Number, what: str) -> Fraction:
    try:
        return to_fraction(value)
    except ValueError as error:
        raise DefinitionError(
            f"invalid {what}: {error}",
            location=caller_location(),
            hint="use an int, a Fraction, a Decimal or a string such as '0.05'",
        ) from None


def _per_minute(shape: Shape, minutes: int, what: str) -> list[Fraction | None]:
    if callable(shape):
        return [_exact(shape(minute), what) for minute in range(minutes + 1)]
    if isinstance(shape, (list, tuple)):
        if len(shape) != minutes + 1:
            raise DefinitionError(
                f"{what} has {len(shape)} values, expected {minutes + 1} "
                f"(minutes 0 to {minutes})",
                location=caller_location(),
            )
        return [None if value is None else _exact(value, what) for value in shape]
    return [_exact(shape, what)] * (minutes + 1)  # type: ignore[arg-type]


def target_labels(service: ServiceConfig, instance: str = DEFAULT_INSTANCE) -> dict:
    """Return the labels that Prometheus gives every series of one target."""
    return {"job": service.job, "namespace": service.namespace, "instance": instance}


def gauge(
    metric: str,
    labels: Mapping[str, str],
    values: Shape,
    *,
    minutes: int = DEFAULT_MINUTES,
) -> InputSeries:
    """Return a gauge series whose value at each minute is given by `values`."""
    points = _per_minute(values, minutes, f"values of {metric}")
    return InputSeries(
        format_series(metric, labels), points, location=caller_location()
    )


def counter(
    metric: str,
    labels: Mapping[str, str],
    per_minute: Shape,
    *,
    minutes: int = DEFAULT_MINUTES,
    start: Number = 0,
) -> InputSeries:
    """Return a counter that starts at `start` and rises by `per_minute`.

    With a function or a sequence, the increase shown at minute m is the one
    during minute m; the increase at minute 0 is ignored.
    """
    increases = _per_minute(per_minute, minutes, f"increase of {metric}")
    total = _exact(start, f"start of {metric}")
    points: list[Point] = [total]
    for increase in increases[1:]:
        total += increase or 0
        points.append(total)
    return InputSeries(
        format_series(metric, labels), points, location=caller_location()
    )


def vanish(series: object, *, at: int) -> tuple[InputSeries, ...]:
    """Return `series` cut off at minute `at` by a staleness marker.

    This is how a target's series end when it stops being scraped: the
    values up to `at` stay, and the series is gone from minute `at` on.
    """
    location = caller_location()
    cut = []
    for item in flatten_series("vanish()", series, location):
        points = item.points[:at] + (STALE,)
        cut.append(InputSeries(item.series, points, location=location))
    return tuple(cut)


def starting_at(series: object, *, at: int) -> tuple[InputSeries, ...]:
    """Return `series` delayed to start at minute `at`, with no samples before.

    This is how a new deployment's series look: nothing a day ago to compare
    with, for example.
    """
    location = caller_location()
    delayed = []
    for item in flatten_series("starting_at()", series, location):
        points = (None,) * at + item.points
        delayed.append(InputSeries(item.series, points, location=location))
    return tuple(delayed)


def join(first: object, second: object, *, at: int) -> tuple[InputSeries, ...]:
    """Return each series with the values of `first` and, from minute `at`, those
    of `second`; minutes that neither covers have no samples.

    Scenarios that compare with a day ago need samples around both times
    only, and promtool evaluates minutes without samples fast.
    """
    location = caller_location()
    earlier = {item.series: item for item in flatten_series("join()", first, location)}
    later = {item.series: item for item in flatten_series("join()", second, location)}
    joined = []
    for name in [*earlier, *(name for name in later if name not in earlier)]:
        before = earlier[name].points[:at] if name in earlier else ()
        gap = (None,) * (at - len(before))
        after = later[name].points if name in later else ()
        joined.append(InputSeries(name, before + gap + after, location=location))
    return tuple(joined)


def target_up(
    service: ServiceConfig,
    *,
    up: Shape = 1,
    minutes: int = DEFAULT_MINUTES,
    instance: str = DEFAULT_INSTANCE,
) -> tuple[InputSeries, ...]:
    """Return the `up` series of one target: 1 while it is scraped, 0 when down."""
    return (gauge("up", target_labels(service, instance), up, minutes=minutes),)


def _http_series(
    service: ServiceConfig, status: str, instance: str, endpoint: str
) -> dict[str, str]:
    return {
        **target_labels(service, instance),
        "method": "GET",
        "endpoint": endpoint,
        "status": status,
    }


def error_burst(
    service: ServiceConfig,
    *,
    ratio: Number,
    start: int = 5,
    end: int | None = None,
    per_second: Number = 1,
    minutes: int = DEFAULT_MINUTES,
    instance: str = DEFAULT_INSTANCE,
    endpoint: str = DEFAULT_ENDPOINT,
) -> tuple[InputSeries, ...]:
    """Return steady HTTP traffic in which `ratio` of requests fail with 500
    during minutes `start` to `end` (default: the last minute).

    The 500 series exists at 0 from minute 0, as after an earlier failure.
    """
    burst = _exact(ratio, "error ratio")
    if not 0 <= burst <= 1:
        raise DefinitionError(
            f"invalid error ratio {ratio}: it must lie between 0 and 1",
            location=caller_location(),
        )
    total = _exact(per_second, "requests per second") * 60
    end = minutes if end is None else end

    def errors(minute: int) -> Fraction:
        return total * burst if start < minute <= end else Fraction(0)

    labels_ok = _http_series(service, "200", instance, endpoint)
    labels_error = _http_series(service, "500", instance, endpoint)
    return (
        counter(
            "http_requests_total",
            labels_ok,
            lambda minute: total - errors(minute),
            minutes=minutes,
        ),
        counter("http_requests_total", labels_error, errors, minutes=minutes),
    )


def healthy_traffic(
    service: ServiceConfig,
    *,
    per_second: Number = 1,
    minutes: int = DEFAULT_MINUTES,
    instance: str = DEFAULT_INSTANCE,
    endpoint: str = DEFAULT_ENDPOINT,
) -> tuple[InputSeries, ...]:
    """Return steady HTTP traffic without a single 5xx response.

    There is no 5xx series at all, as in a process that never failed a request.
    """
    total = _exact(per_second, "requests per second") * 60
    labels = _http_series(service, "200", instance, endpoint)
    return (counter("http_requests_total", labels, total, minutes=minutes),)


def no_traffic(
    service: ServiceConfig,
    *,
    minutes: int = DEFAULT_MINUTES,
    instance: str = DEFAULT_INSTANCE,
    endpoint: str = DEFAULT_ENDPOINT,
) -> tuple[InputSeries, ...]:
    """Return the HTTP series of a service that served requests once, but
    none now: every counter and bucket stays flat."""
    served, failed = 120, 6
    ok = _http_series(service, "200", instance, endpoint)
    error = _http_series(service, "500", instance, endpoint)
    series = [
        counter("http_requests_total", ok, 0, minutes=minutes, start=served),
        counter("http_requests_total", error, 0, minutes=minutes, start=failed),
    ]
    labels = {**target_labels(service, instance), "method": "GET", "endpoint": endpoint}
    for le in LATENCY_BUCKETS:
        bucket = {**labels, "le": le}
        series.append(
            counter(
                "http_request_duration_seconds_bucket",
                bucket,
                0,
                minutes=minutes,
                start=served + failed,
            )
        )
    return tuple(series)


def _bucket_of(seconds: Fraction) -> int:
    for index, le in enumerate(LATENCY_BUCKETS[:-1]):
        if seconds <= Fraction(le):
            return index
    return len(LATENCY_BUCKETS) - 1


def latency_shift(
    service: ServiceConfig,
    *,
    before: Number,
    after: Number,
    start: int = 5,
    per_second: Number = 1,
    minutes: int = DEFAULT_MINUTES,
    instance: str = DEFAULT_INSTANCE,
    endpoint: str = DEFAULT_ENDPOINT,
) -> tuple[InputSeries, ...]:
    """Return a latency histogram whose requests take `before` seconds each
    until minute `start` and `after` seconds each from then on.

    All requests of a minute fall in one bucket, so histogram_quantile
    interpolates inside that bucket: with every request in (2.5, 5], the p95
    is 2.5 + 0.95 * 2.5 = 4.875 seconds.
    """
    rate = _exact(per_second, "requests per second") * 60
    latencies = (_exact(before, "latency before"), _exact(after, "latency after"))

    def latency(minute: int) -> Fraction:
        return latencies[0] if minute <= start else latencies[1]

    labels = {**target_labels(service, instance), "method": "GET", "endpoint": endpoint}
    series = []
    for index, le in enumerate(LATENCY_BUCKETS):

        def in_bucket(minute: int, index: int = index) -> Fraction:
            return rate if _bucket_of(latency(minute)) <= index else Fraction(0)

        series.append(
            counter(
                "http_request_duration_seconds_bucket",
                {**labels, "le": le},
                in_bucket,
                minutes=minutes,
            )
        )
    series.append(
        counter("http_request_duration_seconds_count", labels, rate, minutes=minutes)
    )
    series.append(
        counter(
            "http_request_duration_seconds_sum",
            labels,
            lambda minute: rate * latency(minute),
            minutes=minutes,
        )
    )
    return tuple(series)


def steady_latency(
    service: ServiceConfig,
    *,
    seconds: Number,
    per_second: Number = 1,
    minutes: int = DEFAULT_MINUTES,
    instance: str = DEFAULT_INSTANCE,
) -> tuple[InputSeries, ...]:
    """Return a latency histogram whose requests all take `seconds` each."""
    return latency_shift(
        service,
        before=seconds,
        after=seconds,
        per_second=per_second,
        minutes=minutes,
        instance=instance,
    )


def health_status(
    service: ServiceConfig,
    provider: str,
    status: Shape,
    *,
    minutes: int = DEFAULT_MINUTES,
    instance: str = DEFAULT_INSTANCE,
) -> InputSeries:
    """Return the health_check_status of one provider: 1 healthy, 0.5 degraded,
    0 unhealthy."""
    labels = {**target_labels(service, instance), "provider": provider}
    return gauge("health_check_status", labels, status, minutes=minutes)


def providers_healthy(
    service: ServiceConfig,
    *,
    minutes: int = DEFAULT_MINUTES,
    instance: str = DEFAULT_INSTANCE,
    skip: Sequence[str] = (),
) -> tuple[InputSeries, ...]:
    """Return health_check_status 1 for every enabled provider not in `skip`."""
    return tuple(
        health_status(service, provider.name, 1, minutes=minutes, instance=instance)
        for provider in service.enabled_providers
        if provider.name not in skip
    )


def provider_goes_unhealthy(
    service: ServiceConfig,
    provider: str,
    *,
    at: int = 5,
    until: int | None = None,
    status: Number = 0,
    minutes: int = DEFAULT_MINUTES,
    instance: str = DEFAULT_INSTANCE,
) -> tuple[InputSeries, ...]:
    """Return every enabled provider healthy, except `provider`, which reports
    `status` (0 unhealthy, 0.5 degraded) from minute `at` until minute `until`
    and is healthy before and after."""
    end = minutes + 1 if until is None else until

    def value(minute: int) -> Number:
        return status if at <= minute < end else 1

    return (
        *providers_healthy(
            service, minutes=minutes, instance=instance, skip=[provider]
        ),
        health_status(service, provider, value, minutes=minutes, instance=instance),
    )


def pod_labels(service: ServiceConfig, pod: str | None = None) -> dict:
    """Return the namespace, pod and container labels of one of the service's
    pods, as kube-state-metrics and cAdvisor write them."""
    container = service.container or service.name
    if pod is None:
        # Deployments name their pods after themselves, which is usually the
        # service's name; the container's name is the next best guess.
        candidates = [f"{name}-7d4b9c8f6-x2k9p" for name in (service.name, container)]
        pod = next(
            (name for name in candidates if _pod_matches(service, name)),
            candidates[0],
        )
    if not _pod_matches(service, pod):
        raise DefinitionError(
            f"pod name {pod!r} does not match the service's pod_regex "
            f"{service.pod_regex!r}",
            location=caller_location(),
            hint="pass pod= with a name that kubernetes.pod_regex matches",
        )
    return {"namespace": service.namespace, "pod": pod, "container": container}


def _pod_matches(service: ServiceConfig, pod: str) -> bool:
    if not service.pod_regex:
        return True
    try:
        return re.fullmatch(service.pod_regex, pod) is not None
    except re.error:
        # NOTE: RE2 syntax that Python's re lacks (such as \pL) cannot be
        # checked here; Prometheus checks it when promtool runs the scenarios.
        return True
