import dagster as dg

# A stage follows its upstream within the same title: when raw media or a rendition of a title updates, the
# stages below it run for that title only, never while an upstream step of it is still running, and never
# over an upstream whose blocking checks failed, unless that upstream runs again with them: then the run
# itself stops them if its checks fail again.
_BLOCKING_CHECKS_PASSED = dg.AutomationCondition.all_checks_match(
    dg.AutomationCondition.check_passed(), blocking_only=True
)
STAGE_AUTOMATION = dg.AutomationCondition.eager() & dg.AutomationCondition.all_deps_match(
    _BLOCKING_CHECKS_PASSED | dg.AutomationCondition.will_be_requested()
)

# Evaluates the stage conditions; on by default so a local instance keeps titles current by itself.
title_automation_sensor = dg.AutomationConditionSensorDefinition(
    "title_automation_sensor",
    target=dg.AssetSelection.all(),
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=30,
)
