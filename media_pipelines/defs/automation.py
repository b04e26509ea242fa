import dagster as dg

# A stage follows its upstream within the same title: when raw media or a rendition of a title updates, the
# stages below it run for that title only, never while an upstream step of it is still running.
STAGE_AUTOMATION = dg.AutomationCondition.eager()

# Evaluates the stage conditions; on by default so a local instance keeps titles current by itself.
title_automation_sensor = dg.AutomationConditionSensorDefinition(
    "title_automation_sensor",
    target=dg.AssetSelection.all(),
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=30,
)
