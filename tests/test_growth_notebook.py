"""notebooks/growth.ipynb run through papermill on the small synthetic dataset.

The assertions check what the notebook wrote (headline.csv and the other tables) against
counts made here straight from the Parquet files, plus what it told the reader.
"""

from __future__ import annotations

import json

import nbformat
import pandas as pd
import papermill as pm
import pytest

from gospub_analysis import config, excel
from gospub_analysis.dataset import read_manifest, table_file

NOTEBOOK = config.NOTEBOOKS_DIR / "growth.ipynb"
FIGURES = ("pages_active", "subscribers", "posts", "page_comments", "winners")


def run(data_dir, year, out_dir, tmp_path):
    output = tmp_path / f"growth-{year}.ipynb"
    pm.execute_notebook(str(NOTEBOOK), str(output), parameters={"data_dir": str(data_dir), "year": year,
                                                                "out_dir": str(out_dir)},
                        kernel_name=config.KERNEL_NAME, cwd=str(config.NOTEBOOKS_DIR), progress_bar=False)
    return nbformat.read(output, as_version=4)


def shown_text(nb) -> str:
    parts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            parts.append(data.get("text/markdown", "") + data.get("text/html", "") + data.get("text/plain", "")
                         + output.get("text", ""))
    return "\n".join(parts)


def local_year(ts: pd.Series, tz: str) -> pd.Series:
    return ts.dt.tz_convert(tz).dt.year


def test_stored_notebook_is_clean():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "gospub"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    params = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1 and params[0].source.split("\n") == ["data_dir = None", "year = 2023", "out_dir = None",
                                                                         "cache_dir = None"]


@pytest.mark.slow
def test_growth_notebook_2023(small_dataset_dir, tmp_path):
    out = tmp_path / "report"
    nb = run(small_dataset_dir, 2023, out, tmp_path)
    tz = read_manifest(small_dataset_dir)["timezone"]

    headline = excel.read_csv(out / "headline.csv")
    # every figure counts the pages of every platform (its rule says so) and is given per platform
    assert list(headline.columns) == ["figure", "value", "rule", "platforms", "value_vk", "value_ok", "value_telegram"]
    assert headline.set_index("figure").loc["posts", "rule"].endswith(
        "Считаются страницы всех платформ набора (ВКонтакте, Одноклассники, Telegram), каждая страница отдельно; "
        "значения по каждой платформе — в отдельных столбцах.")
    assert set(FIGURES) <= set(headline["figure"])
    assert headline["rule"].notna().all() and headline["rule"].str.len().gt(20).all()
    value = headline.set_index("figure")["value"]

    # independent counts from the Parquet files
    comms = pd.read_parquet(table_file(small_dataset_dir, "communities"))
    end = pd.Timestamp("2024-01-01", tz=tz)
    active = (comms["created_at"] <= end) & (comms["closed_at"].isna() | (comms["closed_at"] > end))
    posts = pd.read_parquet(table_file(small_dataset_dir, "posts"), columns=["published_at"])
    comments = pd.read_parquet(table_file(small_dataset_dir, "comments"), columns=["created_at", "author_kind"])
    awards = pd.read_parquet(table_file(small_dataset_dir, "awards"))
    assert value["pages_active"] == active.sum() > 0
    by_platform = headline.set_index("figure")
    for platform in ("vk", "ok", "telegram"):  # each platform's pages, and together the total
        assert by_platform.loc["pages_active", f"value_{platform}"] == (active & (comms["platform"] == platform)).sum() > 0
    assert by_platform.loc["posts", ["value_vk", "value_ok", "value_telegram"]].sum() == value["posts"]
    assert by_platform.loc["winners", "value_vk"] == value["winners"]  # every awarded page is a VK page
    assert value["posts"] == (local_year(posts["published_at"], tz) == 2023).sum() > 0
    assert value["page_comments"] == ((local_year(comments["created_at"], tz) == 2023)
                                      & (comments["author_kind"] == "page")).sum() > 0
    assert value["winners"] == ((awards["award"] == "quality_mark") & (awards["year"] == 2023)).sum() > 0
    assert value["subscribers"] > value["pages_active"]
    assert 0 < value["answered_share"] <= 1

    monthly = excel.read_csv(out / "monthly.csv")
    assert monthly["month"].tolist() == [f"{m:%Y-%m}" for m in pd.date_range("2022-12-01", "2023-12-01", freq="MS")]
    assert monthly["pages_active"].iloc[-1] == value["pages_active"]
    assert monthly.loc[monthly["month"].str.startswith("2023"), "posts"].sum() == value["posts"]

    municipalities = excel.read_csv(out / "municipalities.csv")
    assert len(municipalities) == 35 and municipalities["municipality"].is_unique
    assert {"population", "population_source", "pages_active_per_1000"} <= set(municipalities.columns)
    assert municipalities["pages_active"].sum() <= value["pages_active"]

    # the reader is told the data are synthetic; NSO 2023 shows the published figures beside
    text = shown_text(nb)
    assert "СИНТЕТИЧЕСКИЕ ДАННЫЕ" in text
    # the forum's figures stand beside the VK pages' values
    assert "Опубликовано (итоги года; страницы: ВКонтакте)" in text and "3\u202f465" in text
    assert "Опубликованные цифры описывают сеть страниц ВКонтакте" in text
    # the section by platform: figures per platform, coverage, cross-posting
    assert "По платформам" in text and "Есть страницы в обеих обязательных сетях" in text
    assert "вышли в пределах часа от публикации ВКонтакте той же организации" in text
    platforms = excel.read_csv(out / "platforms.csv").set_index("platform")
    assert platforms.loc["ok", "pages_active"] == by_platform.loc["pages_active", "value_ok"]
    assert "не покрывает 2022 год" in text  # the dataset starts in December 2022
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert summary.startswith("СИНТЕТИЧЕСКИЕ ДАННЫЕ") and f"{int(value['winners'])} " in summary
    for png in ("growth_pages", "sectors_pages", "municipalities_pages_per_1000", "replies", "posting_rhythm"):
        assert (out / f"{png}.png").stat().st_size > 10_000


@pytest.mark.slow
def test_growth_notebook_2024_compares_with_2023(small_dataset_dir, tmp_path):
    out = tmp_path / "report"
    nb = run(small_dataset_dir, 2024, out, tmp_path)
    headline = excel.read_csv(out / "headline.csv").set_index("figure")["value"]
    change = excel.read_csv(out / "change.csv").set_index("figure")
    assert change.loc["posts", "value"] == headline["posts"]
    assert change.loc["pages_active", "change"] == headline["pages_active"] - change.loc["pages_active", "previous"]
    assert len(excel.read_csv(out / "monthly.csv")) == 25
    text = shown_text(nb)
    assert "Опубликовано (итоги года" not in text  # published figures are for 2023 only
    assert json.loads(json.dumps(nb.metadata["papermill"]["parameters"]))["year"] == 2024
