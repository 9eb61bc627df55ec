"""The canonical dataset: a folder of Parquet tables plus manifest.json.

This package is the only code that opens a dataset folder's files:
- `validation`: casting to the declared dtypes and validation (`DatasetError`);
- `files`: reading and writing the folder (`load_dataset`, `write_dataset`, the manifest);
- `pieces`: a table too big to hold written piece by piece, the pieces made in worker processes;
- `tables`: `Dataset`, the tables in memory, and the one join of pages with organisations;
- `facts`: what the manifest says (time zone, synthetic or not, the label for readers);
- `source`: `Source`, how every analysis reads a dataset (DuckDB views, small tables, cache);
- `stream`: a folder validated batch by batch, whatever its size (`validate_folder`, `gospub validate`).
"""

from .facts import ManifestFacts
from .files import MANIFEST, fingerprint, load_dataset, read_manifest, table_file, write_dataset
from .source import Source, open_source, require_source
from .stream import validate_folder
from .tables import Dataset, join_pages
from .validation import DatasetError, validate_tables

__all__ = [
    "MANIFEST", "Dataset", "DatasetError", "ManifestFacts", "Source", "fingerprint", "join_pages", "load_dataset",
    "open_source", "read_manifest", "require_source", "table_file", "validate_folder", "validate_tables",
    "write_dataset",
]
