"""The atomic build of a yearly report: every notebook succeeds, or nothing changes.

This module owns the order of a build and its manifest:
1. the shared inputs (`notebooks.SHARED_INPUTS`: the year's indicators, the growth series
   per municipality) are computed once into the report's cache folder, while the main
   notebooks (`notebooks.MAIN_NOTEBOOKS`) start, on `jobs` worker processes, each with
   the kernel its worker keeps (`runner`, `kernels`); the index's weekly chart is computed
   alongside;
2. once the shared inputs are ready, one municipality notebook per district, each
   reading them through its `Source(data_dir, cache_dir)`;
3. every page is rendered without code (`html`); once the main notebooks have ended, this
   process makes the index's year section from their files (cards and five charts) while
   the workers go on with the district pages; after the last page `index.html` and `build.json`;
4. the whole build happens in a hidden folder next to `reports/<year>` (same file
   system) and is swapped in with one rename. If any notebook fails, the folder is
   renamed `reports/<year>.failed-<time>` (the failed executed notebook is in it, with
   the error cell marked by papermill) and `reports/<year>` is left as it was.
"""

from __future__ import annotations

import os
import platform
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import partial
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from ..config import DEFAULT_DATASET, KERNEL_NAME, REPORTS_DIR
from ..dataset import Source, fingerprint
from ..region import MUNICIPALITIES
from . import notebooks as table
from .atomic import kept_name as _kept
from .atomic import swap_in as _swap_in
from .index import dumps, write_index
from .kernels import notebook_imports
from .notebooks import CACHE_DIR, MUNICIPALITIES_DIR, ReportNotebook
from .runner import Job, Outcome, check_parameters, declared_parameters
from .schedule import PREPARE as INPUTS_TASK
from .schedule import run_pages
FAILURES_SHOWN = 5
INDEX_TASK = "index-weekly-chart"
YEAR_TASK = "index-year-section"


@dataclass
class BuildResult:
    ok: bool
    report_dir: Path  # reports/<year> on success, the kept failed folder otherwise
    build: dict
    failures: list[dict] = field(default_factory=list)


def package_version() -> str:
    try:
        return version("gospub-analysis")
    except PackageNotFoundError:
        return "unknown"


def check_kernel() -> None:
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec(KERNEL_NAME)
    except NoSuchKernel:
        raise FileNotFoundError(f"Jupyter kernel '{KERNEL_NAME}' is not installed; run `make install`") from None


def municipality_names(selected: list[str] | None, all_municipalities: bool) -> list[str]:
    """The districts to report on, in the region's order; unknown names are an error."""
    known = [m.name for m in MUNICIPALITIES]
    if all_municipalities:
        return known
    unknown = sorted(set(selected or []) - set(known))
    if unknown:
        raise ValueError(f"unknown municipality {unknown}; known: {', '.join(known)}")
    return [name for name in known if name in set(selected or [])]


def _methodology() -> dict:
    from ..ranking import load_methodology

    m = load_methodology()
    return {"name": m.name, "version": m.version, "title": m.title, "file": Path(m.path).name}


def _job(nb: ReportNotebook, name: str, work: Path, stem: str, parameters: dict, label: str | None, title: str,
         depth: int, year: int) -> Job:
    """The job of one notebook run: `stem` is its pages' path in the report, `depth` their folder depth."""
    up = "../" * depth
    return Job(
        name=name,
        title=title,
        notebook=nb.path,
        executed=work / f"{stem}.ipynb",
        html=work / f"{stem}.html",
        parameters=parameters,
        cwd=work,
        banner=label,
        nav_html=f'<a href="{up}index.html">← к оглавлению отчёта</a>',
        footer_html=f"Отчёт за {year} год · gospub-analysis {package_version()}",
        reuse_kernel=True,
        save_every_cell=False,  # see Job.save_every_cell
    )


def _jobs(work: Path, year: int, source: Source, names: list[str], label: str | None,
          main_notebooks: tuple[ReportNotebook, ...], municipality_notebook: ReportNotebook
          ) -> tuple[list[Job], list[Job]]:
    """The main notebooks' jobs and one municipality job per district (all sharing a kernel per worker)."""
    common = {"data_dir": str(source.path), "cache_dir": CACHE_DIR}
    main = [_job(nb, nb.name, work, nb.name, {**common, "out_dir": nb.name, **nb.year_parameters(year, source)}, label,
                 nb.title, 0, year) for nb in main_notebooks]
    slugs = {m.name: m.slug for m in MUNICIPALITIES}
    own = municipality_notebook.year_parameters(year, source)
    districts = [
        _job(municipality_notebook, f"{municipality_notebook.name}:{slugs[name]}", work,
             f"{MUNICIPALITIES_DIR}/{slugs[name]}",
             {**common, "municipality": name, "out_dir": MUNICIPALITIES_DIR, **own}, label,
             f"{name}: {municipality_notebook.title.lower()}", 1, year)
        for name in names
    ]
    return main, districts


def preflight(jobs: list[Job]) -> None:
    """Fail before running anything when a notebook is missing or does not declare a parameter."""
    problems = []
    for job in jobs:
        check_parameters(job.parameters)
        if not job.notebook.exists():
            problems.append(f"{job.name}: notebook {job.notebook} does not exist")
            continue
        declared = declared_parameters(job.notebook)
        missing = sorted(set(job.parameters) - declared)
        if missing:
            problems.append(
                f"{job.name}: {job.notebook.name} does not declare parameter(s) {missing} in its cell "
                f"tagged 'parameters' (it declares {sorted(declared)})"
            )
    if problems:
        raise ValueError("the report cannot be built:\n  " + "\n  ".join(problems))


def _prepare(data_dir: str, year: int, cache_dir: str) -> Outcome:
    """Compute the shared inputs into the report's cache (`notebooks.SHARED_INPUTS`)."""
    started = time.perf_counter()
    try:
        source = Source(data_dir, cache_dir)
        for compute in table.SHARED_INPUTS:
            compute(source, year)
        return Outcome(INPUTS_TASK, ok=True, seconds=time.perf_counter() - started)
    except Exception as exc:  # reported with the notebooks' failures
        return Outcome(INPUTS_TASK, ok=False, seconds=time.perf_counter() - started, error={
            "notebook": "gospub_analysis.reports.notebooks.SHARED_INPUTS", "cell_index": None,
            "execution_count": None, "cell_source": "", "ename": type(exc).__name__, "evalue": str(exc)})


def _weekly_section(work: str, dataset: dict, year: int) -> Outcome:
    """The index's weekly chart (`index.weekly_section`), computed by a worker beside the notebooks
    rather than after them; a failure leaves it to `write_index`."""
    from .index import weekly_section

    started = time.perf_counter()
    try:
        section = weekly_section(Path(work), {"dataset": dataset}, year)
        return Outcome(INDEX_TASK, ok=True, seconds=time.perf_counter() - started, value=section)
    except Exception as exc:
        return Outcome(INDEX_TASK, ok=False, seconds=time.perf_counter() - started,
                       error={"ename": type(exc).__name__, "evalue": str(exc)})


def _main_links(main_jobs: list[Job]) -> list[dict]:
    """What the index says of each main notebook: name, title, page, executed notebook, output folder."""
    return [{"name": j.name, "title": j.title, "html": j.html.name, "executed": j.executed.name,
             "out_dir": j.parameters["out_dir"]} for j in main_jobs]


def _year_section(work: Path, build: dict, main_jobs: list[Job]) -> Outcome:
    """The index's year at a glance (`index.year_section`: its cards and five charts, from the files the
    main notebooks wrote), made in the build's own process once they have ended, while the district
    pages run on the workers, rather than after the last page; a failure leaves it to `write_index`."""
    from .index import growth_headline, year_section

    started = time.perf_counter()
    try:
        main = _main_links(main_jobs)
        section = year_section(work, build, main, growth_headline(work, main))
        return Outcome(YEAR_TASK, ok=True, seconds=time.perf_counter() - started, value=section)
    except Exception as exc:
        return Outcome(YEAR_TASK, ok=False, seconds=time.perf_counter() - started,
                       error={"ename": type(exc).__name__, "evalue": str(exc)})


def _run(
    main_jobs: list[Job], district_jobs: list[Job], work: Path, year: int, data_dir: Path, jobs: int, progress: bool,
    build: dict,
) -> tuple[dict[str, Outcome], dict[str, float]]:
    """Run the shared inputs, then every job, on `jobs` worker processes (`schedule.run_pages`);
    (outcomes by name, phase timings).

    Phases: `shared_inputs_seconds` until the shared inputs were ready; `main_phase_seconds`
    from the start until the last main notebook ended; `municipality_phase_seconds` from
    the shared inputs until the last municipality notebook ended (the two overlap);
    `index_chart_ready_seconds` when the index's weekly chart was ready.
    """
    prepare = partial(_prepare, str(data_dir), year, str(work / CACHE_DIR))
    warm = notebook_imports(job.notebook for job in main_jobs + district_jobs[:1])
    side = (partial(_weekly_section, str(work), build["dataset"], year),)
    # The main notebooks start at once (the ranking, the longest, first); what they read of the
    # shared inputs they find in the cache or compute themselves, as any notebook run does.
    outcomes, marks = run_pages(prepare, [("district", job) for job in district_jobs], work=work, workers=jobs,
                                progress=progress, desc=f"Отчёт {year}", warm_code=warm,
                                early=[("main", job) for job in main_jobs], side=side,
                                after_early=partial(_year_section, work, build, main_jobs))
    phases = {"shared_inputs_seconds": marks.get(f"{INPUTS_TASK}_end", 0.0),
              "main_phase_seconds": marks.get("main_end", 0.0)}
    if "district_end" in marks:
        phases["municipality_phase_seconds"] = marks["district_end"] - phases["shared_inputs_seconds"]
    if f"{INDEX_TASK}_end" in marks:
        phases["index_chart_ready_seconds"] = marks[f"{INDEX_TASK}_end"]
    if f"{YEAR_TASK}_end" in marks:
        phases["index_year_section_ready_seconds"] = marks[f"{YEAR_TASK}_end"]
    return outcomes, phases


def _provenance(source: Source, names: list[str], jobs: int, year: int, started_at: datetime) -> dict:
    """The facts of a build that do not depend on how it went: package, parameters, dataset, methodology."""
    return {
        "package": "gospub-analysis",
        "package_version": package_version(),
        "parameters": {"year": year, "data_dir": str(source.path), "municipalities": names, "jobs": jobs},
        "dataset": {
            "path": str(source.path),
            "fingerprint": fingerprint(source.path),
            "synthetic": source.is_synthetic,
            "label": source.data_label,
            "manifest": source.manifest,
        },
        "methodology": _methodology(),
        "kernel": KERNEL_NAME,
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "started_at": started_at.isoformat(timespec="seconds"),
    }


def _records(order: list[str], outcomes: dict[str, Outcome], jobs_by_name: dict[str, Job], work: Path
             ) -> tuple[list[dict], list[dict]]:
    """One record per task of the build (status, timings, files, parameters), and the failures."""
    records, failures = [], []
    for name in order:
        if name not in outcomes:
            records.append({"name": name, "status": "not run"})
            continue
        o = outcomes[name]
        record = {"name": name, "status": "ok" if o.ok else "failed", "seconds": round(o.seconds, 2),
                  "kernel_seconds": round(o.kernel_seconds, 2), "execute_seconds": round(o.execute_seconds, 2),
                  "html_seconds": round(o.html_seconds, 2)}
        if o.kernel:
            record["kernel"] = o.kernel
        job = jobs_by_name.get(name)
        if job is not None:
            record.update(notebook=str(job.notebook), executed=str(job.executed.relative_to(work)),
                          html=str(job.html.relative_to(work)), parameters=job.parameters)
        if not o.ok:
            record["error"] = o.error
            failures.append({"name": name, **(o.error or {}), "executed": record.get("executed", "")})
        records.append(record)
    return records, failures


def build_report(
    year: int,
    data_dir: Path | str | None = None,
    *,
    reports_dir: Path | str = REPORTS_DIR,
    municipalities: list[str] | None = None,
    all_municipalities: bool = False,
    jobs: int | None = None,
    progress: bool = True,
    main_notebooks: tuple[ReportNotebook, ...] | None = None,
    municipality_notebook: ReportNotebook | None = None,
) -> BuildResult:
    """Build `reports_dir/<year>` (see the module docstring); never leaves a half-built report.

    `main_notebooks` and `municipality_notebook` default to the table in `notebooks`.
    A notebook that is missing or lacks a parameter stops the build before anything runs.
    """
    main_notebooks = table.MAIN_NOTEBOOKS if main_notebooks is None else main_notebooks
    municipality_notebook = municipality_notebook or table.MUNICIPALITY_NOTEBOOK
    started_at = datetime.now(timezone.utc).astimezone()
    t0 = time.perf_counter()
    source = Source(Path(data_dir or DEFAULT_DATASET).resolve())
    names = municipality_names(municipalities, all_municipalities)
    jobs = max(1, int(jobs or os.cpu_count() or 1))
    check_kernel()

    reports_dir = Path(reports_dir).resolve()
    stamp = started_at.strftime("%Y%m%d-%H%M%S")
    work = reports_dir / f".{year}.building-{stamp}-{os.getpid()}"
    label = source.data_label if source.is_synthetic else None
    main_jobs, district_jobs = _jobs(work, year, source, names, label, main_notebooks, municipality_notebook)
    preflight(main_jobs + district_jobs[:1])
    work.mkdir(parents=True)
    build = _provenance(source, names, jobs, year, started_at)
    try:
        outcomes, phases = _run(main_jobs, district_jobs, work, year, source.path, jobs, progress, build)
    except BaseException:
        # Keep whatever was built for inspection; reports/<year> is untouched.
        if work.exists():
            os.replace(work, _kept(reports_dir, year, stamp))
        raise

    order = [INPUTS_TASK] + [j.name for j in main_jobs + district_jobs]
    records, failures = _records(order, outcomes, {j.name: j for j in main_jobs + district_jobs}, work)
    build.update({
        "status": "ok" if not failures else "failed",
        "notebooks": records,
        "errors": failures,
        "timings": {
            "wall_seconds": round(time.perf_counter() - t0, 2),
            **{k: round(v, 2) for k, v in phases.items()},
            "main_notebooks_seconds": {j.name: round(outcomes[j.name].seconds, 2) for j in main_jobs if j.name in outcomes},
        },
        "finished_at": datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds"),
    })
    weekly, year_part = outcomes.get(INDEX_TASK), outcomes.get(YEAR_TASK)
    return _finish(build, work, reports_dir / str(year), main_jobs, district_jobs, failures,
                   _kept(reports_dir, year, stamp), weekly.value if weekly is not None and weekly.ok else None,
                   year_part.value if year_part is not None and year_part.ok else None)


def _finish(build: dict, work: Path, target: Path, main_jobs: list[Job], district_jobs: list[Job],
            failures: list[dict], kept: Path, weekly: str | None = None, year: str | None = None) -> BuildResult:
    """Keep a failed build aside, or write the index and swap the new report in."""
    if failures:
        (work / "build.json").write_text(dumps(build), encoding="utf-8")
        os.replace(work, kept)
        return BuildResult(False, kept, build, failures)
    main_links = _main_links(main_jobs)
    district_links = [{"name": j.parameters["municipality"], "html": str(j.html.relative_to(work))}
                      for j in district_jobs]
    started = time.perf_counter()
    write_index(work, build, main_links, district_links, weekly, year)
    build["timings"]["index_seconds"] = round(time.perf_counter() - started, 2)
    (work / "build.json").write_text(dumps(build), encoding="utf-8")
    _swap_in(work, target)
    return BuildResult(True, target, build)


def format_failures(result: BuildResult, shown: int = FAILURES_SHOWN) -> str:
    """One screen saying which notebooks failed, in which cell, with which error."""
    year = result.build["parameters"]["year"]
    failures = result.failures
    total = len(result.build.get("notebooks", []))
    lines = [
        f"The {year} report was NOT built: {len(failures)} of {total} notebooks failed; "
        f"{result.report_dir.parent / str(year)} was left as it was.",
        f"Failed build kept in: {result.report_dir}",
    ]
    for f in failures[:shown]:
        lines.append("")
        lines.append(f"✗ {f['name']}  ({f.get('notebook', '')})")
        if f.get("executed") and (result.report_dir / f["executed"]).exists():
            lines.append(f"  executed notebook: {result.report_dir / f['executed']}")
        if f.get("cell_index") is not None:
            lines.append(
                f"  failing cell: In [{f.get('execution_count')}] "
                f"(cell index {f['cell_index']} of the executed notebook)"
            )
            lines.extend("    | " + line for line in (f.get("cell_source") or "").splitlines())
        lines.append(f"  error: {f.get('ename')}: {f.get('evalue')}")
    if len(failures) > shown:
        lines.append(f"\n... and {len(failures) - shown} more; see {result.report_dir / 'build.json'}")
    return "\n".join(lines)
