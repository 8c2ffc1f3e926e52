"""Metric catalogs: the metrics a service exposes, with types and labels."""

from obsgen.catalog.exposition import catalog_from_exposition, parse_exposition
from obsgen.catalog.model import Catalog, Metric, MetricType, load_catalog

__all__ = [
    "Catalog",
    "Metric",
    "MetricType",
    "catalog_from_exposition",
    "load_catalog",
    "parse_exposition",
]
