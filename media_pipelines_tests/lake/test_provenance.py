import importlib
import pkgutil

import pyarrow as pa

import media_pipelines.lake


def test_every_lake_table_carries_source_checksums_and_a_code_version():
    schemas = {
        f"{info.name}.{name}": value
        for info in pkgutil.iter_modules(media_pipelines.lake.__path__)
        for name, value in vars(importlib.import_module(f"media_pipelines.lake.{info.name}")).items()
        if isinstance(value, pa.Schema)
    }
    assert len(schemas) >= 14
    for name, schema in schemas.items():
        assert "code_version" in schema.names, name
        assert {"sha256", "source_sha256", "source_sha256s"} & set(schema.names), name
