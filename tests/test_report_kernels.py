"""Kept kernels (`reports.kernels`): notebooks run one after another in a worker's kernel
must behave as if each had a fresh kernel, and a failure must not spoil the next run.

The fixture notebooks in tests/fixtures/notebooks change the kernel's state outside their
namespace, fail, or kill their kernel; the municipality notebook run in a kept kernel after
others is compared with the same run in a fresh kernel, output by output.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import nbformat
import pytest

from gospub_analysis import config
from gospub_analysis.reports import kernels, runner

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"
LABEL = "СИНТЕТИЧЕСКИЕ ДАННЫЕ"


@pytest.fixture
def kept_kernels():
    yield
    kernels.close_all()


def job(tmp_path: Path, name: str, notebook: Path, parameters: dict, reuse: bool = True, cwd: Path | None = None):
    return runner.Job(name=name, title=name, notebook=notebook, executed=tmp_path / f"{name}.ipynb",
                      html=tmp_path / f"{name}.html", parameters=parameters, cwd=cwd or tmp_path / "work",
                      banner=LABEL, reuse_kernel=reuse, save_every_cell=False)


def printed(executed: Path) -> dict:
    """What the fixture notebook `report_changes_state` printed about the kernel it found."""
    nb = nbformat.read(executed, as_version=4)
    text = next(o["text"] for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.get("name") == "stdout")
    return ast.literal_eval(text.strip())


def test_a_kept_kernel_gives_each_run_the_state_of_a_fresh_kernel(tmp_path, kept_kernels):
    notebook = FIXTURES / "report_changes_state.ipynb"
    fresh = runner.run_job(job(tmp_path, "fresh", notebook, {"year": 2023}, reuse=False))
    assert fresh.ok, fresh.error
    seen_fresh = printed(tmp_path / "fresh.ipynb")
    assert seen_fresh["leftover"] is False and seen_fresh["figures"] == 0

    kernel_ids = set()
    for year in (2023, 2024, 2025):
        outcome = runner.run_job(job(tmp_path, f"kept-{year}", notebook, {"year": year}))
        assert outcome.ok, outcome.error
        kernel_ids.add(outcome.kernel)
        # The run before set pandas' max_colwidth to 7, the figure dpi to 33, the ggplot style,
        # an "ignore" warning filter, an open figure, the working directory "/" and `leftover`.
        assert printed(tmp_path / f"kept-{year}.ipynb") == seen_fresh, f"state leaked into the {year} run"
    assert len(kernel_ids) == 1 and "" not in kernel_ids, "the three runs shared one kept kernel"


def test_execution_counts_start_at_one_in_a_kept_kernel(tmp_path, kept_kernels):
    notebook = FIXTURES / "report_no_leftovers.ipynb"
    counts = []
    for name, reuse in (("fresh", False), ("kept-1", True), ("kept-2", True)):
        assert runner.run_job(job(tmp_path, name, notebook, {"year": 2023, "out_dir": "out"}, reuse=reuse)).ok
        nb = nbformat.read(tmp_path / f"{name}.ipynb", as_version=4)
        counts.append([c.execution_count for c in nb.cells if c.cell_type == "code"])
    assert counts[0] == counts[1] == counts[2] == [1, 2, 3]


def test_a_kept_kernel_writes_no_input_history_and_still_counts_from_one(tmp_path, kept_kernels):
    kept = kernels.session(tmp_path)
    # KernelSession.run raises KernelError when the code fails
    kept.run("hm = get_ipython().history_manager\n"
             "assert not hm.enabled and type(hm.db).__name__ == 'DummyDB' and hm.save_thread is None, hm.db")
    kept.reset()
    kept.run("assert get_ipython().execution_count == 1, get_ipython().execution_count")
    with pytest.raises(kernels.KernelError):  # the check above can fail
        kept.run("assert get_ipython().history_manager.enabled")


def test_a_failing_notebook_is_reported_and_the_next_run_in_its_kernel_succeeds(tmp_path, kept_kernels):
    ok = {"year": 2023, "out_dir": "out"}
    first = runner.run_job(job(tmp_path, "first", FIXTURES / "report_ok.ipynb", ok))
    failed = runner.run_job(job(tmp_path, "breaks", FIXTURES / "report_fails.ipynb", {"year": 2023}))
    after = runner.run_job(job(tmp_path, "after", FIXTURES / "report_ok.ipynb", ok))
    assert first.ok and after.ok and not failed.ok
    assert failed.error["ename"] == "ZeroDivisionError" and "share = 1 / numbers" in failed.error["cell_source"]
    assert failed.error["execution_count"] == 4  # the failing cell's In [n], counted from 1 as in a fresh kernel
    executed = nbformat.read(tmp_path / "breaks.ipynb", as_version=4)
    assert any("papermill-error-cell" in c.source for c in executed.cells if c.cell_type == "markdown")
    assert first.kernel == failed.kernel == after.kernel
    assert (tmp_path / "after.html").exists() and not (tmp_path / "breaks.html").exists()


def test_a_kernel_that_dies_is_reported_and_replaced(tmp_path, kept_kernels):
    ok = {"year": 2023, "out_dir": "out"}
    before = runner.run_job(job(tmp_path, "before", FIXTURES / "report_ok.ipynb", ok))
    died = runner.run_job(job(tmp_path, "dies", FIXTURES / "report_kills_kernel.ipynb", {"year": 2023}))
    after = runner.run_job(job(tmp_path, "after", FIXTURES / "report_ok.ipynb", ok))
    assert before.ok and after.ok
    assert not died.ok and died.error["ename"] == "DeadKernelError", died.error
    assert after.kernel != before.kernel, "a new kernel replaced the dead one"
    assert "Год отчёта: 2023" in (tmp_path / "after.html").read_text(encoding="utf-8")


def test_notebook_imports_lists_each_import_once_and_survives_a_missing_module(tmp_path):
    code = kernels.notebook_imports([config.NOTEBOOKS_DIR / "municipality.ipynb", FIXTURES / "report_ok.ipynb",
                                     config.NOTEBOOKS_DIR / "municipality.ipynb"])
    statements = re.findall(r"^try:\n    (.+)\nexcept Exception:\n    pass$", code, re.M)
    assert len(statements) == code.count("try:"), "each import in a try of its own"
    assert "from IPython.display import HTML, Markdown, display" in statements and "from pathlib import Path" in statements
    assert "from gospub_analysis import municipality as district" in statements
    assert len(statements) == len(set(statements)), "an import listed twice"
    assert all(s.startswith(("import ", "from ")) for s in statements)
    namespace: dict = {}
    exec("try:\n    import no_such_module_gospub\nexcept Exception:\n    pass\n" + code, namespace)
    assert namespace["district"].__name__ == "gospub_analysis.municipality"


def test_the_injected_parameters_cell_has_the_same_id_in_every_run(tmp_path, kept_kernels):
    """papermill gives the cell it injects a random id: the executed notebooks of two builds of the same
    inputs differed in it alone. In a kernel of the run's own and in a kept kernel, run after run, the
    injected cell's id is its tag and every other cell keeps the notebook's id."""
    notebook = FIXTURES / "report_ok.ipynb"
    source_ids = [c.id for c in nbformat.read(notebook, as_version=4).cells]
    runs = [("own-1", False), ("own-2", False), ("kept-1", True), ("kept-2", True)]
    for name, reuse in runs:
        outcome = runner.run_job(job(tmp_path, name, notebook, {"year": 2023, "out_dir": "out"}, reuse=reuse))
        assert outcome.ok, outcome.error
        ids = [c.id for c in nbformat.read(tmp_path / f"{name}.ipynb", as_version=4).cells]
        assert ids == [source_ids[0], "injected-parameters", *source_ids[1:]], name


def test_stable_injected_id_never_repeats_an_id_of_the_notebook():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("a = 1", id="injected-parameters"),
                                         nbformat.v4.new_code_cell("b = 2", id="injected-parameters-1"),
                                         nbformat.v4.new_code_cell("year = 2023")])
    nb.cells[2].metadata["tags"] = ["injected-parameters"]
    assert [c.id for c in kernels.stable_injected_id(nb).cells] == [
        "injected-parameters", "injected-parameters-1", "injected-parameters-2"]
    nbformat.validate(nb)


# --- the municipality notebook: a kept kernel after other notebooks vs a fresh kernel ----------


def outputs(executed: Path) -> list[list[dict]]:
    """Every code cell's outputs as a reader gets them (text, tables, figures), without timings."""
    nb = nbformat.read(executed, as_version=4)
    shown = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        shown.append([{k: v for k, v in o.items() if k in ("output_type", "name", "text", "data", "ename", "evalue")}
                      for o in cell.outputs])
    return shown


@pytest.mark.slow
def test_municipality_page_from_a_kept_kernel_equals_the_page_from_a_fresh_kernel(tmp_path, small_dataset_dir,
                                                                                  kept_kernels):
    notebook = config.NOTEBOOKS_DIR / "municipality.ipynb"
    work = tmp_path / "report"

    def params(name: str) -> dict:
        # with the build's shared cache: the kept kernel's runs share one Source (`open_source`)
        return {"data_dir": str(small_dataset_dir), "year": 2023, "municipality": name, "out_dir": "municipalities",
                "cache_dir": str(work / "data")}

    fresh = runner.run_job(job(tmp_path / "fresh", "berdsk", notebook, params("г. Бердск"), reuse=False, cwd=work))
    session = kernels.session(work)
    session.warm(kernels.notebook_imports([notebook, FIXTURES / "report_changes_state.ipynb"]))
    others = [runner.run_job(job(tmp_path, "bolotnoe", notebook, params("Болотнинский"), cwd=work)),
              runner.run_job(job(tmp_path, "state", FIXTURES / "report_changes_state.ipynb", {"year": 2023}, cwd=work))]
    kept = runner.run_job(job(tmp_path / "kept", "berdsk", notebook, params("г. Бердск"), cwd=work))
    assert fresh.ok and kept.ok and all(o.ok for o in others), [o.error for o in (fresh, kept, *others)]
    assert kept.kernel == others[0].kernel != ""

    a, b = outputs(tmp_path / "fresh" / "berdsk.ipynb"), outputs(tmp_path / "kept" / "berdsk.ipynb")
    assert any("image/png" in o.get("data", {}) for cell in a for o in cell), "the page has its chart"
    assert any("text/html" in o.get("data", {}) for cell in a for o in cell), "the page has its tables"
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    pages = [(tmp_path / d / "berdsk.html").read_text(encoding="utf-8") for d in ("fresh", "kept")]
    assert "Бердск" in pages[0] and pages[0] == pages[1]


def test_restore_freezes_what_a_run_left_alive_so_the_next_collections_skip_it(monkeypatch):
    """A kept kernel's later resets must not walk what earlier runs left in modules' caches."""
    import gc
    import types

    from gospub_analysis.reports import kernel_state

    monkeypatch.setattr(kernel_state, "_FRESH", {})
    try:
        kernel_state.snapshot()
        frozen = gc.get_freeze_count()
        cache = types.ModuleType("a_cache_a_run_filled")
        cache.kept = [[i] for i in range(5000)]  # tracked objects that outlive the run
        garbage = [[] for _ in range(100)]
        garbage.append(garbage)  # a cycle: collected, never frozen
        del garbage
        kernel_state.restore()
        assert gc.get_freeze_count() >= frozen + 5000
        assert not gc.garbage
    finally:
        gc.unfreeze()


def test_a_page_is_written_once_unless_every_cell_is_asked_for(tmp_path, kept_kernels, monkeypatch):
    """`save_every_cell=False` (the builds): papermill writes the executed notebook once, at the end, with
    every output; True (papermill's default) writes it again around each cell."""
    import dataclasses

    import papermill.engines
    import papermill.execute

    saves: list[str] = []
    for module in (papermill.engines, papermill.execute):
        original = module.write_ipynb
        monkeypatch.setattr(module, "write_ipynb", lambda nb, path, _o=original, _m=module.__name__, **kw:
                            (saves.append(_m), _o(nb, path, **kw))[1])
    notebook = FIXTURES / "report_no_leftovers.ipynb"
    counts = {}
    for every in (False, True):
        saves.clear()
        run = dataclasses.replace(job(tmp_path, f"every-{every}", notebook, {"year": 2023, "out_dir": "out"}),
                                  save_every_cell=every)
        assert runner.run_job(run).ok
        counts[every] = list(saves)
        nb = nbformat.read(tmp_path / f"every-{every}.ipynb", as_version=4)
        assert [c.execution_count for c in nb.cells if c.cell_type == "code"] == [1, 2, 3]
    assert counts[False] == ["papermill.execute"]  # the final write only
    assert counts[True].count("papermill.engines") >= 6 and counts[True][-1] == "papermill.execute"
