"""A report build's notebooks, in one kept kernel, share one `Source` and what it computed."""

from __future__ import annotations

from gospub_analysis import coverage, open_source, ranking
from gospub_analysis import municipality as district


def test_a_build_cache_gives_the_same_source_again(small_dataset_dir, tmp_path):
    first = open_source(small_dataset_dir, tmp_path / "data")
    assert open_source(small_dataset_dir, tmp_path / "data") is first
    assert open_source(small_dataset_dir, tmp_path / "other") is not first  # another build
    assert open_source(small_dataset_dir, tmp_path / "data") is not first  # only the last one is kept
    assert open_source(small_dataset_dir) is not open_source(small_dataset_dir)  # no build: a new source


def test_region_ranking_is_computed_once_and_handed_out_as_copies(small_dataset_dir, tmp_path):
    source = open_source(small_dataset_dir, tmp_path / "data")
    year = max(source.covered_years())
    method = ranking.load_methodology()
    expected = ranking.rank_pages(open_source(small_dataset_dir), year, method)
    got = district.region_ranking(source, year, method)
    assert got.equals(expected) and got.attrs == expected.attrs
    got["score"] = -1.0  # a notebook changing its frame does not change the next page's
    again = district.region_ranking(source, year, method)
    assert again.equals(expected)
    assert len([k for k in source.cache if k[0] == "region_ranking"]) == 1


def test_organisation_platforms_are_handed_out_as_copies(small_dataset_dir, tmp_path):
    source = open_source(small_dataset_dir, tmp_path / "data")
    at = source.pages()["created_at"].max()
    expected = coverage.organisation_platforms(open_source(small_dataset_dir), at)
    got = coverage.organisation_platforms(source, at)
    assert got.equals(expected)
    got["missing"] = "vk"
    assert coverage.organisation_platforms(source, at).equals(expected)
    region = coverage.missing_second_platform(source, at)
    assert len(region) and region.equals(coverage.missing_second_platform(open_source(small_dataset_dir), at))
    for name in region["municipality"].unique()[:3]:  # a district's list: its part of the region's, as computed alone
        part = coverage.missing_second_platform(source, at, name)
        assert len(part) and part.equals(region[region["municipality"] == name].reset_index(drop=True))
    region["name"] = "changed"
    assert coverage.missing_second_platform(source, at).equals(coverage.missing_second_platform(open_source(small_dataset_dir), at))
