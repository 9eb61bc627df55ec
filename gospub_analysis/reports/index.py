"""index.html of a yearly report: the year in five charts, headline figures, links, provenance.

Written by hand (no notebook): it must exist even when the growth notebook wrote no
headline, and it is the page that says where the data come from. Like every report
page it loads nothing from the network and carries the synthetic-data banner. It also
shows the year of the weekly monitoring in one chart (embedded, computed here from the
dataset) and links the weekly reports when `gospub weekly` has built any.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from urllib.parse import quote

import pandas as pd

from .. import excel
from ..wording import count_ru, fmt_date, fmt_datetime, fmt_int, fmt_num, platform_label
from .html import banner

HEADLINE_FILE = "headline.csv"
OUTPUT_SUFFIXES = {
    ".csv": "CSV",
    ".xlsx": "Excel",
    ".joblib": "модель",
    ".pkl": "модель",
    ".skops": "модель",
    ".json": "JSON",
    ".md": "текст",
    ".png": "рисунок",
    ".parquet": "Parquet",
    ".toml": "TOML",
}

PAGE = """<!DOCTYPE html>
<html lang="ru">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{title}</title>
<link rel="icon" href="data:,">
<style>
body {{ font-family: sans-serif; max-width: 1100px; margin: 0 auto; padding: 0 1em 2em; color: #222;
  line-height: 1.45; }}
h1 {{ font-size: 1.7em; }} h2 {{ margin-top: 1.6em; border-bottom: 1px solid #ddd; }}
table {{ border-collapse: collapse; }}
td, th {{ padding: 0.25em 0.7em; border-bottom: 1px solid #eee; text-align: left; vertical-align: top; }}
td.value {{ text-align: right; white-space: nowrap; font-weight: bold; }}
.rule {{ color: #666; font-size: 0.85em; }}
.platforms {{ color: #444; font-size: 0.8em; font-weight: normal; white-space: normal; }}
.gospub-banner {{ background: #fff3cd; border: 2px solid #d39e00; color: #5c4400; padding: 0.6em 1em; margin: 0.8em 0;
  font-weight: bold; font-size: 1.1em; text-align: center; }}
ul.columns {{ columns: 3; }}
.cards {{ display: flex; flex-wrap: wrap; gap: 0.8em; }}
.card {{ flex: 1 1 9em; border: 1px solid #ddd; border-radius: 6px; padding: 0.6em 0.8em; }}
.card-label {{ font-size: 0.9em; color: #444; }} .card-value {{ font-size: 1.6em; font-weight: bold; }}
.charts {{ display: flex; flex-wrap: wrap; gap: 0.6em; margin-top: 1em; }} .charts img {{ max-width: 49%; height: auto; }}
code {{ font-size: 0.9em; word-break: break-all; }}
</style>
</head>
<body>
{banner}
<h1>{title}</h1>
{body}
</body>
</html>
"""


def href(path: str) -> str:
    """A relative link with every path segment percent-encoded."""
    return quote(path, safe="/")


def _link(path: str, text: str) -> str:
    return f'<a href="{href(path)}">{html.escape(text)}</a>'


def read_headline(report_dir: Path, growth_out: str) -> list[dict]:
    """Headline rows (figure, label, value as text, rule) from the growth notebook's headline.csv."""
    from ..growth import LABELS, format_figure

    files = sorted((report_dir / growth_out).rglob(HEADLINE_FILE))
    if not files:
        return []
    frame = excel.read_csv(files[0])
    by_platform = [c for c in frame.columns if c.startswith("value_")]
    return [
        {
            "figure": r["figure"],
            "label": LABELS.get(r["figure"], r["figure"]),
            "value": "—" if pd.isna(r["value"]) else format_figure(r["figure"], r["value"]),
            "rule": r["rule"],
            # the total by platform, when the dataset has more than one
            "platforms": "; ".join(f"{platform_label(c.removeprefix('value_'))}: {format_figure(r['figure'], r[c])}"
                                   for c in by_platform) if len(by_platform) > 1 else "",
        }
        for _, r in frame.iterrows()
    ]


def _platforms_line(text: str) -> str:
    """The headline value by platform, under the total («ВКонтакте: 3 465; Одноклассники: 2 101; ...»)."""
    return f'<div class="platforms">{html.escape(text)}</div>' if text else ""


def output_files(report_dir: Path, folder: str) -> list[str]:
    """Files a notebook wrote into its output folder, relative to the report folder."""
    root = report_dir / folder
    if not root.is_dir():
        return []
    return [str(p.relative_to(report_dir)) for p in sorted(root.rglob("*")) if p.is_file()]


TABLE_LABELS = {"organizations": "организации", "communities": "страницы", "snapshots": "снимки страниц",
                "posts": "публикации", "comments": "комментарии", "awards": "награды",
                "quarantine": "отложенные записи импорта", "wall_messages": "сообщения жителей на стенах"}


def _origin(manifest: dict) -> str:
    """Where the data come from, in words: the generator and its settings, or the imported files."""
    prov = manifest.get("provenance", {})
    if prov.get("kind") == "synthetic":
        return (f"синтетический набор: генератор версии {prov.get('generator_version', '—')}, "
                f"зерно {prov.get('seed', '—')}, масштаб {fmt_num(prov.get('scale'), 2)}")
    files = prov.get("sources") or manifest.get("imported_files") or []
    return f"импорт выгрузок: {count_ru(len(files), 'файл', 'файла', 'файлов')}" if files else "импорт выгрузок"


def _provenance(build: dict) -> str:
    ds = build["dataset"]
    manifest = ds.get("manifest", {})
    period = manifest.get("period") or {}
    rows = [
        ("Данные", ds["label"]),
        ("Набор данных", manifest.get("name") or Path(ds["path"]).name),
        ("Регион", manifest.get("region_name") or manifest.get("region") or "—"),
        ("Период набора", f"{fmt_date(period.get('start'))} — {fmt_date(period.get('end'))}"),
        ("Происхождение", _origin(manifest)),
        ("Версия схемы данных", manifest.get("schema_version", "—")),
        ("Отпечаток набора (SHA-256)", f"<code>{ds['fingerprint']}</code>"),
        (
            "Методика рейтинга",
            f"{build['methodology']['title']} (версия {build['methodology']['version']})",
        ),
        ("Версия пакета gospub-analysis", build["package_version"]),
        ("Отчёт собран", fmt_datetime(pd.Timestamp(build["started_at"]).tz_localize(None))),
    ]
    body = "".join(
        f"<tr><th>{html.escape(k)}</th><td>{v if '<code>' in str(v) else html.escape(str(v))}</td></tr>"
        for k, v in rows
    )
    counts = manifest.get("row_counts") or {}
    if counts:
        body += (
            "<tr><th>Строк в таблицах</th><td>"
            + ", ".join(f"{html.escape(TABLE_LABELS.get(t, t))}: {fmt_int(n)}" for t, n in counts.items())
            + "</td></tr>"
        )
    return (
        f"<table>{body}</table><p>Полный манифест набора данных, параметры сборки и время выполнения "
        f"каждого блокнота: {_link('build.json', 'build.json')}.</p>"
    )


YEAR_FIGURES = ("pages_active", "subscribers", "answered_share", "median_reply_hours", "winners")


def _read(report_dir: Path, folder: str | None, name: str) -> pd.DataFrame | None:
    files = sorted((report_dir / folder).rglob(name)) if folder else []
    return excel.read_csv(files[0]) if files else None


def year_changes(report_dir: Path, growth_out: str) -> dict[str, str]:
    """figure -> the change from the previous year as readers read it (growth's change.csv), when written."""
    from ..growth import format_change

    change = _read(report_dir, growth_out, "change.csv")
    if change is None:
        return {}
    return {r.figure: format_change(r.figure, r.change) for r in change.itertuples()}


def _winners_by_sector(report_dir: Path, growth_out: str, ranking_out: str | None) -> pd.DataFrame | None:
    """Per sector: the official award (growth's sectors.csv) and the methodology's reproduction (ranking.csv)."""
    from ..wording import sector_label

    sectors = _read(report_dir, growth_out, "sectors.csv")
    if sectors is None or "winners" not in sectors:
        return None
    table = sectors.assign(sector_label=sectors["sector"].map(sector_label))[["sector", "sector_label", "winners"]]
    ranked = _read(report_dir, ranking_out, "ranking.csv")
    if ranked is not None:
        ours = ranked[ranked["winner"].astype(str).str.lower() == "true"].groupby("sector").size()
        table = table.assign(reproduced=table["sector"].map(ours).fillna(0))
    table = table[table.drop(columns=["sector", "sector_label"]).sum(axis=1) > 0]
    return table.sort_values("winners", ascending=False, ignore_index=True)


def year_charts(report_dir: Path, build: dict, growth_out: str, ranking_out: str | None) -> list[tuple[str, str]]:
    """The year in five charts (title, PNG data URI): pages, subscribers, answered share, reply time,
    winners by sector (official and reproduced), from the files the growth and ranking notebooks wrote."""
    from .. import plots
    from ..weekly.charts import png_data_uri

    monthly = _read(report_dir, growth_out, "monthly.csv")
    if monthly is None:
        return []
    year = build["parameters"]["year"]
    label = build["dataset"]["label"] if build["dataset"]["synthetic"] else None
    monthly = monthly.assign(month=pd.to_datetime(monthly["month"]))
    monthly = monthly[monthly["month"] >= pd.Timestamp(year - 1, 12, 1)]
    charts = [
        ("Активные страницы", plots.year_line(monthly, "month", {"pages_active": "активные страницы на конец месяца"},
                                              title="Активные страницы", ylabel="страниц", label=label)),
        ("Подписчики", plots.year_line(monthly, "month", {"subscribers": "подписчики активных страниц"},
                                       title="Подписчики", ylabel="подписчиков", label=label)),
        ("Ответы жителям", plots.year_line(
            monthly, "month", {"answered_share": "доля комментариев жителей с ответом",
                               "answered_24h_share": "доля ответов в течение 24 часов"},
            title="Ответы жителям", ylabel="доля комментариев", kind="share", label=label)),
        ("Время ответа", plots.year_line(
            monthly, "month", {"median_reply_hours": "медианное время ответа за месяц"}, title="Время ответа",
            ylabel="часов до ответа", kind="hours", reference=(24, "ориентир: ответ за 24 часа"), label=label)),
    ]
    winners = _winners_by_sector(report_dir, growth_out, ranking_out)
    if winners is not None and len(winners):
        bars = {"winners": "знак качества (официальный список)",
                **({"reproduced": "отобрано по методике проекта (воспроизведение)"} if "reproduced" in winners else {})}
        charts.append(("Знак качества по сферам", plots.paired_bars(
            winners, "sector_label", bars, title="Знак качества по сферам", xlabel="страниц", label=label)))
    return [(title, png_data_uri(fig)) for title, fig in charts]


def year_section(report_dir: Path, build: dict, main: list[dict], headline: list[dict]) -> str:
    """The year at a glance: the five figures with the change from the previous year, then five charts."""
    by_name = {m["name"]: m for m in main}
    growth_out = by_name.get("growth", {}).get("out_dir")
    ranking_out = by_name.get("ranking", {}).get("out_dir")
    year = build["parameters"]["year"]
    changes = year_changes(report_dir, growth_out) if growth_out else {}
    figures = {r["figure"]: r for r in headline}
    parts = ["<h2>Год в пяти графиках</h2>"]
    cells = "".join(
        f'<div class="card"><div class="card-label">{html.escape(figures[f]["label"])}</div>'
        f'<div class="card-value">{html.escape(figures[f]["value"])}</div>'
        + (f'<div class="rule">{html.escape(_change_text(changes.get(f), year))}</div>' if changes else "")
        + "</div>"
        for f in YEAR_FIGURES if f in figures)
    if cells:
        parts.append(f'<div class="cards">{cells}</div>')
    if not changes:
        parts.append(f'<p class="rule">Изменение к {year - 1} году не приводится: набор данных не покрывает '
                     f'{year - 1} год целиком.</p>')
    charts = year_charts(report_dir, build, growth_out, ranking_out) if growth_out else []
    parts.append('<div class="charts">' + "".join(
        f'<img src="{uri}" alt="{html.escape(title)}">' for title, uri in charts) + "</div>")
    return "\n".join(parts)


def _change_text(change: str | None, year: int) -> str:
    return f"к {year - 1} году: {change}" if change else f"к {year - 1} году: нет данных"


WEEKLY_LIST = "weekly/index.html"  # relative to the reports folder (reports_dir), see weekly_index


def weekly_section(report_dir: Path, build: dict, year: int) -> str:
    """The year's weekly «светофор» in one chart, and a link to the weekly reports when built."""
    from ..dataset import Source
    from ..weekly import load_weekly_methodology
    from ..weekly.charts import png_data_uri, year_chart
    from ..weekly.league import year_weeks

    parts = ["<h2>Еженедельный мониторинг за год</h2>"]
    method = load_weekly_methodology()
    weeks = year_weeks(Source(build["dataset"]["path"]), year, method)
    if weeks.empty:
        parts.append(f"<p>Недель {year} года в наборе данных нет: график еженедельного мониторинга не строится.</p>")
    else:
        label = build["dataset"]["label"] if build["dataset"]["synthetic"] else None
        figure = year_chart(weeks, method, title=f"Цвета «светофора» по неделям {year} года", label=label)
        parts.append(f'<p>Доли зелёных, жёлтых и красных страниц и средний балл каждой полной недели года '
                     f'(методика: {html.escape(method.describe())}).</p>'
                     f'<img src="{png_data_uri(figure)}" alt="Еженедельный мониторинг {year} года" style="max-width:100%">')
    if (report_dir.parent / WEEKLY_LIST).is_file():
        parts.append(f"<p>{_link('../' + WEEKLY_LIST, 'Еженедельные отчёты')}: светофор, списки задач кураторов, "
                     "страница каждого муниципалитета.</p>")
    else:
        parts.append("<p>Еженедельные отчёты ещё не собраны: <code>gospub weekly</code> (или <code>make weekly</code>).</p>")
    return "\n".join(parts)


def growth_headline(report_dir: Path, main: list[dict]) -> list[dict]:
    """The headline rows of the growth notebook among `main` (`read_headline`; none without it)."""
    growth = next((m for m in main if m["name"] == "growth"), None)
    return read_headline(report_dir, growth["out_dir"]) if growth else []


def write_index(report_dir: Path, build: dict, main: list[dict], municipalities: list[dict],
                weekly: str | None = None, year: str | None = None) -> Path:
    """Write index.html into `report_dir`.

    `main`: per main notebook {title, html, executed, out_dir}; `municipalities`: per
    district {name, html}. Paths are relative to `report_dir`. `weekly`: the
    `weekly_section`, when the build computed it alongside the notebooks (None: here);
    `year`: the `year_section` likewise (it reads only what the main notebooks wrote).
    """
    title = f"Официальные страницы госорганизаций: отчёт за {build['parameters']['year']} год"
    parts = []

    headline = growth_headline(report_dir, main)
    parts.append(year if year is not None else year_section(report_dir, build, main, headline))
    parts.append("<h2>Главные цифры года</h2>")
    if headline:
        rows = "".join(
            f'<tr><td>{html.escape(r["label"])}<div class="rule">{html.escape(str(r["rule"]))}</div></td>'
            f'<td class="value">{html.escape(r["value"])}'
            f'{_platforms_line(r["platforms"])}'
            f'</td></tr>'
            for r in headline
        )
        parts.append(f'<table class="headline">{rows}</table>')
    else:
        parts.append("<p>Главные цифры года не записаны: страница роста сети не построена.</p>")

    parts.append("<h2>Разделы отчёта</h2><ul>")
    for m in main:
        files = output_files(report_dir, m["out_dir"])
        listed = ", ".join(_link(f, f"{Path(f).name} ({OUTPUT_SUFFIXES.get(Path(f).suffix, 'файл')})") for f in files)
        parts.append(
            f"<li><strong>{_link(m['html'], m['title'])}</strong> — "
            f"{_link(m['executed'], 'выполненный блокнот .ipynb')}"
            + (f'<br><span class="rule">Файлы: {listed}</span>' if files else "")
            + "</li>"
        )
    parts.append("</ul>")

    parts.append("<h2>Отчёты муниципалитетов</h2>")
    if municipalities:
        parts.append(
            '<ul class="columns">'
            + "".join(f"<li>{_link(m['html'], m['name'])}</li>" for m in municipalities)
            + "</ul>"
        )
    else:
        parts.append(
            "<p>В этой сборке отчёты муниципалитетов не строились "
            "(<code>gospub report --all-municipalities</code> или <code>--municipality ИМЯ</code>).</p>"
        )

    parts.append(weekly if weekly is not None else weekly_section(report_dir, build, build["parameters"]["year"]))

    parts.append("<h2>Откуда данные</h2>")
    parts.append(_provenance(build))

    page = PAGE.format(
        title=html.escape(title),
        banner=banner(build["dataset"]["label"] if build["dataset"]["synthetic"] else None),
        body="\n".join(parts),
    )
    out = report_dir / "index.html"
    out.write_text(page, encoding="utf-8")
    return out


def dumps(build: dict) -> str:
    return json.dumps(build, ensure_ascii=False, indent=2, default=str) + "\n"
