"""The thin Dagster layer: one folder per stage, wiring the core to the lake."""
