"""Charts with Russian labels (their wording comes from `wording`).

Each chart function takes a tidy table plus column names and Russian titles, draws one
figure and returns it; a notebook hands it to `show`, which renders it once, writes the PNG
to the report's folder when asked and shows that same PNG in the notebook. `label` (the
dataset's `data_label`, e.g. «СИНТЕТИЧЕСКИЕ ДАННЫЕ») is stamped on the figure so a chart
cut out of a report still says what data it shows.

seaborn is imported by the charts that draw with it (the heatmap, the stacked shares'
palette), not by this module: with it comes scipy.stats, about 1.7 s of CPU, which the
build's own processes (the index's charts, the weekly chart) would otherwise pay for charts
that only take colours from the current cycle (`palette`).
"""

from __future__ import annotations

import io
import struct
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.layout_engine import PlaceHolderLayoutEngine
from matplotlib.dates import AutoDateLocator
from matplotlib.ticker import AutoLocator, FixedFormatter, FixedLocator, FuncFormatter, MaxNLocator

from .wording import WEEKDAYS_RU, fmt_int, fmt_num, fmt_share, month_ru

# --- showing ---------------------------------------------------------------------------------

SAVED_DPI = 150   # the PNG files of a report
SHOWN_DPI = 100   # what the notebook's inline backend drew (matplotlib's figure.dpi): the page's scale
# zlib level 3 (Pillow's default is 6): the same pixels, 11 % more bytes, and 38 % less time encoding the
# report's charts (0.070 against 0.114 s of CPU for the ten charts of tests/test_plots_show.py); levels
# 1-3 are zlib's fast strategy and take the same time, 3 packs best of them. Read-only: matplotlib adds its
# metadata to the dict it is given, so each save gets a copy.
PNG_OPTIONS = MappingProxyType({"compress_level": 3})


def palette() -> list[tuple[float, float, float]]:
    """The colours of the current cycle as RGB: what `seaborn.color_palette()` gives without arguments."""
    cycle = plt.rcParams["axes.prop_cycle"]
    return [to_rgb(c) for c in (cycle.by_key()["color"] if "color" in cycle.keys else [".15"])]


def png_width(data: bytes) -> int:
    """The width in pixels written in a PNG's header."""
    return struct.unpack(">I", data[16:20])[0]


def show(fig: Figure, path: Path | str | None = None, *, alt: str | None = None, dpi: int | None = None) -> None:
    """Render `fig` once to PNG (tight box), write it to `path` if given, show those same bytes in the
    notebook at the size the inline backend drew it (pixel width × `SHOWN_DPI` / dpi), and close the
    figure, so the inline backend neither draws it again nor shows it twice. `alt`: the picture's
    text for readers (the figure's title when not given). `dpi`: `SAVED_DPI` for a file, `SHOWN_DPI`
    otherwise. Returns nothing, so that as a cell's last line it adds no output."""
    from IPython.display import Image, display

    dpi = dpi or (SAVED_DPI if path is not None else SHOWN_DPI)
    data = png(fig, dpi)
    if alt is None:
        alt = fig.get_suptitle() or next((ax.get_title() for ax in fig.axes if ax.get_title()), "")
    plt.close(fig)
    if path is not None:
        Path(path).write_bytes(data)
    display(Image(data=data, format="png", width=round(png_width(data) * SHOWN_DPI / dpi), alt=alt or None))

def png(fig: Figure, dpi: float) -> bytes:
    """`fig` as PNG at `dpi` in its tight box: the bytes of `savefig(bbox_inches="tight",
    pil_kwargs=PNG_OPTIONS)`, drawn once.

    `savefig` with the tight box first draws the whole figure without painting, to measure it,
    whenever the figure has a layout engine or the box is "tight" (a fifth of a district chart's
    rendering), then draws it again. Our charts are laid out already (`tight_layout`, after which
    the figure keeps an inert placeholder engine): the box is measured here without that dry
    draw and handed to `savefig` as it is. A figure with a live layout engine (or rcParams that
    would give it one) goes the ordinary way."""
    engine = fig.get_layout_engine()
    live = engine is not None and not isinstance(engine, PlaceHolderLayoutEngine)
    auto = plt.rcParams["figure.autolayout"] or plt.rcParams["figure.constrained_layout.use"]
    buffer = io.BytesIO()
    if live or auto or not hasattr(fig.canvas, "get_renderer"):
        fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", pil_kwargs=dict(PNG_OPTIONS))
        return buffer.getvalue()
    fig.set_layout_engine(None)
    own = fig.dpi
    fig.set_dpi(dpi)
    try:
        box = fig.get_tightbbox(fig.canvas.get_renderer()).padded(plt.rcParams["savefig.pad_inches"])
    finally:
        fig.set_dpi(own)
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches=box, pil_kwargs=dict(PNG_OPTIONS))
    return buffer.getvalue()

# --- charts --------------------------------------------------------------------------------

def _int_axis(axis) -> None:
    """Whole numbers only: ticks at integers (no «2, 2, 3» when the range is small), in the number style."""
    axis.set_major_locator(MaxNLocator(integer=True))
    axis.set_major_formatter(FuncFormatter(lambda v, _: fmt_int(v)))


def _num_axis(axis) -> None:
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}".replace(".", ",").replace("-", "\u2212")))


def comma_axes(ax, which: str = "xy") -> None:
    """Tick labels of a chart drawn by hand in the project's number style (decimal comma, true minus)."""
    for name in which:
        _num_axis(getattr(ax, f"{name}axis"))


def _month_axis(ax) -> None:
    ax.xaxis.set_major_formatter(FuncFormatter(
        lambda v, _: month_ru(pd.Timestamp(plt.matplotlib.dates.num2date(v)).tz_localize(None))))
    for tick in ax.get_xticklabels():
        tick.set_rotation(0)


def _size_free(locator) -> bool:
    """Whether `locator` chooses the same ticks whatever the axes' length (AutoLocator's 'auto' bins do not)."""
    if isinstance(locator, AutoDateLocator):
        return True
    return isinstance(locator, MaxNLocator) and not isinstance(locator, AutoLocator) and getattr(locator, "_nbins", "auto") != "auto"


def fix_ticks(fig: Figure) -> None:
    """Compute once the ticks and labels of the axes whose choice does not depend on the axes' size
    (a `MaxNLocator` with a number of bins, as `_int_axis` sets, or a date locator, labelled by a
    `FuncFormatter`), and fix them: `tight_layout`, the tight box and the drawing would each choose
    and write them again (a tenth of a district chart's rendering). The same ticks and labels, so
    the same picture. Call it when the data and limits are final, before `tight_layout`."""
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            formatter = axis.get_major_formatter()
            if not (axis.get_visible() and _size_free(axis.get_major_locator()) and isinstance(formatter, FuncFormatter)):
                continue
            locs = axis.get_majorticklocs()
            labels = formatter.format_ticks(locs)
            axis.set_major_locator(FixedLocator(locs))
            axis.set_major_formatter(FixedFormatter(labels))


def stamp(fig: Figure, label: str | None) -> Figure:
    """Write the data label in the figure's lower right corner."""
    if label:
        fig.text(0.995, 0.005, label, ha="right", va="bottom", fontsize=8, color="#b00020", alpha=0.9)
    return fig


def _legend_below(ax, handles: list, ncol: int = 3) -> None:
    """The legend under the axes, never over the data."""
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=min(ncol, max(1, len(handles))),
              frameon=False)


def lines_over_time(frame: pd.DataFrame, x: str, series: Mapping[str, str], *, title: str, ylabel: str,
                    events: Mapping[pd.Timestamp, str] | None = None, bars: Mapping[str, str] | None = None,
                    bars_ylabel: str = "за месяц", label: str | None = None, value_format=None) -> Figure:
    """Lines (`series`: column -> legend) over months, optional bars on a second axis
    (`bars`: column -> legend, the axis titled `bars_ylabel`) and vertical event lines
    (`events`: date -> legend text). Every line, bar series and event is in the legend, under
    the chart; with bars, each axis says whether it measures the lines or the bars.
    `value_format` writes the lines' axis (whole numbers by default, e.g. `fmt_share` for shares)."""
    fig, ax = plt.subplots(figsize=(10, 5))
    handles: list = []
    if bars:
        ax2 = ax.twinx()
        width = 25 / max(1, len(bars))
        for i, (column, name) in enumerate(bars.items()):
            handles.append(ax2.bar(frame[x] + pd.Timedelta(days=3 + i * width), frame[column], width=width, alpha=0.35,
                                   label=name, align="edge", color=palette()[i + len(series)]))
        ax2.set_ylabel(f"{bars_ylabel} (столбцы)")
        ax2.set_ylim(bottom=0)
        _int_axis(ax2.yaxis)
        ax.set_zorder(ax2.get_zorder() + 1)  # lines above the bars
        ax.patch.set_visible(False)
    lines = [ax.plot(frame[x], frame[column], marker="o", markersize=3, label=name)[0]
             for column, name in series.items()]
    marks = [ax.axvline(when, color="#444", linestyle="--", linewidth=1, label=text.replace("\n", " "))
             for when, text in (events or {}).items()]
    ax.set(title=title, ylabel=f"{ylabel} (линии)" if bars else ylabel, xlabel="")
    ax.set_ylim(bottom=0)
    if value_format is None:
        _int_axis(ax.yaxis)
    else:
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: value_format(v)))
    _month_axis(ax)
    _legend_below(ax, lines + handles + marks)
    fix_ticks(fig)
    fig.tight_layout()
    return stamp(fig, label)


def small_multiples(frame: pd.DataFrame, x: str, y: str, facet: str, *, title: str, ylabel: str,
                    facet_labels: Mapping[str, str] | None = None, col_wrap: int = 4,
                    label: str | None = None) -> Figure:
    """One small panel per value of `facet` (own y scale, one x axis), the same series in each, the panels
    in the order their values first appear, `col_wrap` to a row. The look of seaborn's
    `relplot(kind="line", col=facet, col_wrap=...)` (panel size, despined axes, titles at label size,
    markers edged in white, tick labels on the outer panels only), drawn by matplotlib alone: relplot
    spent 1.6 s of CPU on eight panels of thirteen points."""
    names = facet_labels or {}
    facets = [v for v in dict.fromkeys(frame[facet]) if pd.notna(v)]
    columns = max(1, col_wrap)  # as relplot: the figure is `col_wrap` panels wide, however few there are
    rows = max(1, -(-len(facets) // columns))
    fig = plt.figure(figsize=(columns * 2.2 * 1.5, rows * 2.2))
    colour = palette()[0]
    first = None
    for i, value in enumerate(facets):
        ax = fig.add_subplot(rows, columns, i + 1, sharex=first)
        first = first or ax
        part = frame[frame[facet] == value].sort_values(x, kind="stable")
        ax.plot(part[x], part[y], marker="o", markersize=3, color=colour, markeredgecolor="w",
                markeredgewidth=0.75)
        ax.set_title(str(names.get(value, value)), fontsize=plt.rcParams["axes.labelsize"])
        ax.spines[["top", "right"]].set_visible(False)
        ax.set_xlabel("")
        ax.set_ylabel(ylabel if i % columns == 0 else "")
        ax.set_ylim(bottom=0)
        _int_axis(ax.yaxis)
        ax.xaxis.set_major_locator(plt.matplotlib.dates.MonthLocator(bymonth=(1, 7)))
        _month_axis(ax)
        if i + columns < len(facets):  # a panel below it shows the months
            ax.tick_params(axis="x", labelbottom=False)
    fig.suptitle(title, y=1.0)
    fig.tight_layout()
    return stamp(fig, label)


def ranked_bars(frame: pd.DataFrame, value: str, name: str, *, title: str, xlabel: str,
                value_format=fmt_num, label: str | None = None) -> Figure:
    """Horizontal bars, largest on top, each bar labelled with its value."""
    data = frame.sort_values(value, ascending=True)
    fig, ax = plt.subplots(figsize=(8, 0.25 * len(data) + 1.2))
    ax.barh(data[name], data[value], color=palette()[0])
    for y, v in enumerate(data[value]):
        ax.annotate(value_format(v), (v, y), xytext=(3, 0), textcoords="offset points", va="center", fontsize=8)
    ax.set(title=title, xlabel=xlabel, ylabel="")
    ax.margins(x=0.12)
    _num_axis(ax.xaxis)
    ax.tick_params(axis="y", labelsize=8)
    fig.tight_layout()
    return stamp(fig, label)


def share_and_hours(frame: pd.DataFrame, x: str, share: Mapping[str, str], hours: tuple[str, str], *,
                    title: str, reference_hours: float | None = None, label: str | None = None) -> Figure:
    """Shares (0-1, left axis, column -> legend) and a duration in hours (right axis, dashed line at
    `reference_hours`); every line in the legend, under the chart."""
    fig, ax = plt.subplots(figsize=(10, 5))
    lines = [ax.plot(frame[x], frame[column], marker="o", markersize=3, label=name)[0] for column, name in share.items()]
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_share(v)))
    ax.set_ylabel("доля комментариев жителей (круглые точки)")
    ax2 = ax.twinx()
    column, name = hours
    color = palette()[len(share)]
    lines.append(ax2.plot(frame[x], frame[column], marker="s", markersize=3, color=color, label=name)[0])
    if reference_hours is not None:
        lines.append(ax2.axhline(reference_hours, color=color, linestyle=":", linewidth=1.2,
                                 label=f"ориентир: ответ за {fmt_int(reference_hours)} ч"))
    ax2.set_ylim(bottom=0)
    ax2.set_ylabel("часы до ответа (квадратные точки)")
    _int_axis(ax2.yaxis)
    ax.set(title=title, xlabel="")
    _month_axis(ax)
    _legend_below(ax, lines, ncol=2)
    fig.tight_layout()
    return stamp(fig, label)


def weekday_hour_heatmap(matrix: pd.DataFrame, *, title: str, label: str | None = None,
                         value_label: str = "публикаций", value_format=fmt_int, cmap: str = "Blues",
                         center: float | None = None) -> Figure:
    """A 7 x 24 table (rows Monday..Sunday, columns hours) as a heatmap; empty cells stay blank; `center`:
    the value a diverging palette is centred on."""
    import seaborn as sns

    fig, ax = plt.subplots(figsize=(11, 3.6))
    sns.heatmap(matrix, ax=ax, cmap=cmap, center=center, cbar_kws={"label": value_label,
                                                    "format": FuncFormatter(lambda v, _: value_format(v))},
                linewidths=0.3, linecolor="white")
    ax.set_yticks(np.arange(7) + 0.5, WEEKDAYS_RU, rotation=0)
    ax.set_xticks(np.arange(24) + 0.5, [str(h) for h in range(24)], rotation=0)
    ax.set(title=title, xlabel="час (местное время)", ylabel="")
    fig.tight_layout()
    return stamp(fig, label)


_VALUE_AXES = {"count": lambda v, _: fmt_int(v), "share": lambda v, _: fmt_share(v),
               "hours": lambda v, _: f"{fmt_int(v)} ч"}


def year_line(frame: pd.DataFrame, x: str, series: Mapping[str, str], *, title: str, ylabel: str,
              kind: str = "count", reference: tuple[float, str] | None = None, label: str | None = None) -> Figure:
    """A small chart of one year: lines over months (`series`: column -> legend), the y axis worded by
    `kind` (count, share or hours), an optional horizontal reference line (value, legend text); every
    line in the legend, under the chart."""
    fig, ax = plt.subplots(figsize=(5.6, 3.4))
    handles = [ax.plot(frame[x], frame[column], marker="o", markersize=3, label=name)[0]
               for column, name in series.items()]
    if reference is not None:
        handles.append(ax.axhline(reference[0], color="#444", linestyle=":", linewidth=1.2, label=reference[1]))
    top = 1 if kind == "share" else 1.12 * max([frame[list(series)].max().max(), reference[0] if reference else 0])
    ax.set_ylim(0, top if top == top and top > 0 else None)  # room above the highest line or the reference
    ax.yaxis.set_major_formatter(FuncFormatter(_VALUE_AXES[kind]))
    ax.set(title=title, ylabel=ylabel, xlabel="")
    ax.xaxis.set_major_locator(plt.matplotlib.dates.MonthLocator(bymonth=(1, 4, 7, 10)))
    _month_axis(ax)
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=1, frameon=False, fontsize=8)
    fig.tight_layout()
    return stamp(fig, label)


def paired_bars(frame: pd.DataFrame, category: str, bars: Mapping[str, str], *, title: str, xlabel: str,
                label: str | None = None) -> Figure:
    """Horizontal bars side by side per category (`bars`: column -> legend), each labelled with its value
    beyond its end; the legend under the chart."""
    data = frame.iloc[::-1]
    fig, ax = plt.subplots(figsize=(5.6, 0.5 * len(data) + 1.6))
    height = 0.8 / max(1, len(bars))
    y = np.arange(len(data))
    for i, (column, name) in enumerate(bars.items()):
        offset = (len(bars) - 1 - i) * height - 0.4 + height / 2
        ax.barh(y + offset, data[column], height=height, label=name, color=palette()[i])
        for yy, v in zip(y + offset, data[column]):
            ax.annotate(fmt_int(v), (v, yy), xytext=(3, 0), textcoords="offset points", va="center", fontsize=7)
    ax.set_yticks(y, data[category])
    ax.set(title=title, xlabel=xlabel, ylabel="")
    ax.margins(x=0.15)
    _int_axis(ax.xaxis)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=1, frameon=False, fontsize=8)
    fig.tight_layout()
    return stamp(fig, label)


def bars_with_intervals(frame: pd.DataFrame, name: str, value: str, low: str, high: str, *, title: str,
                        xlabel: str, value_format=fmt_num, reference: float | None = None,
                        reference_label: str = "уровень сравнения", label: str | None = None) -> Figure:
    """Horizontal bars with their 95 % confidence intervals as error bars, largest on top; `reference`: a
    dotted line named `reference_label`; both are in the legend, under the chart."""
    data = frame.sort_values(value, ascending=True)
    fig, ax = plt.subplots(figsize=(8, 0.4 * len(data) + 1.4))
    errors = np.vstack([data[value] - data[low], data[high] - data[value]]).clip(min=0)
    bars = ax.barh(data[name], data[value], xerr=errors, color=palette()[0], ecolor="#333333", capsize=3,
                   label="значение и 95-процентный доверительный интервал")
    handles = [bars]
    for y, v in enumerate(data[value]):
        ax.annotate(value_format(v), (v, y), xytext=(4, 6), textcoords="offset points", fontsize=8)
    if reference is not None:
        handles.append(ax.axvline(reference, color="#888888", linestyle=":", linewidth=1,
                                  label=f"{reference_label}: {value_format(reference)}"))
    _num_axis(ax.xaxis)
    ax.set(title=title, xlabel=xlabel, ylabel="")
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=1, frameon=False, fontsize=8)
    fig.tight_layout()
    return stamp(fig, label)


def stacked_shares(wide: pd.DataFrame, *, title: str, labels: Mapping[str, str] | None = None,
                   index_format=None, label: str | None = None) -> Figure:
    """One horizontal bar per row of shares (0-1, columns are the parts), the parts stacked to 100 %."""
    data = wide.iloc[::-1]
    names = [index_format(i) if index_format else str(i) for i in data.index]
    fig, ax = plt.subplots(figsize=(10, 0.35 * len(data) + 1.8))
    left = np.zeros(len(data))
    import seaborn as sns

    colours = sns.color_palette("tab10", n_colors=max(len(data.columns), 1))
    for colour, column in zip(colours, data.columns):
        ax.barh(names, data[column], left=left, color=colour, label=(labels or {}).get(column, column))
        left += data[column].to_numpy()
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_share(v)))
    if len(data.columns) and len(data):
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=min(5, len(data.columns)), frameon=False,
                  fontsize=8)
    else:  # nothing to split: the source gives no content types (or no posts) for the year
        ax.text(0.5, 0.5, "нет данных о видах публикаций", ha="center", va="center", transform=ax.transAxes)
    ax.set(title=title, xlabel="", ylabel="")
    fig.tight_layout()
    return stamp(fig, label)
