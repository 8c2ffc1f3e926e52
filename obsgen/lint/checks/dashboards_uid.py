"""The `dashboards/uid` check."""

from __future__ import annotations

import re
from collections.abc import Iterable

from obsgen.lint.check import Check
from obsgen.lint.grafana import dashboards
from obsgen.lint.model import Finding, LintContext
from obsgen.lint.problem import Severity

MAX_UID_LENGTH = 40
_UID = re.compile(r"^[A-Za-z0-9_-]+$")


class DashboardsUid(Check):
    """Dashboards without a valid uid.

    Grafana identifies a dashboard by its uid in URLs, links and
    provisioning. Without one, Grafana makes up a random uid on every
    provisioning, so links break. Grafana rejects uids over 40 characters
    or with characters outside `[A-Za-z0-9_-]`.

    Fails:

    ```json
    {
      "title": "HTTP",
      "uid": "example service/http",
      "schemaVersion": 42,
      "panels": []
    }
    ```

    Passes:

    ```json
    {
      "title": "HTTP",
      "uid": "example-service-http",
      "schemaVersion": 42,
      "panels": []
    }
    ```
    """

    id = "dashboards/uid"
    severity = Severity.ERROR

    def run(self, context: LintContext) -> Iterable[Finding]:
        for document in dashboards(context):
            uid = document.data.get("uid")
            if not isinstance(uid, str) or not uid:
                yield Finding(
                    document,
                    ("uid",),
                    "dashboard has no uid, so Grafana assigns a random one; expected "
                    "a fixed uid of 1 to 40 letters, digits, dashes or underscores",
                )
            elif len(uid) > MAX_UID_LENGTH or not _UID.match(uid):
                yield Finding(
                    document,
                    ("uid",),
                    f"invalid dashboard uid {uid!r} ({len(uid)} characters); expected "
                    f"1 to {MAX_UID_LENGTH} letters, digits, dashes or underscores",
                )
