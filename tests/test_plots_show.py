"""`plots.show`: a figure rendered once, its PNG written and the same bytes shown, the figure closed."""

import base64
import re

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

from gospub_analysis import plots
from gospub_analysis.reports import html


@pytest.fixture
def shown(monkeypatch):
    """What `show` hands to IPython's display."""
    seen = []
    monkeypatch.setattr("IPython.display.display", lambda *objects, **_: seen.extend(objects))
    return seen


def _figure(title="Число страниц"):
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.plot([0, 1, 2], [3, 1, 2])
    ax.set_title(title)
    return fig


def test_the_shown_image_is_the_files_bytes_and_the_figure_is_closed(tmp_path, shown):
    fig = _figure()
    path = tmp_path / "chart.png"
    assert plots.show(fig, path) is None  # a cell's last line: no bytes printed
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert not plt.fignum_exists(fig.number), "closed: the inline backend does not draw it again"
    [image] = shown
    assert image.data == data
    # 6 in at 150 dpi: under 900 px once the tight box cuts the margins; shown at the inline backend's 100 dpi: two thirds of it
    assert 700 < plots.png_width(data) < 900 and image.width == round(plots.png_width(data) * 100 / 150)
    assert image.alt == "Число страниц"


def test_without_a_file_the_inline_scale_and_a_given_alt(shown):
    plots.show(_figure(), alt="Подписи")
    [image] = shown
    data = image.data
    assert image.width == plots.png_width(data) and 450 < image.width < 600
    assert image.alt == "Подписи"


def test_same_png_as_savefig_at_150_dpi(tmp_path, shown):
    """The report's files keep the bytes `fig.savefig(path, dpi=150, bbox_inches="tight")` wrote with
    zlib level 3, and the pixels of Pillow's default level (6): only the packing differs."""
    from PIL import Image

    _figure().savefig(tmp_path / "old.png", dpi=150, bbox_inches="tight", pil_kwargs={"compress_level": 3})
    _figure().savefig(tmp_path / "default.png", dpi=150, bbox_inches="tight")
    plots.show(_figure(), tmp_path / "new.png")
    assert (tmp_path / "new.png").read_bytes() == (tmp_path / "old.png").read_bytes()
    assert (tmp_path / "new.png").read_bytes() != (tmp_path / "default.png").read_bytes()
    new, default = (np.asarray(Image.open(tmp_path / f"{name}.png")) for name in ("new", "default"))
    assert new.shape == default.shape and (new == default).all()


def test_in_a_kernel_one_image_output_with_the_files_bytes(tmp_path):
    path = tmp_path / "k.png"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "%matplotlib inline\n"
        "import matplotlib.pyplot as plt\nfrom gospub_analysis import plots\n"
        "fig, ax = plt.subplots(figsize=(5, 3))\nax.plot([1, 2], [2, 1])\nax.set_title('Ответы')\n"
        f"plots.show(fig, {str(path)!r})\n"
        "fig2, ax2 = plt.subplots()\nax2.plot([1, 2])\nplots.show(fig2)"),
        nbformat.v4.new_code_cell("print(len(plt.get_fignums()))")])
    NotebookClient(nb, kernel_name="python3", timeout=120).execute()
    outputs = nb.cells[0].outputs + nb.cells[1].outputs
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) == 2, "each figure shown once, no second image from the inline backend"
    assert base64.b64decode(images[0]["data"]["image/png"]) == path.read_bytes()
    assert images[0]["metadata"]["image/png"]["width"] == round(plots.png_width(path.read_bytes()) * 100 / 150)
    assert images[0]["metadata"]["image/png"]["alt"] == "Ответы" and "alt" not in images[1]["metadata"]["image/png"]
    assert [o["text"] for o in outputs if o.get("name") == "stdout"] == ["0\n"]
    assert not [o for o in outputs if o["output_type"] == "execute_result"], "show returns nothing to print"
    page, _ = html.exporter().from_notebook_node(nb)
    tags = re.findall(r"<img [^>]*>", page)
    assert len(tags) == 2
    width = images[0]["metadata"]["image/png"]["width"]
    assert f'src="data:image/png;base64,{images[0]["data"]["image/png"]}"' in tags[0]
    assert 'alt="Ответы"' in tags[0] and f'width="{width}"' in tags[0]


def _charts():
    """One figure of each chart function of `plots`, as the report draws them."""
    import numpy as np
    import pandas as pd

    months = pd.date_range("2022-12-01", "2023-12-01", freq="MS")
    monthly = pd.DataFrame({"month": months, "pages": np.arange(13) * 7 + 3, "posts": np.arange(13) * 40 % 170,
                            "share": np.linspace(0.2, 0.7, 13), "hours": np.linspace(30, 5, 13),
                            "sector": ["культура", "спорт"] * 6 + ["культура"]})
    named = pd.DataFrame({"name": ["Культура", "Спорт", "Образование"], "value": [3.5, 12.25, 7.0],
                          "low": [2.0, 10.0, 6.0], "high": [5.0, 14.0, 8.5], "vk": [10, 20, 5], "ok": [3, 4, 1]})
    yield plots.lines_over_time(monthly, "month", {"pages": "страницы"}, bars={"posts": "публикации"},
                                title="Район: страницы и публикации", ylabel="страниц", label="СИНТЕТИЧЕСКИЕ ДАННЫЕ")
    yield plots.small_multiples(monthly, "month", "pages", "sector", title="По сферам", ylabel="страниц")
    yield plots.ranked_bars(named, "value", "name", title="Баллы", xlabel="балл", label="СИНТЕТИЧЕСКИЕ ДАННЫЕ")
    yield plots.share_and_hours(monthly, "month", {"share": "доля"}, ("hours", "часы"), title="Ответы",
                                reference_hours=24)
    yield plots.weekday_hour_heatmap(pd.DataFrame(np.arange(168).reshape(7, 24) % 11), title="Часы")
    yield plots.year_line(monthly, "month", {"share": "доля"}, title="Год", ylabel="доля", kind="share",
                          reference=(0.5, "ориентир"))
    yield plots.paired_bars(named, "name", {"vk": "ВКонтакте", "ok": "Одноклассники"}, title="Пары", xlabel="страниц")
    yield plots.bars_with_intervals(named, "name", "value", "low", "high", title="Интервалы", xlabel="балл",
                                    reference=7.0)
    yield plots.stacked_shares(pd.DataFrame({"a": [0.2, 0.5], "b": [0.8, 0.5]}, index=[2022, 2023]), title="Доли")


@pytest.mark.parametrize("dpi", [plots.SHOWN_DPI, plots.SAVED_DPI])
def test_png_of_every_chart_is_the_bytes_of_savefig_with_the_tight_box(dpi):
    for old, new in zip(_charts(), _charts()):
        buffer = __import__("io").BytesIO()
        old.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", pil_kwargs={"compress_level": 3})
        assert plots.png(new, dpi) == buffer.getvalue(), old.axes[0].get_title() or old.get_suptitle()
        plt.close(old), plt.close(new)


def test_png_draws_a_laid_out_figure_once_and_a_live_layout_the_ordinary_way(monkeypatch):
    from matplotlib.figure import Figure

    draws = []
    original = Figure.draw
    monkeypatch.setattr(Figure, "draw", lambda self, renderer: (draws.append(1), original(self, renderer)))
    fig = next(_charts())  # laid out by tight_layout
    plots.png(fig, plots.SHOWN_DPI)
    assert len(draws) == 1, "no dry draw before the one that paints"
    plt.close(fig)

    draws.clear()
    fig, ax = plt.subplots(layout="constrained")
    ax.plot([0, 1], [1, 0])
    buffer = __import__("io").BytesIO()
    fig.savefig(buffer, format="png", dpi=plots.SHOWN_DPI, bbox_inches="tight", pil_kwargs=dict(plots.PNG_OPTIONS))
    expected, draws[:] = len(draws), []
    fig.set_layout_engine("constrained")
    assert plots.png(fig, plots.SHOWN_DPI) == buffer.getvalue() and len(draws) == expected == 2
    plt.close(fig)


def _over_months(months: int, fixed: bool, monkeypatch, **kwargs):
    """The district chart (lines and bars over `months`), with its ticks fixed or left to matplotlib."""
    import numpy as np
    import pandas as pd

    with monkeypatch.context() as patch:
        if not fixed:
            patch.setattr(plots, "fix_ticks", lambda fig: None)
        frame = pd.DataFrame({"month": pd.date_range("2022-12-01", periods=months, freq="MS"),
                              "pages": np.arange(months) * 37 + 900, "posts": (np.arange(months) % 5) * 2100 + 6100})
        return plots.lines_over_time(frame, "month", {"pages": "активные страницы"}, bars={"posts": "публикации"},
                                     title="г. Новосибирск: страницы и публикации", ylabel="страниц",
                                     label="СИНТЕТИЧЕСКИЕ ДАННЫЕ", **kwargs)


@pytest.mark.parametrize("months", [2, 13, 37])
@pytest.mark.parametrize("dpi", [plots.SHOWN_DPI, plots.SAVED_DPI])
def test_fixed_ticks_draw_the_same_picture(months, dpi, monkeypatch):
    chosen, fixed = _over_months(months, False, monkeypatch), _over_months(months, True, monkeypatch)
    assert plots.png(fixed, dpi) == plots.png(chosen, dpi)
    plt.close(chosen), plt.close(fixed)


def test_ticks_are_fixed_only_where_their_choice_ignores_the_axes_size(monkeypatch):
    from matplotlib.ticker import AutoLocator, FixedFormatter, FixedLocator

    fig = _over_months(13, True, monkeypatch)
    ax, bars = fig.axes
    # months (a date locator) and both whole-number axes (MaxNLocator, 10 bins) are fixed, with their labels
    for axis in (ax.xaxis, ax.yaxis, bars.yaxis):
        assert isinstance(axis.get_major_locator(), FixedLocator)
        assert isinstance(axis.get_major_formatter(), FixedFormatter)
    assert ax.xaxis.get_major_formatter().seq == ["янв 2023", "мар 2023", "май 2023", "июл 2023", "сен 2023",
                                                  "ноя 2023", "янв 2024"]
    assert ax.yaxis.get_major_formatter().seq[-3:] == ["1\u202f200", "1\u202f350", "1\u202f500"]
    assert bars.yaxis.get_major_formatter().seq[-1] == "16\u202f000"
    plt.close(fig)
    shares = _over_months(13, True, monkeypatch, value_format=lambda v: f"{v:g}")
    assert isinstance(shares.axes[0].yaxis.get_major_locator(), AutoLocator)  # 'auto' bins: depends on the size
    plt.close(shares)


# --- seaborn only where a chart draws with it -----------------------------------------------


@pytest.mark.parametrize("cycle", [None, ["#123456", "red", (0.1, 0.2, 0.3)], "no colour"])
def test_palette_is_seaborns_default_palette(cycle):
    """`plots.palette()` stands for `seaborn.color_palette()` in the charts that only take colours."""
    import seaborn as sns
    from cycler import cycler

    settings = {} if cycle is None else {
        "axes.prop_cycle": cycler(linestyle=["-", "--"]) if cycle == "no colour" else cycler(color=cycle)}
    with matplotlib.rc_context(settings):
        assert plots.palette() == list(sns.color_palette())
        assert len(plots.palette()) == (10 if cycle is None else 1 if cycle == "no colour" else 3)


def test_the_builds_own_charts_leave_seaborn_unimported():
    """The index's charts and the weekly chart, drawn by the build's processes, do not import seaborn
    (and scipy.stats with it: 1.7 s of CPU); the charts that draw with it still do."""
    import subprocess
    import sys

    code = """
import sys
import matplotlib
matplotlib.use("agg")
import pandas as pd
from gospub_analysis import plots
from gospub_analysis.weekly import charts
months = pd.DataFrame({"month": pd.date_range("2023-01-01", periods=3, freq="MS"), "a": [1, 2, 3], "b": [3, 1, 2]})
plots.png(plots.year_line(months, "month", {"a": "а"}, title="т", ylabel="у"), 100)
plots.png(plots.paired_bars(pd.DataFrame({"c": ["x", "y"], "a": [1, 2], "b": [2, 1]}), "c", {"a": "а", "b": "б"},
                            title="т", xlabel="х"), 100)
plots.png(plots.lines_over_time(months, "month", {"a": "а"}, bars={"b": "б"}, title="т", ylabel="у"), 100)
before = "seaborn" in sys.modules or "scipy.stats" in sys.modules
plots.png(plots.weekday_hour_heatmap(pd.DataFrame(1.0, index=range(7), columns=range(24)), title="т"), 100)
print(before, "seaborn" in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]


def _relplot_reference(frame, x, y, facet, *, title, ylabel, facet_labels=None, col_wrap=4, label=None):
    """The former `small_multiples`, drawn by seaborn's relplot: the picture the matplotlib one must give."""
    import seaborn as sns

    data = frame.assign(_facet=frame[facet].map(lambda v: (facet_labels or {}).get(v, v)))
    grid = sns.relplot(data=data, x=x, y=y, col="_facet", col_wrap=col_wrap, kind="line", marker="o",
                       markersize=3, height=2.2, aspect=1.5, facet_kws={"sharey": False})
    grid.set_titles("{col_name}")
    grid.set_axis_labels("", ylabel)
    for ax in grid.axes.flat:
        ax.set_ylim(bottom=0)
        plots._int_axis(ax.yaxis)
        ax.xaxis.set_major_locator(plt.matplotlib.dates.MonthLocator(bymonth=(1, 7)))
        plots._month_axis(ax)
    grid.figure.suptitle(title, y=1.0)
    grid.figure.tight_layout()
    return plots.stamp(grid.figure, label)


@pytest.mark.parametrize("facets, col_wrap", [(8, 4), (7, 4), (3, 4), (5, 2), (1, 4)])
def test_small_multiples_draw_what_seaborns_relplot_drew(facets, col_wrap):
    import numpy as np
    import pandas as pd

    months = pd.date_range("2022-12-01", "2023-12-01", freq="MS")
    rng = np.random.default_rng(facets)
    # rows out of order and facets in an order of their own: panels in order of first appearance
    frame = pd.DataFrame({"month": np.tile(months, facets), "sector": np.repeat([f"s{i}" for i in range(facets)][::-1], 13),
                          "pages": rng.integers(0, 3000, 13 * facets)}).sample(frac=1, random_state=1)
    labels = {f"s{i}": f"Сфера {i}" for i in range(facets - 1)}  # the last one keeps its code
    kwargs = dict(title="Активные страницы по сферам", ylabel="страниц", facet_labels=labels, col_wrap=col_wrap,
                  label="СИНТЕТИЧЕСКИЕ ДАННЫЕ")
    ours = plots.png(plots.small_multiples(frame, "month", "pages", "sector", **kwargs), plots.SHOWN_DPI)
    theirs = plots.png(_relplot_reference(frame, "month", "pages", "sector", **kwargs), plots.SHOWN_DPI)
    plt.close("all")
    assert ours == theirs
