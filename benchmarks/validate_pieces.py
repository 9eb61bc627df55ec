"""Validate a dataset whose posts are too big for `gospub validate` (pandas): the other tables with
`load_dataset` (validate_tables, references among them), then posts.parquet row group by row group,
regrouped into batches of whole pages, each through `validation.check_piece` + `piece_values`
(dtypes, pandera, key, posts -> communities, comments -> posts), then `pieces_done`."""
import sys, time, resource
import pyarrow as pa, pyarrow.compute as pc, pyarrow.parquet as pq
from gospub_analysis.dataset import load_dataset
from gospub_analysis.dataset.validation import check_piece, piece_values, pieces_done
from gospub_analysis.schema import TABLES
t0 = time.perf_counter()
path = sys.argv[1]
others = load_dataset(path, tables=[t for t in TABLES if t != "posts"]).tables
print(f"other tables valid ({time.perf_counter()-t0:.0f} s): " + ", ".join(f"{k} {len(v):,}" for k, v in others.items()), flush=True)
f = pq.ParquetFile(f"{path}/posts.parquet")
seen, rows, carry, batches = set(), 0, None, 0
def check(table):
    global rows, batches
    frame = table.to_pandas()
    frame, values = check_piece("posts", frame, others, path)
    piece_values("posts", values, seen, lambda: frame, path)
    bad = (frame["text"].str.len() != frame["text_length"]).sum()
    assert bad == 0, f"{bad} posts whose text_length is not their text's length"
    rows += len(frame); batches += 1
for i in range(f.num_row_groups):
    group = f.read_row_group(i)
    table = group if carry is None else pa.concat_tables([carry, group])
    ids = table.column("community_id")
    last = ids[len(ids) - 1]
    keep = pc.not_equal(ids, last)
    cut = int(pc.sum(keep.cast(pa.int64())).as_py() or 0)  # rows before the last page (pages are runs)
    if cut:
        check(table.slice(0, cut))
    carry = table.slice(cut)
if carry is not None and carry.num_rows:
    check(carry)
pieces_done("posts", others, seen, path)
r = resource.getrusage(resource.RUSAGE_SELF)
print(f"posts valid: {rows:,} rows in {batches} batches of whole pages, {len(seen):,} pages; "
      f"{time.perf_counter()-t0:.0f} s wall, {r.ru_utime + r.ru_stime:.0f} s CPU, peak {r.ru_maxrss/2**20:.2f} GiB", flush=True)
assert rows == f.metadata.num_rows
