"""Shared fixtures: small synthetic datasets, generated once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from gospub_analysis.synthetic import generate

# CI runs the property-based tests on a fixed sequence of examples, so that a run is
# reproducible; elsewhere hypothesis keeps exploring (and remembers what it found).
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

SMALL = {"seed": 7, "years": (2023, 2024), "scale": 0.05}


@pytest.fixture(scope="session")
def small_dataset_dir(tmp_path_factory) -> Path:
    """A synthetic region at 5% scale for 2023-2024 (about 175 pages, 30k posts)."""
    return generate(tmp_path_factory.mktemp("small") / "dataset", progress=None, **SMALL)


@pytest.fixture(scope="session")
def full_dataset_dir(tmp_path_factory) -> Path:
    """The default dataset (scale 1, 2023-2025): calibration tests read it from disk."""
    existing = os.environ.get("GOSPUB_TEST_FULL_DATASET")
    if existing:
        return Path(existing)
    return generate(tmp_path_factory.mktemp("full") / "dataset", seed=2023, years=(2023, 2025), progress=None)
