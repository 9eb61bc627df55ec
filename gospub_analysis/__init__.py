"""gospub-analysis: the engine behind the notebooks on official pages of state institutions.

    >>> import gospub_analysis as ga
    >>> source = ga.open_source("data/nso-synthetic")   # what every analysis takes
    >>> source.pages().groupby("sector").size()
    >>> ds = ga.load_dataset("data/nso-synthetic")      # every table in memory, validated
"""

from importlib.metadata import PackageNotFoundError, version

from .dataset import Dataset, DatasetError, Source, load_dataset, open_source, write_dataset

try:
    __version__ = version("gospub-analysis")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+source"

__all__ = ["Dataset", "DatasetError", "Source", "load_dataset", "open_source", "write_dataset", "__version__"]
