"""gospub-analysis: the engine behind the notebooks on official pages of state institutions.

    >>> import gospub_analysis as ga
    >>> ds = ga.load_dataset("data/nso-synthetic")
    >>> ds.pages().groupby("sector").size()
"""

from importlib.metadata import PackageNotFoundError, version

from .dataset import Dataset, DatasetError, load_dataset, write_dataset

try:
    __version__ = version("gospub-analysis")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+source"

__all__ = ["Dataset", "DatasetError", "load_dataset", "write_dataset", "__version__"]
