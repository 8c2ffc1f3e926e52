from grafana_foundation_sdk.builders import dashboard, timeseries

from obsgen import grafana_dashboard
from obsgen.panels import query


@grafana_dashboard("corpus-traffic")
def traffic(service):
    return dashboard.Dashboard("Traffic").with_panel(
        timeseries.Panel()
        .title("Request rate")
        .unit("reqps")
        .with_target(
            query('sum(rate(http_requests_total{job="$job"}[$__rate_interval])')
        )
    )
