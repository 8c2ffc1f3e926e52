"""The `dashboards/grid` check."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from obsgen.lint.check import Check
from obsgen.lint.grafana import GRID_COLUMNS
from obsgen.lint.model import Finding, LintContext, Panel
from obsgen.lint.problem import Severity


class DashboardsGrid(Check):
    """Panels off the 24-column grid, or overlapping other panels.

    Grafana lays panels out on a grid 24 columns wide. A panel needs a
    `gridPos` with whole numbers `x` and `y` of 0 or more, `w` and `h` of 1
    or more, and `x + w` at most 24. Grafana moves overlapping panels
    around on load, so the saved layout is not what is shown. Panels inside
    a collapsed row are checked against each other only.

    Fails:

    ```json
    {
      "title": "HTTP",
      "uid": "example-service-http",
      "schemaVersion": 42,
      "panels": [
        {
          "id": 1,
          "type": "text",
          "title": "Notes",
          "gridPos": {"h": 4, "w": 16, "x": 12, "y": 0}
        }
      ]
    }
    ```

    Passes:

    ```json
    {
      "title": "HTTP",
      "uid": "example-service-http",
      "schemaVersion": 42,
      "panels": [
        {
          "id": 1,
          "type": "text",
          "title": "Notes",
          "gridPos": {"h": 4, "w": 12, "x": 12, "y": 0}
        }
      ]
    }
    ```
    """

    id = "dashboards/grid"
    severity = Severity.ERROR

    def run(self, context: LintContext) -> Iterable[Finding]:
        layers: dict[
            tuple[int, tuple], list[tuple[Panel, tuple[int, int, int, int]]]
        ] = {}
        for panel in context.panels:
            box = _box(panel.data.get("gridPos"))
            if box is None:
                yield panel.finding(_invalid_message(panel), "gridPos")
                continue
            layer = (id(panel.document), _layer(panel))
            placed = layers.setdefault(layer, [])
            for other, other_box in placed:
                if _overlap(box, other_box):
                    yield panel.finding(
                        f"panel {panel.title!r} at {_describe(box)} overlaps panel "
                        f"{other.title!r} at {_describe(other_box)}; expected panels "
                        "that do not overlap",
                        "gridPos",
                    )
                    break
            placed.append((panel, box))


def _layer(panel: Panel) -> tuple:
    # Panels inside a row's "panels" list belong to a collapsed row.
    path = panel.json_path
    return path[:2] if len(path) > 2 else ()


def _box(grid_pos: object) -> tuple[int, int, int, int] | None:
    if not isinstance(grid_pos, Mapping):
        return None
    values = [grid_pos.get(key) for key in ("x", "y", "w", "h")]
    if not all(
        isinstance(value, int) and not isinstance(value, bool) for value in values
    ):
        return None
    x, y, w, h = values
    if x < 0 or y < 0 or w < 1 or h < 1 or x + w > GRID_COLUMNS:
        return None
    return x, y, w, h


def _invalid_message(panel: Panel) -> str:
    return (
        f"panel {panel.title!r} has gridPos {panel.data.get('gridPos')!r}; expected "
        f"whole numbers with x >= 0, y >= 0, w >= 1, h >= 1 and x + w <= {GRID_COLUMNS}"
    )


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah


def _describe(box: tuple[int, int, int, int]) -> str:
    x, y, w, h = box
    return f"x={x} y={y} w={w} h={h}"
