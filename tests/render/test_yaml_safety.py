"""YAML output: ambiguous scalars are quoted, Go templates pass through."""

from __future__ import annotations

import shutil
import subprocess
import warnings

import pytest
import yaml
from ruamel.yaml import YAML

from obsgen.definitions.rules import AlertingRule, RuleGroup
from obsgen.errors import DefinitionError
from obsgen.render.prometheus import render_rule_file
from obsgen.render.serialize import dump_yaml

AMBIGUOUS = ["y", "Y", "n", "N", "yes", "no", "on", "off", "ON", "1e3", "0o17", "017",
             "0x1F", "1_000", "12:30", "+1.5e-3"]  # fmt: skip
TEMPLATES = [
    "{{ $labels.instance }}",
    "{{ $value | humanizePercentage }} of {{ $labels.job }}",
    "{{ if gt $value 1.0 }}high{{ else }}low{{ end }}",
    'Pool {{ index $labels "provider" }}: {{ printf "%.2f" $value }}',
    "line one {{ $labels.pod }}\nline two: {{ $value }}\n",
    "{{- $labels.pod -}}: 100% 'quoted' \"double\" # not a comment",
]


def _yaml11_reader() -> YAML:
    reader = YAML(typ="safe", pure=True)
    reader.version = (1, 1)
    return reader


def _load_yaml11(text: bytes):
    with warnings.catch_warnings():
        # ruamel warns that 1e3 lacks the dot YAML 1.1 floats need; it still
        # reads it as a float, as go-yaml v2 does.
        warnings.simplefilter("ignore")
        return _yaml11_reader().load(text.decode("utf-8"))


@pytest.mark.parametrize("value", AMBIGUOUS)
def test_ambiguous_scalar_stays_string(value):
    output = dump_yaml({"labels": {"value": value}})
    assert _load_yaml11(output) == {"labels": {"value": value}}
    assert yaml.safe_load(output) == {"labels": {"value": value}}


@pytest.mark.parametrize("value", [v for v in AMBIGUOUS if v != "0o17"])
def test_reader_misreads_unquoted(value):
    # The reader is a real YAML 1.1 reader: unquoted, these are no strings.
    # (0o17 is an integer for go-yaml v2 only, which parses ints as Go does.)
    assert not isinstance(_load_yaml11(f"value: {value}\n".encode())["value"], str)


def test_octal_quoted():
    assert dump_yaml({"value": "0o17"}) == b"value: '0o17'\n"


@pytest.mark.parametrize("template", TEMPLATES)
def test_go_template_round_trips(template):
    output = dump_yaml({"annotations": {"description": template}})
    assert yaml.safe_load(output)["annotations"]["description"] == template
    assert _load_yaml11(output)["annotations"]["description"] == template


def test_go_template_bytes_in_rule_file():
    rule = AlertingRule(
        alert="HighErrorRate",
        expr="up == 0",
        labels={"severity": "critical"},
        annotations={"summary": "{{ $labels.instance }} is {{ $value | humanize }}"},
    )
    output = render_rule_file((RuleGroup("g", (rule,)),), "rules/demo.py")
    assert b"summary: '{{ $labels.instance }} is {{ $value | humanize }}'" in output


@pytest.mark.parametrize("value", [1, 2.5, True, None])
def test_non_string_label_value_rejected(value):
    with pytest.raises(DefinitionError) as raised:
        AlertingRule(alert="A", expr="up == 0", labels={"priority": value})
    assert "non-string value" in raised.value.message
    assert raised.value.hint == f"quote it: priority={str(value)!r}"
    assert raised.value.location.path == __file__


@pytest.mark.skipif(
    shutil.which("promtool") is None, reason="promtool is not installed"
)
def test_promtool_reads_ambiguous_labels(tmp_path):
    labels = {f"label{index}": value for index, value in enumerate(AMBIGUOUS)}
    rule = AlertingRule(
        alert="A",
        expr="up == 0",
        labels={"severity": "info", **labels},
        annotations={"summary": TEMPLATES[4]},
    )
    path = tmp_path / "rules.yaml"
    path.write_bytes(render_rule_file((RuleGroup("g", (rule,)),), "rules/demo.py"))
    result = subprocess.run(
        ["promtool", "check", "rules", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
