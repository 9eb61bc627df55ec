"""The account every import keeps: records read, imported, merged, skipped, set aside.

`ImportReport` counts per record type (post, comment, group, row, message, award…) and
collects the quarantine rows (raw record as JSON, personal data pseudonymised or
removed by the importer before it gets here). Its identity, checked by the tests:
read = imported + duplicates + skipped + quarantined for every record type.
`ImportFileError` is the one error a malformed input file raises: it names the file, the
position in it and the shape that was expected.

A run that fails (`refuse`) writes its report to `import_report.failed.json` with status
"failed" and every failed file with the reason; the dataset and the `import_report.json`
of the last successful run stay untouched. A successful run removes a stale failed report.
Nothing in a report may identify a person: reasons and notes are the importers' own
words, never values copied from an input record.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

import pandas as pd

from ..schema import TABLES

REPORT_FILE = "import_report.json"
FAILED_REPORT_FILE = "import_report.failed.json"
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
        self.resolved: Counter = Counter()  # records set aside by earlier runs that joined the dataset now
        self.inputs: list[str] = []  # every input file of the run (read or failed), as given

    # --- accounting ------------------------------------------------------------------
    def read(self, record_type: str, n: int = 1) -> None:
        self.counts[record_type]["read"] += n

    def imported(self, record_type: str, n: int) -> None:
        if n or record_type in self.counts:
            self.counts[record_type]["imported"] += n

    def duplicates(self, record_type: str, n: int) -> None:
        if n:
            self.counts[record_type]["duplicates"] += n

    def skip(self, record_type: str, reason: str, n: int = 1) -> None:
        self.counts[record_type]["skipped"] += n
        self.skip_reasons[f"{record_type}: {reason}"] += n

    def quarantine(self, source_file: str, position: str, record_type: str, reason: str,
                   raw: object = None, counted: bool = True, waits_for: str | None = None) -> None:
        """Set one record aside. `counted=False` for records that were never counted as read; `waits_for`
        for a record that joins the dataset once what it refers to arrives (see `pending`)."""
        if counted:
            self.counts[record_type]["quarantined"] += 1
        self.quarantine_reasons[f"{record_type}: {reason}"] += 1
        self.quarantine_rows.append({
            "source_file": str(source_file), "position": position, "record_type": record_type,
            "reason": reason, "raw": None if raw is None else raw if isinstance(raw, str) else raw_json(raw),
            "waits_for": waits_for,
        })

    def merged(self, record_type: str, n: int) -> None:
        """Records counted as imported whose key the dataset already had: merged into it, not new."""
        if n:
            self.counts[record_type]["imported"] -= n
            self.counts[record_type]["duplicates"] += n

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
        for key, value in other.notes.items():
            if isinstance(value, dict):
                merged = self.notes.setdefault(key, {})
                for k, v in value.items():
                    merged[k] = merged.get(k, 0) + v if isinstance(v, int) else v
            else:
                self.notes.setdefault(key, value)

    def fail_file(self, error: ImportFileError) -> None:
        self.failed_files.append(error.as_dict())
        self.quarantine(error.file, error.position, "file", f"malformed file: {error.detail}; expected {error.expected}",
                        None, counted=False)

    # --- output ----------------------------------------------------------------------
    def quarantine_frame(self) -> pd.DataFrame:
        columns = TABLES["quarantine"].column_names
        frame = pd.DataFrame(self.quarantine_rows, columns=columns)
        return frame.astype({c: "str" for c in columns[:4]}) if len(frame) else frame

    def unbalanced(self) -> dict[str, dict]:
        """Record types whose counts do not add up (should always be empty)."""
        out = {}
        for rtype, c in self.counts.items():
            if c["read"] != c["imported"] + c["duplicates"] + c["skipped"] + c["quarantined"]:
                out[rtype] = dict(c)
        return out

    def refuse(self, out_dir: Path | str, skip_hint: bool = True):
        """End a run that imports nothing: write the failed report beside the dataset (which, with its
        import_report.json, stays untouched) and raise ImportFileError naming the first failed file."""
        self.counts.clear()  # nothing is imported: the report lists only the failed files
        self.quarantine_reasons.clear()
        self.quarantine_rows.clear()
        self.notes["status_reason"] = "a file could not be read: nothing was imported"
        path = self.write(out_dir, failed=True)
        first = self.failed_files[0]
        more = f" (and {len(self.failed_files) - 1} more file(s))" if len(self.failed_files) > 1 else ""
        hint = " (use --skip-bad-files to import the other files)" if skip_hint else ""
        raise ImportFileError(first["file"], first["position"], first["expected"],
                              f"{first['problem']}{more}; nothing was imported{hint}, the dataset is unchanged; "
                              f"this run's report: {path}")

    def as_dict(self) -> dict:
        return {
            "command": self.command,
            "status": "failed" if self.failed_files and not self.notes.get("skip_bad_files") else "ok",
            "resolved_from_quarantine": dict(sorted(self.resolved.items())),
            "files_read": self.files_read,
            "files_failed": self.failed_files,
            "records": {k: {f: int(self.counts[k][f]) for f in COUNT_FIELDS} for k in sorted(self.counts)},
            "quarantined_by_reason": dict(sorted(self.quarantine_reasons.items())),
            "skipped_by_reason": dict(sorted(self.skip_reasons.items())),
            "warnings": dict(sorted(self.warnings.items())),
            "notes": self.notes,
            "dataset_rows": self.dataset_rows,
        }

    def write(self, out_dir: Path | str, failed: bool = False) -> Path:
        """import_report.json of a successful run (a stale failed report is removed), or with `failed`
        import_report.failed.json, leaving the last successful report as it was."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        path = out / (FAILED_REPORT_FILE if failed else REPORT_FILE)
        text = json.dumps(self.as_dict(), ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n"
        partial = path.with_name(path.name + ".tmp")
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)
        if not failed:
            (out / FAILED_REPORT_FILE).unlink(missing_ok=True)
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
        if self.resolved:
            lines.append("  set aside earlier, joined the dataset now: "
                         + ", ".join(f"{n:,} {rtype}" for rtype, n in sorted(self.resolved.items())))
        for failure in self.failed_files:
            lines.append(f"  FAILED {failure['file']}, {failure['position']}: {failure['problem']}")
        return "\n".join(lines)
