"""Every model and every column the sample build writes is documented in dbt docs."""

from __future__ import annotations

import json

from conftest import DbtResult


def test_every_model_and_column_is_documented(sample_warehouse: DbtResult) -> None:
    manifest = json.loads(
        (sample_warehouse.db_path.parent / "target" / "manifest.json").read_text())
    written: dict[str, set[str]] = {}
    for table, column in sample_warehouse.query(
            "select table_name, column_name from information_schema.columns"
            " where table_schema = 'main'"):
        written.setdefault(table, set()).add(column.lower())
    models = [node for node in manifest["nodes"].values() if node["resource_type"] == "model"]
    assert len(models) > 50
    undocumented = []
    for node in models:
        if not node["description"].strip():
            undocumented.append(f"{node['name']}: no description")
        documented = {name.lower() for name, column in node["columns"].items()
                      if column.get("description", "").strip()}
        undocumented += [f"{node['name']}.{column}"
                         for column in sorted(written.get(node["name"], set()) - documented)]
    assert undocumented == []
