"""Compare two builds of a report, file by file: are they the same files?

    PYTHONPATH=. .venv/bin/python benchmarks/report_cmp.py DIR_A DIR_B [--lines N]

DIR_A and DIR_B are two report folders (`reports/2023` of two `gospub report` runs, or two
weeks of `gospub weekly`: `reports/weekly/2023-W52`), or folders holding one (the single
sub-folder is taken). Every file present in either is compared:

- PNG, CSV, JSON, Parquet, xlsx, Markdown, joblib and everything else: byte for byte. When
  two differ, the script says how: for text files the first differing lines; for Parquet
  whether the tables hold the same rows in another order (or the first differing row); for
  workbooks which zip members differ and their first differing lines; for PNG whether the
  pixels or only the metadata differ;
- the executed notebooks (`.ipynb`), the HTML pages, `build.json` and `build.log`: as text,
  with only the values that belong to the act of building masked (`MASKS` below: the time the
  report was built, papermill's start/end times and durations and the kernels' execution
  timestamps, the classifier's «Расчёт занял N с», the seconds and kernel ids in build.json,
  the hidden build folder's name, and the two folders' own paths). Nothing that the data
  decide is masked.

It prints, per differing file, the first differing lines, then `files: N, equal: E, different:
D, only in A: a, only in B: b`, and exits with 1 when anything differs.
"""

from __future__ import annotations

import argparse
import difflib
import io
import json
import re
import sys
import zipfile
from pathlib import Path

TEXT_SUFFIXES = {".csv", ".md", ".json", ".txt", ".log", ".html", ".ipynb", ".xml"}
# Seconds, times and ids of the act of building: the only values masked. Each is (name, pattern, replacement).
MASKS: dict[str, list[tuple[str, re.Pattern, str]]] = {
    ".html": [
        ("build time", re.compile(r"(Отчёт собран</th><td>)\d\d\.\d\d\.\d{4} \d\d:\d\d"), r"\1<BUILT>"),
        ("build time", re.compile(r"(собран[аоы]?:? )\d\d\.\d\d\.\d{4} \d\d:\d\d"), r"\1<BUILT>"),
        ("classifier seconds", re.compile(r"Расчёт занял [\d\s,.\u00a0\u202f]+ с"), "Расчёт занял <N> с"),
    ],
    ".ipynb": [
        ("build time", re.compile(r"(Отчёт собран</th><td>)\d\d\.\d\d\.\d{4} \d\d:\d\d"), r"\1<BUILT>"),
        ("classifier seconds", re.compile(r"Расчёт занял [\d\s,.\u00a0\u202f]+ с"), "Расчёт занял <N> с"),
    ],
}
BUILDING_DIR = re.compile(r"\.[^/\"\s]+\.building-\d{8}-\d{6}-\d+")  # the hidden folder a build runs in
PAPERMILL_TIMES = ("duration", "start_time", "end_time")
BUILD_JSON_TIMES = re.compile(r"(^|_)(seconds|at)$|^kernel$")


def _root(folder: Path) -> Path:
    """The report folder itself: `folder`, or its only sub-folder when `folder` holds nothing else."""
    entries = [p for p in folder.iterdir() if not p.name.startswith(".")]
    return entries[0] if len(entries) == 1 and entries[0].is_dir() else folder


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def _mask_notebook(text: str) -> str:
    """The notebook with papermill's times and durations and the kernels' execution timestamps dropped."""
    nb = json.loads(text)
    for key in PAPERMILL_TIMES:
        nb.get("metadata", {}).get("papermill", {}).pop(key, None)
    for cell in nb.get("cells", []):
        meta = cell.get("metadata", {})
        meta.pop("execution", None)
        for key in PAPERMILL_TIMES:
            meta.get("papermill", {}).pop(key, None)
    return json.dumps(nb, ensure_ascii=False, indent=1, sort_keys=True)


def _mask_build_json(value):
    """build.json without the build's seconds, its start and end, and the kernels' ids."""
    if isinstance(value, dict):
        return {k: ("<MASKED>" if BUILD_JSON_TIMES.search(k) else _mask_build_json(v)) for k, v in value.items()
                if k != "timings"}
    if isinstance(value, list):
        return [_mask_build_json(v) for v in value]
    return value


def masked_text(rel: str, data: bytes, root: Path) -> str:
    """The text of a file that is compared as text, with the build's own values masked."""
    text = data.decode("utf-8", errors="replace")
    suffix = Path(rel).suffix
    if suffix == ".ipynb":
        text = _mask_notebook(text)
    elif Path(rel).name == "build.json":
        text = json.dumps(_mask_build_json(json.loads(text)), ensure_ascii=False, indent=1)
    text = BUILDING_DIR.sub("<BUILDING>", text)
    # the folders' own paths, the longest first (the report folder before the one holding it)
    for path in sorted({str(root), str(root.resolve()), str(root.parent), str(root.parent.resolve())},
                       key=lambda p: (-len(p), p)):
        text = text.replace(path, "<OUT>")
    for _, pattern, replacement in MASKS.get(suffix, []):
        text = pattern.sub(replacement, text)
    return text


def compared_as_text(rel: str) -> bool:
    name = Path(rel).name
    return Path(rel).suffix in (".ipynb", ".html") or name in ("build.json", "build.log")


def _first_lines(a: str, b: str, n: int) -> list[str]:
    diff = [line for line in difflib.unified_diff(a.splitlines(), b.splitlines(), "A", "B", n=0, lineterm="")
            if not line.startswith(("---", "+++"))]
    return [line if len(line) <= 300 else line[:300] + " …" for line in diff[:n]]


def _explain_parquet(a: bytes, b: bytes, n: int) -> list[str]:
    import pyarrow.parquet as pq

    ta, tb = pq.read_table(io.BytesIO(a)), pq.read_table(io.BytesIO(b))
    if ta.schema != tb.schema:
        return [f"schemas differ: {ta.schema} / {tb.schema}"]
    if ta.equals(tb):
        return ["the same table; the files differ in their encoding or metadata"]
    if ta.num_rows != tb.num_rows:
        return [f"{ta.num_rows} rows / {tb.num_rows} rows"]
    da, db = ta.to_pandas(), tb.to_pandas()
    keys = list(da.columns)
    sa = da.sort_values(keys, ignore_index=True, na_position="first")
    sb = db.sort_values(keys, ignore_index=True, na_position="first")
    same_rows = sa.equals(sb)
    rows = (da.ne(db) & ~(da.isna() & db.isna())).any(axis=1)
    first = int(rows.to_numpy().argmax())
    out = [("the same rows in another order" if same_rows else "different rows")
           + f" ({int(rows.sum())} of {len(da)} rows differ in place); first at row {first}:"]
    out += ["  A: " + da.iloc[first].to_dict().__repr__()[:300], "  B: " + db.iloc[first].to_dict().__repr__()[:300]]
    return out[:n]


def _explain_zip(a: bytes, b: bytes, n: int) -> list[str]:
    za, zb = zipfile.ZipFile(io.BytesIO(a)), zipfile.ZipFile(io.BytesIO(b))
    names_a, names_b = za.namelist(), zb.namelist()
    out = []
    if names_a != names_b:
        out.append(f"members: {names_a} / {names_b}")
    for name in names_a:
        if name not in names_b:
            continue
        ma, mb = za.read(name), zb.read(name)
        ia, ib = za.getinfo(name), zb.getinfo(name)
        if ma != mb:
            out.append(f"member {name} differs:")
            out += ["  " + line for line in _first_lines(ma.decode("utf-8", "replace"), mb.decode("utf-8", "replace"),
                                                          max(n - len(out), 2))]
        elif ia.date_time != ib.date_time:
            out.append(f"member {name}: the same bytes, zip date {ia.date_time} / {ib.date_time}")
        if len(out) >= n:
            break
    return out[:n] or ["the same members; the zip container differs"]


def _explain_png(a: bytes, b: bytes) -> list[str]:
    from PIL import Image

    ia, ib = Image.open(io.BytesIO(a)), Image.open(io.BytesIO(b))
    if ia.size != ib.size:
        return [f"sizes {ia.size} / {ib.size}"]
    if ia.tobytes() == ib.tobytes():
        return [f"the same pixels; metadata {ia.info} / {ib.info}"]
    pa, pb = ia.convert("RGBA").tobytes(), ib.convert("RGBA").tobytes()
    changed = sum(1 for i in range(0, len(pa), 4) if pa[i:i + 4] != pb[i:i + 4])
    return [f"the pixels differ: {changed} of {ia.size[0] * ia.size[1]}"]


def explain(rel: str, a: bytes, b: bytes, n: int) -> list[str]:
    """How two different files differ, in at most `n` lines."""
    suffix = Path(rel).suffix
    try:
        if suffix == ".parquet":
            return _explain_parquet(a, b, n)
        if suffix in (".xlsx", ".zip"):
            return _explain_zip(a, b, n)
        if suffix == ".png":
            return _explain_png(a, b)
        if suffix in TEXT_SUFFIXES:
            return _first_lines(a.decode("utf-8", "replace"), b.decode("utf-8", "replace"), n)
    except Exception as error:  # an explanation is a courtesy; the verdict is the bytes
        return [f"(no explanation: {type(error).__name__}: {error})"]
    first = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return [f"{len(a)} / {len(b)} bytes, first difference at byte {first}"]


def compare(dir_a: Path, dir_b: Path, lines: int = 6, out=sys.stdout) -> dict:
    """Compare two report folders; print the differences to `out`; the counts (and the differing files)."""
    root_a, root_b = _root(Path(dir_a)), _root(Path(dir_b))
    files_a, files_b = _files(root_a), _files(root_b)
    equal, different = [], []
    for rel in sorted(files_a & files_b):
        a, b = (root_a / rel).read_bytes(), (root_b / rel).read_bytes()
        if compared_as_text(rel):
            ta, tb = masked_text(rel, a, root_a), masked_text(rel, b, root_b)
            same, detail = ta == tb, (lambda: _first_lines(ta, tb, lines))
        else:
            same, detail = a == b, (lambda: explain(rel, a, b, lines))
        if same:
            equal.append(rel)
        else:
            different.append(rel)
            print(f"DIFFERENT {rel}", file=out)
            for line in detail():
                print(f"    {line}", file=out)
    only_a, only_b = sorted(files_a - files_b), sorted(files_b - files_a)
    for rel in only_a:
        print(f"ONLY IN A {rel}", file=out)
    for rel in only_b:
        print(f"ONLY IN B {rel}", file=out)
    counts = {"files": len(files_a | files_b), "equal": len(equal), "different": len(different),
              "only_a": len(only_a), "only_b": len(only_b)}
    print(f"{root_a} / {root_b}", file=out)
    print(f"files: {counts['files']}, equal: {counts['equal']}, different: {counts['different']}, "
          f"only in A: {counts['only_a']}, only in B: {counts['only_b']}", file=out)
    by_kind: dict[str, list[int]] = {}
    for rel in equal + different:
        by_kind.setdefault(Path(rel).suffix or Path(rel).name, [0, 0])[rel in different] += 1
    print("by kind (equal/different): " + ", ".join(f"{k} {e}/{d}" for k, (e, d) in sorted(by_kind.items())), file=out)
    return {**counts, "different_files": different}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dir_a", type=Path)
    parser.add_argument("dir_b", type=Path)
    parser.add_argument("--lines", type=int, default=6, help="differing lines shown per file (default 6)")
    args = parser.parse_args(argv)
    counts = compare(args.dir_a, args.dir_b, args.lines)
    return 1 if counts["different"] or counts["only_a"] or counts["only_b"] else 0


if __name__ == "__main__":
    sys.exit(main())
