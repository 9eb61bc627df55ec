"""Inside a kept kernel: the state a fresh kernel has, recorded once and restored before each run.

Imported and called by the build inside the kernel (`kernels.KernelSession`), never by a
notebook. `snapshot()` records, after the warm-up imports, what a notebook can change
outside its namespace: the working directory, `sys.path`, the warning filters,
matplotlib's rcParams (a notebook may set a style) and pandas' options (the classifier
notebook widens `display.max_colwidth`). `restore()`, run right after `%reset -f`
clears the namespace, puts them back, closes every figure and collects garbage, so a
notebook run in a kept kernel computes and shows what it would in a fresh one.

`snapshot()` also freezes the objects alive at that moment (`gc.freeze`: the imported
modules, which live as long as the kernel): the garbage collections of the reset, and
those during a notebook's cells, then no longer walk the million objects of pandas,
matplotlib and scikit-learn. Without it `%reset -f` (which collects) took 0.4 to 0.9 s.
`restore()` freezes again after its collection what the runs left alive (the modules' own
caches: fonts, the data's cached tables), which would otherwise grow with every run and
be walked by each collection: IPython's reset collects once before it clears the namespace
and `restore` once after, 80 to 110 ms each by the sixth district page, 3 to 7 ms so.
"""

from __future__ import annotations

import gc
import os
import sys
import warnings

_FRESH: dict = {}


def snapshot() -> None:
    """Record the state to restore before each run (call after the imports)."""
    import matplotlib
    import matplotlib.pyplot  # noqa: F401  (the inline backend sets its rcParams on import)

    _FRESH.update(
        cwd=os.getcwd(),
        path=list(sys.path),
        warnings=list(warnings.filters),
        rc=dict(matplotlib.rcParams),
    )
    gc.collect()
    gc.freeze()


def restore() -> None:
    """Put back what `snapshot` recorded; pandas' options go back to their defaults."""
    if not _FRESH:
        snapshot()
        return
    import matplotlib
    import matplotlib.pyplot as plt
    import pandas as pd

    plt.close("all")
    os.chdir(_FRESH["cwd"])
    sys.path[:] = _FRESH["path"]
    with warnings.catch_warnings():  # some defaults are deprecated options: setting them warns
        warnings.simplefilter("ignore")
        pd.reset_option("all")
        matplotlib.rcParams.update(_FRESH["rc"])
    warnings.filters[:] = _FRESH["warnings"]
    # Forget which warnings were already shown once, as `catch_warnings` does on exit:
    # a fresh kernel shows them again.
    mutated = getattr(warnings, "_filters_mutated", None)
    if mutated is not None:
        mutated()
    gc.collect()
    gc.freeze()  # what survives a run is the kernel's to keep: the next collections skip it
