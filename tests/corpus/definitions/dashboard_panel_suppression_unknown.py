from grafana_foundation_sdk.builders import dashboard, text

from obsgen import grafana_dashboard, suppress


@grafana_dashboard("notes")
def notes(service):
    return dashboard.Dashboard("Notes").with_panel(
        suppress(text.Panel().title("About"), {"dashboards/unit": "text has no unit"})
    )
