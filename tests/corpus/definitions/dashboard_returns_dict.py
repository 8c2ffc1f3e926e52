from obsgen import grafana_dashboard


@grafana_dashboard("raw")
def raw(service):
    return {"title": "Raw", "panels": []}
