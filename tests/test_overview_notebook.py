"""The overview notebook runs through papermill on small data and shows what it promises."""

from __future__ import annotations

import json

import nbformat
import papermill as pm

from gospub_analysis.config import KERNEL_NAME, NOTEBOOKS_DIR


def outputs_text(nb) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts.append(out.get("text", ""))
            data = out.get("data", {})
            parts.append(data.get("text/plain", ""))
            parts.append(data.get("text/markdown", ""))
            parts.append(data.get("text/html", ""))
    return "\n".join(p if isinstance(p, str) else "".join(p) for p in parts)


def test_overview_runs_on_small_data(small_dataset_dir, tmp_path):
    out = tmp_path / "overview.ipynb"
    pm.execute_notebook(str(NOTEBOOKS_DIR / "overview.ipynb"), str(out), parameters={"data_dir": str(small_dataset_dir)},
                        kernel_name=KERNEL_NAME, cwd=str(tmp_path), progress_bar=False)
    nb = nbformat.read(out, as_version=4)
    text = outputs_text(nb)
    assert "СИНТЕТИЧЕСКИЕ ДАННЫЕ" in text
    manifest = json.loads((small_dataset_dir / "manifest.json").read_text(encoding="utf-8"))
    # the table summary shows each table's real row count
    for table in ("posts", "comments", "communities"):
        assert f"{manifest['row_counts'][table]}" in text, table
    images = [o for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(images) == 4
    assert "Страниц образования:" in text
    assert not any(o.get("output_type") == "error" for c in nb.cells for o in c.get("outputs", []))


def test_overview_is_stored_without_outputs():
    nb = nbformat.read(NOTEBOOKS_DIR / "overview.ipynb", as_version=4)
    assert all(not c.get("outputs") and not c.get("execution_count") for c in nb.cells if c.cell_type == "code")
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1 and tagged[0].source.strip() == "data_dir = None"
