"""Every lint check, one per module, named by its id.

The module of check `family/name` is `family_name.py` with dashes as
underscores. ALL_CHECKS is the explicit list the registry is built from.
"""

from obsgen.lint.checks.alerts_annotations import AlertsAnnotations
from obsgen.lint.checks.alerts_severity import AlertsSeverity
from obsgen.lint.checks.alerts_template_labels import AlertsTemplateLabels
from obsgen.lint.checks.alerts_template_syntax import AlertsTemplateSyntax
from obsgen.lint.checks.catalog_unknown_label import CatalogUnknownLabel
from obsgen.lint.checks.catalog_unknown_metric import CatalogUnknownMetric
from obsgen.lint.checks.dashboards_datasource import DashboardsDatasource
from obsgen.lint.checks.dashboards_duplicate_title import DashboardsDuplicateTitle
from obsgen.lint.checks.dashboards_duplicate_uid import DashboardsDuplicateUid
from obsgen.lint.checks.dashboards_grid import DashboardsGrid
from obsgen.lint.checks.dashboards_inputs import DashboardsInputs
from obsgen.lint.checks.dashboards_panel_id import DashboardsPanelId
from obsgen.lint.checks.dashboards_panel_unit import DashboardsPanelUnit
from obsgen.lint.checks.dashboards_rate_interval import DashboardsRateInterval
from obsgen.lint.checks.dashboards_title_folder import DashboardsTitleFolder
from obsgen.lint.checks.dashboards_uid import DashboardsUid
from obsgen.lint.checks.file_syntax import FileSyntax
from obsgen.lint.checks.lint_suppression import LintSuppression
from obsgen.lint.checks.live_no_series import LiveNoSeries
from obsgen.lint.checks.promql_counter_threshold import PromqlCounterThreshold
from obsgen.lint.checks.promql_histogram_quantile_le import PromqlHistogramQuantileLe
from obsgen.lint.checks.promql_rate_gauge import PromqlRateGauge
from obsgen.lint.checks.promql_rate_window import PromqlRateWindow
from obsgen.lint.checks.promql_ratio_guard import PromqlRatioGuard
from obsgen.lint.checks.promql_syntax import PromqlSyntax
from obsgen.lint.checks.rules_duplicate_group import RulesDuplicateGroup
from obsgen.lint.checks.rules_duplicate_record import RulesDuplicateRecord
from obsgen.lint.checks.rules_duration import RulesDuration
from obsgen.lint.checks.rules_label_name import RulesLabelName
from obsgen.lint.checks.rules_record_name import RulesRecordName
from obsgen.lint.checks.schema_dashboard import SchemaDashboard
from obsgen.lint.checks.schema_provisioning import SchemaProvisioning
from obsgen.lint.checks.schema_rule_file import SchemaRuleFile

ALL_CHECKS = (
    FileSyntax,
    LintSuppression,
    SchemaRuleFile,
    SchemaDashboard,
    SchemaProvisioning,
    PromqlSyntax,
    PromqlHistogramQuantileLe,
    PromqlRateWindow,
    PromqlRateGauge,
    PromqlCounterThreshold,
    PromqlRatioGuard,
    AlertsTemplateSyntax,
    AlertsTemplateLabels,
    AlertsSeverity,
    AlertsAnnotations,
    RulesDuration,
    RulesDuplicateGroup,
    RulesDuplicateRecord,
    RulesRecordName,
    RulesLabelName,
    DashboardsUid,
    DashboardsDuplicateUid,
    DashboardsDuplicateTitle,
    DashboardsTitleFolder,
    DashboardsPanelId,
    DashboardsGrid,
    DashboardsInputs,
    DashboardsDatasource,
    DashboardsPanelUnit,
    DashboardsRateInterval,
    CatalogUnknownMetric,
    CatalogUnknownLabel,
    LiveNoSeries,
)
