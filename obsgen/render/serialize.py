"""The one YAML and one JSON serializer every generated file goes through.

Both are deterministic: the same input gives the same bytes on every run,
hash seed and supported Python version.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

# Plain scalars that YAML 1.1 readers (go-yaml v2, kubectl) resolve to booleans
# or numbers, although PyYAML's resolver reads them as strings.
_YAML11_AMBIGUOUS = re.compile(
    r"^(?:y|Y|n|N|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF"
    r"|[-+]?(?:0b[01_]+|0o?[0-7_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*(?::[0-5]?[0-9])+"
    r"|(?:[0-9][0-9_]*)?\.?[0-9.]*[eE][-+]?[0-9]+))$"
)


class _BundleDumper(yaml.SafeDumper):
    """SafeDumper that writes multi-line strings as literal blocks."""

    def ignore_aliases(self, data: Any) -> bool:
        # A value used twice is written out twice: anchors confuse reviewers.
        return True

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> Any:
        # Indent list items under their key, as Prometheus and Grafana docs do.
        return super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        # Trailing spaces on a line make a literal block impossible; PyYAML would
        # fall back to a quoted style on its own.
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    if _YAML11_AMBIGUOUS.match(value):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="'")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_BundleDumper.add_representer(str, _represent_str)


def dump_yaml(data: Any) -> bytes:
    """Serialize `data` as block-style YAML, keeping mapping order."""
    text = yaml.dump(
        data,
        Dumper=_BundleDumper,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=4096,
        indent=2,
    )
    return text.encode("utf-8")


def dump_json(data: Any) -> bytes:
    """Serialize `data` as indented JSON with sorted keys and a final newline."""
    text = json.dumps(
        data, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False
    )
    return (text + "\n").encode("utf-8")
