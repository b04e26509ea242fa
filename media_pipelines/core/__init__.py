"""Pure media logic: no Dagster import anywhere below this package."""
