"""The house rules of the code, checked on the source itself.

- Only the dataset package (`gospub_analysis/dataset/`) opens a dataset's files: no Parquet
  read and no manifest read anywhere else; the analysis modules take a `Source` and never
  a folder, so nothing else can read on its own.
- Modules stay small enough to read in one sitting.
- Notebooks are stored without outputs, define no functions, and build the data object in
  the first code cell after their parameters.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from gospub_analysis import config

PACKAGE = config.PACKAGE_DIR
DATASET_PACKAGE = PACKAGE / "dataset"
MAX_MODULE_LINES = 450
# Modules that load or write whole datasets by design (importers merge into a dataset,
# exporters write raw API dumps, the generator writes the synthetic one, `gospub validate`
# checks one): they may call the dataset package's folder functions, never read files themselves.
DATASET_WRITERS = ("importers", "synthetic", "collector", "commands.py", "cli.py")
PUBLIC_API = PACKAGE / "__init__.py"  # re-exports `load_dataset` for users

FILE_READS = re.compile(r"read_parquet|pyarrow\.parquet|\bpq\.|manifest\.json|read_table\(|ParquetFile")
FOLDER_ACCESS = re.compile(r"\b(?:read_manifest|table_file|load_dataset|MANIFEST)\b|Dataset\(\s*(?:tables=)?\{")


def _modules():
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _code(path: Path) -> str:
    """The module's code without docstrings and comments (they may name the files they describe)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body[0].value.value = ""
    return ast.unparse(tree)


def test_only_the_dataset_package_reads_dataset_files():
    offenders = [str(p.relative_to(PACKAGE)) for p in _modules()
                 if DATASET_PACKAGE not in p.parents and FILE_READS.search(_code(p))]
    assert offenders == [], f"these modules read Parquet or manifest files themselves: {offenders}"


def test_analysis_modules_reach_data_only_through_a_source():
    analysis = [p for p in _modules() if DATASET_PACKAGE not in p.parents and p != PUBLIC_API
                and not any(part in DATASET_WRITERS for part in p.relative_to(PACKAGE).parts)]
    offenders = {str(p.relative_to(PACKAGE)): sorted(set(FOLDER_ACCESS.findall(_code(p))))
                 for p in analysis if FOLDER_ACCESS.search(_code(p))}
    assert offenders == {}, f"analysis modules open dataset folders instead of taking a Source: {offenders}"
    with_data_dir = [str(p.relative_to(PACKAGE)) for p in analysis
                     if re.search(r"def \w+\([^)]*\bdata_dir\b", _code(p)) and "reports" not in p.parts]
    assert with_data_dir == [], f"analysis functions still take a data_dir: {with_data_dir}"


def test_the_architecture_check_catches_a_direct_read(tmp_path):
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text('"""Reads manifest.json (a docstring may say so)."""\nimport pandas as pd\n\n'
                      'def load(path):\n    return pd.read_parquet(path)\n', encoding="utf-8")
    assert FILE_READS.search(_code(sneaky)) and "manifest" not in _code(sneaky)


def test_no_module_is_too_long_to_read():
    long = {str(p.relative_to(PACKAGE)): n for p in _modules()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert long == {}, f"modules over {MAX_MODULE_LINES} lines: {long}"


NOTEBOOKS = sorted(config.NOTEBOOKS_DIR.glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebooks_are_thin_and_stored_without_outputs(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") and not c.get("execution_count") for c in code), "stored with outputs"
    source = "\n".join("".join(c["source"]) for c in code)
    assert not re.search(r"^\s*(def|class)\s", source, re.M), "the notebook defines a function or class"
    assert not re.search(r"read_parquet|read_manifest|table_file|read_csv|\.get\(\"timezone\"", source)
    parameters = next(i for i, c in enumerate(code) if "parameters" in c.get("metadata", {}).get("tags", []))
    first = "".join(code[parameters + 1]["source"])
    assert "open_source(" in first or "load_dataset(" in first, "the first cell after the parameters builds the data"
