"""Charts of the weekly monitoring, with Russian labels from `wording` and the data label stamped.

- `trend_chart`: twelve weeks of one area: the mean score and the share of green pages,
  and below it the residents' comments answered in time and the median reply time;
- `colour_strip`: a page's colour week by week (the page card);
- `png_data_uri`: a figure as an embeddable image for hand-written pages (the yearly index).
"""

from __future__ import annotations

import base64

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from ..plots import png, stamp
from ..wording import fmt_date, fmt_num, fmt_share
from .methodology import WeeklyMethodology
from .tables import COLOUR_MARKS


def _week_axis(ax, weeks: pd.Series) -> None:
    ax.set_xticks(list(weeks))
    step = max(1, len(weeks) // 12)
    ax.set_xticklabels([fmt_date(w)[:5] if i % step == 0 else "" for i, w in enumerate(weeks)], fontsize=8)
    ax.set_xlabel("неделя (понедельник)")


def trend_chart(trend: pd.DataFrame, *, title: str, label: str | None = None) -> Figure:
    """Score and share green (top), replies in time and median reply time (bottom), by week."""
    trend = trend.sort_values("week")
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 6.2), sharex=True)
    top.plot(trend["week"], trend["mean_score"], marker="o", color="#1f4e79", label="средний балл (из 100)")
    top.set_ylim(0, 100)
    top.set_ylabel("балл")
    share = top.twinx()
    share.plot(trend["week"], trend["share_green"], marker="s", color=COLOUR_MARKS["green"], label="доля зелёных страниц")
    share.set_ylim(0, 1)
    share.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_share(v)))
    handles = top.get_legend_handles_labels()[0] + share.get_legend_handles_labels()[0]
    top.legend(handles, [h.get_label() for h in handles], loc="lower left", frameon=False, fontsize=9)
    top.set_title(title)
    bottom.plot(trend["week"], trend["on_time_share"], marker="o", color="#6a1b9a", label="отвечено в срок (24 рабочих часа)")
    bottom.plot(trend["week"], trend["answered_share"], marker=".", linestyle="--", color="#9c27b0", label="отвечено к концу недели")
    bottom.set_ylim(0, 1)
    bottom.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_share(v)))
    bottom.set_ylabel("доля комментариев")
    hours = bottom.twinx()
    hours.plot(trend["week"], trend["median_reply_working_hours"], marker="^", color="#ef6c00",
               label="медиана ответа, рабочих часов")
    hours.set_ylim(bottom=0)
    hours.set_ylabel("рабочих часов")
    handles = bottom.get_legend_handles_labels()[0] + hours.get_legend_handles_labels()[0]
    bottom.legend(handles, [h.get_label() for h in handles], loc="lower left", frameon=False, fontsize=9)
    _week_axis(bottom, trend["week"])
    fig.tight_layout()
    return stamp(fig, label)


def colour_strip(page_rows: pd.DataFrame, methodology: WeeklyMethodology, *, title: str,
                 label: str | None = None) -> Figure:
    """One coloured square per week: the page's colour, with its score above."""
    rows = page_rows.sort_values("week")
    fig, ax = plt.subplots(figsize=(11, 2.3))
    for i, (colour, score) in enumerate(zip(rows["colour"], rows["score"])):
        ax.add_patch(plt.Rectangle((i, 0), 0.9, 1, color=COLOUR_MARKS.get(colour, "#bbbbbb")))
        if i % 4 == 0 or i == len(rows) - 1:
            ax.annotate(fmt_num(score), (i + 0.45, 1.05), ha="center", va="bottom", fontsize=7)
    ax.set_xlim(0, max(len(rows), 1))
    ax.set_ylim(0, 1.5)
    ax.set_yticks([])
    step = max(1, len(rows) // 13)
    ax.set_xticks([i + 0.45 for i in range(0, len(rows), step)])
    ax.set_xticklabels([fmt_date(w)[:5] + "\n" + str(w.year) for w in rows["week"].iloc[::step]], fontsize=7)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.legend(handles=[Patch(color=COLOUR_MARKS[c], label=methodology.colour_labels[c]) for c in COLOUR_MARKS],
              loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8)
    ax.set_title(title)
    fig.tight_layout()
    return stamp(fig, label)


def png_data_uri(fig: Figure) -> str:
    """The figure as a data: URI (PNG), for pages that must load nothing from elsewhere."""
    data = png(fig, 110)  # the project's one way to a PNG: drawn once, the charts' zlib level
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def year_chart(weeks: pd.DataFrame, methodology: WeeklyMethodology, *, title: str, label: str | None = None) -> Figure:
    """The year week by week: shares of green, yellow and red pages (stacked) and the mean score."""
    weeks = weeks.sort_values("week")
    fig, ax = plt.subplots(figsize=(10, 4.2))
    shares = [weeks[f"share_{c}"] for c in ("green", "yellow", "red")]
    ax.stackplot(weeks["week"], *shares, colors=[COLOUR_MARKS[c] for c in ("green", "yellow", "red")], alpha=0.75,
                 labels=[f"доля: {methodology.colour_labels[c]}" for c in ("green", "yellow", "red")])
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_share(v)))
    ax.set_ylabel("доля страниц")
    score = ax.twinx()
    score.plot(weeks["week"], weeks["mean_score"], color="#111111", marker=".", label="средний балл (правая ось)")
    score.set_ylim(0, 100)
    score.set_ylabel("средний балл")
    handles = ax.get_legend_handles_labels()[0] + score.get_legend_handles_labels()[0]
    ax.legend(handles, [h.get_label() for h in handles], loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=4,
              frameon=False, fontsize=9)
    ax.xaxis.set_major_formatter(FuncFormatter(
        lambda v, _: fmt_date(pd.Timestamp(plt.matplotlib.dates.num2date(v)).tz_localize(None))[:5]))
    ax.set_title(title)
    fig.tight_layout()
    return stamp(fig, label)
