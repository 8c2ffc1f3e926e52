"""Service configuration: what one monitored service looks like to obsgen."""

from obsgen.config.load import load_service_config
from obsgen.config.service import (
    AlertmanagerConfig,
    DatasourceConfig,
    HealthProvider,
    ServiceConfig,
    Thresholds,
)

__all__ = [
    "AlertmanagerConfig",
    "DatasourceConfig",
    "HealthProvider",
    "ServiceConfig",
    "Thresholds",
    "load_service_config",
]
