"""Validating documents against the JSON Schemas in obsgen/schemas/."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from importlib import resources
from typing import Any

import jsonschema

from obsgen.lint.model import Document, Finding
from obsgen.yamlsource import format_json_path


@cache
def load_schema(name: str) -> dict[str, Any]:
    """Return the schema `obsgen/schemas/<name>.schema.json`."""
    text = resources.files("obsgen").joinpath(f"schemas/{name}.schema.json")
    return json.loads(text.read_text(encoding="utf-8"))


@cache
def _validator(name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(load_schema(name))


def _leaf_errors(
    errors: Iterable[jsonschema.ValidationError],
) -> Iterator[jsonschema.ValidationError]:
    # if/then/else and $ref wrap the useful error; report the innermost ones.
    for error in errors:
        if error.context:
            yield from _leaf_errors(error.context)
        else:
            yield error


def reported_elsewhere(
    pairs: Iterable[tuple[str, str]],
) -> Callable[[jsonschema.ValidationError], bool]:
    """Return a filter for violations that a dedicated check reports better.

    `pairs` are (validator, key): the key is the last part of the value's
    path, or for `required`, the missing key.
    """
    skipped = set(pairs)

    def skip(error: jsonschema.ValidationError) -> bool:
        if error.validator == "required":
            missing = error.message.split("'")[1] if "'" in error.message else ""
            return ("required", missing) in skipped
        path = tuple(error.absolute_path)
        key = str(path[-1]) if path else ""
        return (error.validator, key) in skipped

    return skip


def schema_findings(
    document: Document,
    schema_name: str,
    skip: Callable[[jsonschema.ValidationError], bool] = lambda error: False,
) -> Iterator[Finding]:
    """Yield one finding per schema violation in `document`, except skipped ones."""
    errors = sorted(
        _leaf_errors(_validator(schema_name).iter_errors(document.data)),
        key=lambda error: (list(map(str, error.absolute_path)), error.message),
    )
    for error in errors:
        if skip(error):
            continue
        json_path = tuple(error.absolute_path)
        yield Finding(document, json_path, _message(error, json_path))


def _message(error: jsonschema.ValidationError, json_path: tuple) -> str:
    where = format_json_path(json_path)
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        unknown = sorted(set(error.instance) - set(allowed))
        return (
            f"unknown key {unknown[0]!r} in {where}; expected one of: "
            f"{', '.join(allowed)}"
        )
    if error.validator == "required":
        return f"{where}: {error.message}"
    description = (
        error.schema.get("description") if isinstance(error.schema, dict) else None
    )
    value = json.dumps(error.instance)
    expected = description or error.message
    return f"invalid value {value} at {where}; expected {expected}"
