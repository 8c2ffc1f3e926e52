from grafana_foundation_sdk.builders import dashboard, text

from obsgen import grafana_dashboard


@grafana_dashboard("overview")
def overview(service):
    return dashboard.Dashboard(service.folder).with_panel(
        text.Panel().title("About").content("The service.")
    )
