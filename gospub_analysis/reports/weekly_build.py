"""The atomic build of a weekly report: `reports/weekly/<YYYY-Www>/`, all pages or nothing.

The same machinery as the yearly report (`build`), for the Monday question:
1. the week's shared computations (the weekly panel, the action items, the league tables,
   the trend; with cards, the year of weekly rows) run once into the build's cache;
2. the region page, one page per municipality and the requested page cards run as
   papermill jobs (`notebooks/weekly.ipynb`, `notebooks/page.ipynb`) on `jobs` worker
   processes, every job of a worker in one kernel (`runner`, namespace reset between
   runs), each reading the cache through its `Source(data_dir, cache_dir)`;
3. every page is rendered without code (`html`), each municipality page writes its
   curator's workbook, the region page the region's; then the week's `index.html` and
   `build.json`; the cache, an intermediate, is removed;
4. everything happens in a hidden folder next to the target and is swapped in at once
   (`atomic`); a failed build is kept as `<YYYY-Www>.failed-<time>` and the previous
   report stays. `reports/weekly/index.html` then lists every week built.
"""

from __future__ import annotations

import functools
import os
import platform
import shutil
import time
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from ..config import DEFAULT_DATASET, KERNEL_NAME, NOTEBOOKS_DIR, REPORTS_DIR
from ..dataset import Source, fingerprint
from ..region import MUNICIPALITY_BY_NAME
from ..weekly import (action_items, find_page, league, load_weekly_methodology, resolve_week, trend, week_label,
                      weekly_panel)
from ..weekly.rows import weekly_fortnight
from ..weekly.card import CARD_WEEKS
from ..weekly.tables import card_file
from ..wording import fmt_week, platform_label
from .atomic import kept_name, swap_in
from .build import BuildResult, _records, check_kernel, municipality_names, package_version, preflight
from .index import dumps
from .kernels import notebook_imports
from .runner import Job, Outcome
from .schedule import PREPARE, run_pages
from .weekly_index import write_week_index, write_weeks_list

WEEKLY_DIR = "weekly"
MUNICIPALITIES_DIR = "municipalities"
CARDS_DIR = "cards"
CACHE_DIR = "data"
WEEKLY_NOTEBOOK = NOTEBOOKS_DIR / "weekly.ipynb"
PAGE_NOTEBOOK = NOTEBOOKS_DIR / "page.ipynb"


def default_jobs() -> int:
    """Worker processes of a weekly build: one more than the cores. A page is short and about a
    third of its time is spent waiting on the kernel's messages, when another worker can compute."""
    return (os.cpu_count() or 1) + 1


def prepare_week(data_dir: str, cache_dir: str, monday: str, with_cards: bool) -> Outcome:
    """Compute what every page of the week reads, into the build's cache (run in a worker)."""
    started = time.perf_counter()
    try:
        source = Source(data_dir, cache_dir)
        method = load_weekly_methodology()
        weekly_fortnight(source, monday, method, panel=weekly_panel(source, monday, methodology=method))
        action_items(source, monday, method)
        for by in ("municipality", "sector"):
            league(source, monday, by, method)
        trend(source, monday, method)
        if with_cards:
            weekly_panel(source, monday, CARD_WEEKS, method)
        return Outcome(PREPARE, ok=True, seconds=time.perf_counter() - started)
    except Exception as exc:  # reported with the notebooks' failures
        return Outcome(PREPARE, ok=False, seconds=time.perf_counter() - started, error={
            "notebook": "gospub_analysis.reports.weekly_build.prepare_week", "cell_index": None,
            "execution_count": None, "cell_source": "", "ename": type(exc).__name__, "evalue": str(exc)})


def _jobs(work: Path, monday: pd.Timestamp, source: Source, names: list[str], cards: list[str], method,
          banner: str | None) -> list[tuple[str, Job]]:
    """(kind, job) for the region page, each municipality page and each card."""
    common = {"data_dir": str(source.path), "cache_dir": CACHE_DIR, "week": f"{monday:%Y-%m-%d}"}
    footer = (f"Еженедельный мониторинг, неделя {fmt_week(monday)} · методика {method.file_name}, версия "
              f"{method.version} · {source.data_label} · gospub-analysis {package_version()}")

    def job(name, title, notebook, stem, parameters, depth) -> Job:
        up = "../" * depth
        nav = f'<a href="{up}index.html">← к оглавлению недели</a>' + (
            f' · <a href="{up}region.html">вся область</a>' if depth else "")
        return Job(name=name, title=title, notebook=notebook, executed=work / f"{stem}.ipynb", html=work / f"{stem}.html",
                   parameters=parameters, cwd=work, banner=banner, nav_html=nav, footer_html=footer, reuse_kernel=True,
                   save_every_cell=False)

    jobs = [("region", job("weekly:region", f"Еженедельный мониторинг: вся область, {fmt_week(monday)}",
                           WEEKLY_NOTEBOOK, "region",
                           {**common, "municipality": "", "out_dir": ".", "cards": cards, "cards_dir": CARDS_DIR,
                            "municipality_pages": MUNICIPALITIES_DIR if names else ""}, 0))]
    for name in names:
        slug = MUNICIPALITY_BY_NAME[name].slug
        jobs.append(("municipality", job(f"weekly:{slug}", f"{name}: еженедельный мониторинг, {fmt_week(monday)}",
                                         WEEKLY_NOTEBOOK, f"{MUNICIPALITIES_DIR}/{slug}",
                                         {**common, "municipality": name, "out_dir": MUNICIPALITIES_DIR, "cards": cards,
                                          "cards_dir": f"../{CARDS_DIR}", "municipality_pages": ""}, 1)))
    for page in cards:
        stem = f"{CARDS_DIR}/{card_file(page)[:-len('.html')]}"
        jobs.append(("card", job(f"card:{page}", f"Карточка страницы {page}, {fmt_week(monday)}", PAGE_NOTEBOOK, stem,
                                 {"data_dir": common["data_dir"], "cache_dir": CACHE_DIR, "week": common["week"],
                                  "page": page}, 1)))
    return jobs


def _provenance(source: Source, method, monday: pd.Timestamp, names: list[str], cards: list[str], jobs: int,
                started_at: datetime) -> dict:
    return {
        "package": "gospub-analysis",
        "package_version": package_version(),
        "parameters": {"week": f"{monday:%Y-%m-%d}", "data_dir": str(source.path), "municipalities": names,
                       "cards": cards, "jobs": jobs},
        "week": {"monday": f"{monday:%Y-%m-%d}", "label": week_label(monday), "text": fmt_week(monday)},
        "dataset": {"path": str(source.path), "fingerprint": fingerprint(source.path), "synthetic": source.is_synthetic,
                    "label": source.data_label, "manifest": source.manifest},
        "methodology": {"name": method.name, "version": method.version, "title": method.title,
                        "file": method.file_name},
        "kernel": KERNEL_NAME,
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "started_at": started_at.isoformat(timespec="seconds"),
    }


def build_weekly(week=None, data_dir: Path | str | None = None, *, reports_dir: Path | str = REPORTS_DIR,
                 municipalities: list[str] | None = None, all_municipalities: bool = False,
                 cards: list[str] | None = None, jobs: int | None = None, progress: bool = True) -> BuildResult:
    """Build `reports_dir/weekly/<YYYY-Www>` for `week` (a Monday; None: the last complete week).

    `municipalities` (or `all_municipalities`): the municipality pages to build; `cards`:
    pages (ids or links) to build a card for; the pages that list them link to the cards.
    """
    started_at = datetime.now(timezone.utc).astimezone()
    t0 = time.perf_counter()
    source = Source(Path(data_dir or DEFAULT_DATASET).resolve())
    method = load_weekly_methodology()
    monday = resolve_week(source, week)
    names = municipality_names(municipalities, all_municipalities)
    card_ids = list(dict.fromkeys(find_page(source, page) for page in cards or []))
    workers = max(1, int(jobs or default_jobs()))
    check_kernel()

    weekly_dir = Path(reports_dir).resolve() / WEEKLY_DIR
    label, stamp = week_label(monday), started_at.strftime("%Y%m%d-%H%M%S")
    work = weekly_dir / f".{label}.building-{stamp}-{os.getpid()}"
    page_jobs = _jobs(work, monday, source, names, card_ids, method, source.data_label if source.is_synthetic else None)
    first_of_each = list({kind: job for kind, job in reversed(page_jobs)}.values())
    preflight(first_of_each)
    work.mkdir(parents=True)
    build = _provenance(source, method, monday, names, card_ids, workers, started_at)
    prepare = functools.partial(prepare_week, str(source.path), str(work / CACHE_DIR), f"{monday:%Y-%m-%d}",
                                bool(card_ids))
    try:
        outcomes, marks = run_pages(prepare, page_jobs, work=work, workers=workers, progress=progress,
                                    desc=f"Неделя {label}",
                                    warm_code=notebook_imports(dict.fromkeys(job.notebook for _, job in page_jobs)))
    except BaseException:
        if work.exists():
            os.replace(work, kept_name(weekly_dir, label, stamp))
        raise
    order = [PREPARE] + [job.name for _, job in page_jobs]
    records, failures = _records(order, outcomes, {job.name: job for _, job in page_jobs}, work)
    build.update({
        "status": "ok" if not failures else "failed", "notebooks": records, "errors": failures,
        "timings": {"wall_seconds": round(time.perf_counter() - t0, 2),
                    **{f"{k}_seconds": round(v, 2) for k, v in marks.items()}},
        "finished_at": datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds"),
    })
    if failures:
        (work / "build.json").write_text(dumps(build), encoding="utf-8")
        kept = kept_name(weekly_dir, label, stamp)
        os.replace(work, kept)
        return BuildResult(False, kept, build, failures)
    summary = league(Source(source.path, work / CACHE_DIR), monday, "municipality", method)
    shutil.rmtree(work / CACHE_DIR, ignore_errors=True)  # an intermediate: every page has read it
    page_names = source.pages().set_index("community_id")["name"]
    cards = [(c, f"{page_names.get(c, c)} ({platform_label(c.split(':')[0])})") for c in card_ids]
    write_week_index(work, build, summary, [(name, f"{MUNICIPALITIES_DIR}/{MUNICIPALITY_BY_NAME[name].slug}")
                                            for name in names], cards, method)
    (work / "build.json").write_text(dumps(build), encoding="utf-8")
    target = weekly_dir / label
    swap_in(work, target)
    write_weeks_list(weekly_dir)
    return BuildResult(True, target, build)


def format_weekly_failures(result: BuildResult) -> str:
    """One screen saying which pages failed (`build.format_failures`, named by the week)."""
    from dataclasses import replace

    from .build import format_failures

    build = {**result.build, "parameters": {**result.build["parameters"], "year": result.build["week"]["label"]}}
    return format_failures(replace(result, build=build))
