"""The award-classifier notebook runs through papermill on small data and writes what it promises."""

from __future__ import annotations

import json

import nbformat
import pandas as pd
import papermill as pm
import pytest

from gospub_analysis import classifier, open_source
from gospub_analysis.config import KERNEL_NAME, NOTEBOOKS_DIR

NOTEBOOK = NOTEBOOKS_DIR / "award_classifier.ipynb"
PARAMETERS = """data_dir = None
train_year = 2023
target_year = 2024
as_of_month = 9
k = None
random_state = 0
out_dir = None
cache_dir = None"""


@pytest.mark.slow
def test_award_classifier_notebook_on_small_data(small_dataset_dir, tmp_path):
    out_dir = tmp_path / "classifier"
    executed = tmp_path / "award_classifier.ipynb"
    pm.execute_notebook(str(NOTEBOOK), str(executed), kernel_name=KERNEL_NAME, cwd=str(tmp_path),
                        parameters={"data_dir": str(small_dataset_dir), "out_dir": str(out_dir)}, progress_bar=False)

    flagged = pd.read_csv(out_dir / "flagged.csv")
    assert {"community_id", "name", "probability", "rank", "flagged", "reasons"} <= set(flagged.columns)
    source = open_source(small_dataset_dir)
    # candidates: pages of the award sectors on the platforms whose pages were awarded in 2023 (VK)
    candidates = classifier.load_year(source, 2024, 9, classifier.award_sectors(source, 2023),
                                      classifier.award_platforms(source, 2023))
    assert len(flagged) == len(candidates.candidates)
    assert set(flagged["platform"]) == {"vk"}
    assert flagged["flagged"].sum() == 9  # k defaults to the number of 2023 awards
    assert flagged["community_id"].is_unique

    metrics = json.loads((out_dir / "metrics.json").read_text(encoding="utf-8"))
    assert {"params", "data", "summary", "models", "permutation_importance", "weights", "flagged"} <= set(metrics)
    assert set(metrics["models"]) == {"logistic", "boosting", "subscribers_only", "methodology_score"}
    for name, entry in metrics["models"].items():
        for period in ("cross_validation", "out_of_time"):
            assert {"roc_auc", "average_precision", "precision_at_k", "recall_at_k", "confusion_at_k"} <= set(entry[period])
        if name in classifier.MODEL_NAMES:
            assert {"predicted", "observed", "brier"} <= set(entry["out_of_time"]["calibration"])
    assert metrics["summary"]["chosen_model"] in classifier.MODEL_NAMES
    assert isinstance(metrics["summary"]["beats_subscribers_only"], bool)
    for name in ("flagged.xlsx", classifier.MODEL_FILE, "model_card.md"):
        assert (out_dir / name).stat().st_size > 0

    nb = nbformat.read(executed, as_version=4)
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    assert not any(o.get("output_type") == "error" for o in outputs)
    text = "\n".join(str(o.get("data", {}).get("text/markdown", "")) for o in outputs)
    assert "СИНТЕТИЧЕСКИЕ ДАННЫЕ" in text
    assert "«только подписчики»" in text  # the verdict against the subscribers-only baseline is shown
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) == 3  # calibration, permutation importance, weights


def test_award_classifier_notebook_is_stored_clean():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == KERNEL_NAME
    assert all(not c.get("outputs") and not c.get("execution_count") for c in nb.cells if c.cell_type == "code")
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1 and tagged[0].source.strip() == PARAMETERS
