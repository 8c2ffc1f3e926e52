"""Loading and validating a service configuration file."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from obsgen.config.service import (
    AlertmanagerConfig,
    DatasourceConfig,
    HealthProvider,
    ServiceConfig,
    Thresholds,
    default_providers,
)
from obsgen.config.validate import (
    format_value,
    reject_non_finite_numbers,
    validate_config,
    yaml_type_name,
)
from obsgen.errors import ConfigError
from obsgen.yamlsource import JsonPath, LocatedDocument, format_json_path, load_yaml

# Providers that obsgen monitors through other series than health_check_status.
BUILT_IN_PROVIDERS = {
    "database_pool": "it reports unhealthy while idle, so obsgen alerts on the "
    "database_pool_* gauges instead",
}


@cache
def service_schema() -> dict[str, Any]:
    """Return the JSON Schema of service configuration files."""
    text = resources.files("obsgen").joinpath("schemas/service.schema.json")
    return json.loads(text.read_text(encoding="utf-8"))


def load_service_config(path: Path) -> ServiceConfig:
    """Load, validate and return the service configuration in `path`."""
    document = load_yaml(path)
    if not isinstance(document.data, dict):
        raise ConfigError(
            f"{path} is not a YAML mapping",
            location=document.location(()),
            hint="start from examples/example-service/service.yaml",
        )
    reject_non_finite_numbers(document)
    _validate_schema(document)
    config = _build_config(document)
    validate_config(config, document)
    return config


def _validate_schema(document: LocatedDocument) -> None:
    validator = jsonschema.Draft202012Validator(service_schema())
    errors = sorted(
        validator.iter_errors(document.data),
        key=lambda error: (list(map(str, error.absolute_path)), error.message),
    )
    if not errors:
        return
    error = jsonschema.exceptions.best_match(errors)
    json_path = tuple(error.absolute_path)
    key = format_json_path(json_path)
    hint = _allowed_form(error)

    if error.validator == "additionalProperties":
        unknown = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        allowed = ", ".join(sorted(error.schema.get("properties", {})))
        message = f"unknown key {unknown[0]!r} in {key}"
        location = document.location((*json_path, unknown[0]))
        hint = f"use one of: {allowed}"
    elif error.validator == "required":
        missing = next(
            name for name in error.validator_value if name not in error.instance
        )
        missing_path = format_json_path((*json_path, missing))
        message = f"missing required key {missing_path}"
        location = document.location(json_path)
        hint = (
            f"add {missing_path}{_described(error.schema, missing)}; "
            "examples/example-service/service.yaml shows every key"
        )
    else:
        value = format_value(document, json_path, error.instance)
        message = f"invalid value for {key}: {value}"
        location = document.location(json_path)
        if _is_unquoted_string(document, json_path, error):
            # YAML 1.1 reads unquoted yes, no, on, off, numbers and dates as
            # other types, where the person often meant a string.
            message += f" (YAML reads it as {yaml_type_name(error.instance)})"
            hint = f'{hint}; quote it: "{value}"'
    raise ConfigError(message, location=location, hint=hint)


def _is_unquoted_string(
    document: LocatedDocument,
    json_path: JsonPath,
    error: jsonschema.ValidationError,
) -> bool:
    expected = error.validator_value if error.validator == "type" else None
    return (
        expected == "string"
        and not isinstance(error.instance, str)
        and bool(document.plain_text(json_path))
    )


def _described(schema: dict[str, Any], name: str) -> str:
    # Property schemas are often a reference into $defs, where the description is.
    property_schema = schema.get("properties", {}).get(name, {})
    ref = property_schema.get("$ref", "")
    if ref.startswith("#/$defs/"):
        definition = service_schema()["$defs"][ref.removeprefix("#/$defs/")]
        property_schema = {**definition, **property_schema}
    description = property_schema.get("description")
    return f", {description}" if description else ""


def _allowed_form(error: jsonschema.ValidationError) -> str | None:
    # The innermost schema with a description states the form the value must have.
    for schema in (error.schema, *(e.schema for e in error.context or ())):
        if isinstance(schema, dict) and "description" in schema:
            return f"expected {schema['description']}"
    if error.validator == "type":
        return f"expected a value of type {error.validator_value}"
    return error.message


def _build_config(document: LocatedDocument) -> ServiceConfig:
    data = document.data
    service = data["service"]
    prometheus = data["prometheus"]
    kubernetes = data.get("kubernetes", {})
    grafana = data["grafana"]
    name = service["name"]
    datasource = DatasourceConfig(**grafana["datasource"])
    providers = _build_providers(document)

    return ServiceConfig(
        name=name,
        job=prometheus["job"],
        namespace=prometheus.get("namespace", "default"),
        folder=grafana["folder"],
        datasource=datasource,
        environment=service.get("environment", "production"),
        team=service.get("team", "platform"),
        runbook_base_url=service.get(
            "runbook_base_url", "https://wiki.example.com/runbooks"
        ),
        scrape_interval=prometheus.get("scrape_interval", "15s"),
        evaluation_interval=prometheus.get("evaluation_interval", "30s"),
        pod_regex=kubernetes.get("pod_regex", f"{name}-.*"),
        container=kubernetes.get("container", name),
        dashboards_path=grafana.get(
            "dashboards_path", f"/var/lib/grafana/dashboards/{name}"
        ),
        rule_labels=tuple(sorted(kubernetes.get("rule_labels", {}).items())),
        alertmanager=_build_alertmanager(data.get("alertmanager", {})),
        thresholds=Thresholds(**data.get("thresholds", {})),
        providers=providers,
        source_path=document.path,
        catalog_path=_catalog_path(document),
    )


def _build_alertmanager(data: dict[str, Any]) -> AlertmanagerConfig:
    settings = dict(data)
    if "group_by" in settings:
        settings["group_by"] = tuple(settings["group_by"])
    return AlertmanagerConfig(**settings)


def _catalog_path(document: LocatedDocument) -> Path | None:
    # A relative catalog path is relative to the configuration file.
    catalog = document.data.get("catalog")
    return document.path.parent / catalog if catalog is not None else None


def _build_providers(document: LocatedDocument) -> tuple[HealthProvider, ...]:
    configured = document.data.get("health", {}).get("providers")
    if configured is None:
        return default_providers()
    providers = []
    for name, settings in configured.items():
        if name in BUILT_IN_PROVIDERS:
            raise ConfigError(
                f"health provider {name!r} cannot be configured: "
                f"{BUILT_IN_PROVIDERS[name]}",
                location=document.location(("health", "providers", name)),
                hint=f"remove health.providers.{name}",
            )
        critical = settings.get("critical_for_readiness", False)
        if critical and not settings["enabled"]:
            raise ConfigError(
                f"health provider {name!r} is critical for readiness but disabled",
                location=document.location(("health", "providers", name)),
                hint="set enabled: true, or critical_for_readiness: false",
            )
        providers.append(HealthProvider(name, settings["enabled"], critical))
    return tuple(providers)
