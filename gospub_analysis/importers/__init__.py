"""Importers: bring real data (VK and OK API dumps, the monitoring export, Telegram channel
exports, award lists) into the canonical dataset, and export a dataset back as VK or OK dumps.

Every importer accounts for each input record: it is imported, merged (a duplicate, or a
record the dataset already has), skipped for a stated reason (e.g. Telegram service
messages) or set aside in the `quarantine` table with the reason, its source file and its
position. `report.ImportReport` keeps that account and writes `import_report.json` (a
failed run: `import_report.failed.json`, nothing else changed); `merge.write_import`
merges the result into a dataset folder; `pending` retries the records that wait for
their post, page or page id at every import; `scrub` decides what of a set-aside record
may be kept (nothing that identifies a person); `spreadsheet` reads workbooks by their
content and CSV files in their real encoding; `provenance` names the imported files in
the manifest. API dumps, shared by the platforms: `dump` (files, envelopes), `dump_rows`
(row tables), `dump_frames` (tables of a `Platform`), `dump_import` (the run),
`dump_export` (what the exporters share). VK: `vk_shapes` (response shapes), `vk_rows`
(records), `vk`, `vk_export`. Odnoklassniki: `ok_shapes`, `ok_rows`, `ok`, `ok_export`.
"""
