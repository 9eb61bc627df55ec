"""Importers: bring real data (VK API dumps, the monitoring export, Telegram channel
exports, award lists) into the canonical dataset, and export a dataset back as VK dumps.

Every importer accounts for each input record: it is imported, merged as a duplicate,
skipped for a stated reason (e.g. Telegram service messages) or set aside in the
`quarantine` table with the reason. `report.ImportReport` keeps that account and writes
`import_report.json`; `merge.write_import` merges the result into a dataset folder.
"""
