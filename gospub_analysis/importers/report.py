"""The account every import keeps: records read, imported, merged, skipped, set aside.

`ImportReport` counts per record type (post, comment, group, row, message, award…) and
collects the quarantine rows (raw record as JSON, personal data pseudonymised or
removed by the importer before it gets here). Its identity, checked by the tests:
read = imported + duplicates + skipped + quarantined for every record type.
`ImportFileError` is the one error a malformed input file raises: it names the file, the
position in it and the shape that was expected.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

import pandas as pd

from ..schema import TABLES

REPORT_FILE = "import_report.json"
RAW_MAX_CHARS = 20_000
COUNT_FIELDS = ("read", "imported", "duplicates", "skipped", "quarantined")


class ImportFileError(ValueError):
    """A file that cannot be read as the expected kind of input; nothing of it is imported."""

    def __init__(self, file: Path | str, position: str, expected: str, detail: str = ""):
        self.file = str(file)
        self.position = position
        self.expected = expected
        self.detail = detail
        what = f": {detail}" if detail else ""
        super().__init__(f"{self.file}, {position}{what}. Expected: {expected}")

    def as_dict(self) -> dict:
        return {"file": self.file, "position": self.position, "problem": self.detail, "expected": self.expected}


def raw_json(record: object) -> str:
    """A record as compact, key-sorted JSON text, cut at RAW_MAX_CHARS."""
    try:
        text = json.dumps(record, ensure_ascii=False, sort_keys=True, default=str)
    except (TypeError, ValueError):
        text = repr(record)
    return text if len(text) <= RAW_MAX_CHARS else text[:RAW_MAX_CHARS] + "…(truncated)"


class ImportReport:
    def __init__(self, command: str):
        self.command = command
        self.counts: dict[str, Counter] = defaultdict(Counter)
        self.quarantine_reasons: Counter = Counter()
        self.skip_reasons: Counter = Counter()
        self.quarantine_rows: list[dict] = []
        self.failed_files: list[dict] = []
        self.files_read = 0
        self.warnings: Counter = Counter()
        self.notes: dict = {}
        self.dataset_rows: dict[str, int] = {}

    # --- accounting ------------------------------------------------------------------
    def read(self, record_type: str, n: int = 1) -> None:
        self.counts[record_type]["read"] += n

    def imported(self, record_type: str, n: int) -> None:
        self.counts[record_type]["imported"] += n

    def duplicates(self, record_type: str, n: int) -> None:
        if n:
            self.counts[record_type]["duplicates"] += n

    def skip(self, record_type: str, reason: str, n: int = 1) -> None:
        self.counts[record_type]["skipped"] += n
        self.skip_reasons[f"{record_type}: {reason}"] += n

    def quarantine(self, source_file: str, position: str, record_type: str, reason: str,
                   raw: object = None, counted: bool = True) -> None:
        """Set one record aside. `counted=False` for records that were never counted as read."""
        if counted:
            self.counts[record_type]["quarantined"] += 1
        self.quarantine_reasons[f"{record_type}: {reason}"] += 1
        self.quarantine_rows.append({
            "source_file": str(source_file), "position": position, "record_type": record_type,
            "reason": reason, "raw": None if raw is None else raw if isinstance(raw, str) else raw_json(raw),
        })

    def unimport(self, record_type: str, n: int) -> None:
        """Records counted as imported that a later step (references) set aside."""
        self.counts[record_type]["imported"] -= n
        self.counts[record_type]["quarantined"] += n

    def warn(self, message: str, n: int = 1) -> None:
        self.warnings[message] += n

    def absorb(self, other: "ImportReport") -> None:
        """Add the counts, quarantine and warnings of a part of this import (read in another process)."""
        for rtype, counter in other.counts.items():
            self.counts[rtype].update(counter)
        self.quarantine_reasons.update(other.quarantine_reasons)
        self.skip_reasons.update(other.skip_reasons)
        self.quarantine_rows.extend(other.quarantine_rows)
        self.failed_files.extend(other.failed_files)
        self.warnings.update(other.warnings)

    def fail_file(self, error: ImportFileError) -> None:
        self.failed_files.append(error.as_dict())
        self.quarantine(error.file, error.position, "file", f"malformed file: {error.detail}; expected {error.expected}",
                        None, counted=False)

    # --- output ----------------------------------------------------------------------
    def quarantine_frame(self) -> pd.DataFrame:
        columns = TABLES["quarantine"].column_names
        frame = pd.DataFrame(self.quarantine_rows, columns=columns)
        return frame.astype({c: "str" for c in columns if c != "raw"}).astype({"raw": "str"}) if len(frame) else frame

    def unbalanced(self) -> dict[str, dict]:
        """Record types whose counts do not add up (should always be empty)."""
        out = {}
        for rtype, c in self.counts.items():
            if c["read"] != c["imported"] + c["duplicates"] + c["skipped"] + c["quarantined"]:
                out[rtype] = dict(c)
        return out

    def as_dict(self) -> dict:
        return {
            "command": self.command,
            "status": "failed" if self.failed_files and not self.notes.get("skip_bad_files") else "ok",
            "files_read": self.files_read,
            "files_failed": self.failed_files,
            "records": {k: {f: int(self.counts[k][f]) for f in COUNT_FIELDS} for k in sorted(self.counts)},
            "quarantined_by_reason": dict(sorted(self.quarantine_reasons.items())),
            "skipped_by_reason": dict(sorted(self.skip_reasons.items())),
            "warnings": dict(sorted(self.warnings.items())),
            "notes": self.notes,
            "dataset_rows": self.dataset_rows,
        }

    def write(self, out_dir: Path | str) -> Path:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        path = out / REPORT_FILE
        path.write_text(json.dumps(self.as_dict(), ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n",
                        encoding="utf-8")
        return path

    def summary(self) -> str:
        lines = [f"gospub {self.command}: {self.files_read} file(s) read"
                 + (f", {len(self.failed_files)} failed" if self.failed_files else "")]
        for rtype in sorted(self.counts):
            c = self.counts[rtype]
            lines.append(f"  {rtype}: read {c['read']:,}, imported {c['imported']:,}, duplicates merged "
                         f"{c['duplicates']:,}, skipped {c['skipped']:,}, quarantined {c['quarantined']:,}")
        for title, counter in (("quarantined", self.quarantine_reasons), ("skipped", self.skip_reasons),
                               ("warnings", self.warnings)):
            if counter:
                lines.append(f"  {title}:")
                lines.extend(f"    {n:,} × {reason}" for reason, n in sorted(counter.items()))
        for failure in self.failed_files:
            lines.append(f"  FAILED {failure['file']}, {failure['position']}: {failure['problem']}")
        return "\n".join(lines)
