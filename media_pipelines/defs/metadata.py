import dagster as dg

from media_pipelines.lake.tables import TableSpec

# The one-line, human summary every stage asset puts in its materialization metadata (the CLI prints it).
SUMMARY = "summary"
TITLE_ID = "title_id"
# The rows a stage wrote to its table of record (the first table its asset shows) for the title.
ROW_COUNT = "dagster/row_count"


def tables_metadata(*specs: TableSpec) -> dict:
    """An asset's definition metadata from the tables of record it writes: the first table's columns as
    the UI's column schema, and every table's description, row key and columns."""
    main, *_ = specs
    lines = []
    for spec in specs:
        lines.append(f"**{spec.name}**: {spec.description}; one row per `{', '.join(('title_id', *spec.row_key))}`")
        lines.append(", ".join(f"`{f.name}` {f.type}" for f in spec.stored_schema))
    return {
        "dagster/column_schema": dg.TableSchema(
            columns=[dg.TableColumn(f.name, str(f.type)) for f in main.stored_schema]
        ),
        "tables": dg.MetadataValue.md("\n\n".join(lines)),
    }


def titled(title_id: str, results: list[dg.AssetCheckResult]) -> list[dg.AssetCheckResult]:
    """Check results carrying their title as metadata, so each row of a check's history in the UI says
    which title it judged (the history has no partition column)."""
    return [r.with_metadata({**r.metadata, TITLE_ID: title_id}) for r in results]
