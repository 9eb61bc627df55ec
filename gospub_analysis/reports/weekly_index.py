"""The hand-written pages of the weekly reports: a week's `index.html` and the list of weeks.

A week's index says which week it is, gives the region's headline, links the region
page, every municipality page with its workbook, the page cards and `build.json`, and
says where the data and the methodology come from. `reports/weekly/index.html` lists
every week built (newest first), read from each week's `build.json`. Like every report
page they load nothing from the network and carry the synthetic-data banner.
"""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path

import pandas as pd

from ..weekly.league import REGION
from ..wording import SYNTHETIC_LABEL
from ..weekly.tables import card_file, league_for_reader, summary_text, to_html
from .html import banner
from .index import PAGE, href

WEEK_FOLDER = r"^\d{4}-W\d{2}$"


def _link(path: str, text: str) -> str:
    return f'<a href="{href(path)}">{html.escape(text)}</a>'


def _provenance(build: dict) -> str:
    ds, method = build["dataset"], build["methodology"]
    manifest = ds.get("manifest", {})
    rows = [
        ("Данные", ds["label"]),
        ("Набор данных", manifest.get("name") or Path(ds["path"]).name),
        ("Регион", manifest.get("region_name") or manifest.get("region") or "—"),
        ("Отпечаток набора (SHA-256)", f"<code>{html.escape(ds['fingerprint'])}</code>"),
        ("Методика", html.escape(f"{method['title']} (файл {method['file']}, версия {method['version']})")),
        ("Версия пакета gospub-analysis", html.escape(build["package_version"])),
        ("Отчёт собран", html.escape(pd.Timestamp(build["started_at"]).strftime("%d.%m.%Y %H:%M"))),
    ]
    body = "".join(f"<tr><th>{html.escape(k)}</th><td>{v if k.startswith(('Отпечаток', 'Методика', 'Версия', 'Отчёт')) else html.escape(str(v))}</td></tr>"
                   for k, v in rows)
    return f"<table>{body}</table><p>Параметры сборки и время каждой страницы: {_link('build.json', 'build.json')}.</p>"


def write_week_index(report_dir: Path, build: dict, league: pd.DataFrame, municipalities: list[tuple[str, str]],
                     cards: list[tuple[str, str]], methodology) -> Path:
    """index.html of one week: headline, links to every page and workbook, provenance.

    `municipalities`: (name, path stem relative to the report) of each municipality page; `cards`: (page id,
    the page's name as readers read it) of each page card.
    """
    week = build["week"]
    title = f"Еженедельный мониторинг официальных страниц: неделя {week['text']}"
    region_line = league[league["area"] == REGION]
    monday = pd.Timestamp(week["monday"])
    parts = ["<h2>Коротко</h2>",
             f"<p>{html.escape(summary_text(region_line.iloc[0] if len(region_line) else None, methodology, monday, REGION))}</p>",
             "<h2>Страницы недели</h2><ul>",
             f"<li><strong>{_link('region.html', 'Вся область')}</strong> — светофор по муниципалитетам и сферам, "
             f"списки задач; {_link('region.xlsx', 'region.xlsx (Excel)')}</li></ul>"]
    if municipalities:
        links = {name: f"{stem}.html" for name, stem in municipalities}
        table = league_for_reader(league[league["area"].isin([REGION, *links])], "Муниципалитет", links)
        parts += ["<h2>Муниципалитеты</h2>", to_html(table), "<p>Файлы Excel для кураторов: "
                  + ", ".join(_link(f"{stem}.xlsx", name) for name, stem in municipalities) + ".</p>"]
    else:
        parts.append("<p>Страницы муниципалитетов в этой сборке не строились "
                     "(<code>gospub weekly --all-municipalities</code> или <code>--municipality ИМЯ</code>).</p>")
    if cards:
        parts += ["<h2>Карточки страниц</h2><ul>"]
        parts += [f"<li>{_link('cards/' + card_file(c), name)}</li>" for c, name in cards] + ["</ul>"]
    parts += ["<h2>Откуда данные</h2>", _provenance(build)]
    page = PAGE.format(title=html.escape(title),
                       banner=banner(build["dataset"]["label"] if build["dataset"]["synthetic"] else None),
                       body='<p><a href="../index.html">← все недели</a></p>\n' + "\n".join(parts))
    out = report_dir / "index.html"
    out.write_text(page, encoding="utf-8")
    return out


def write_weeks_list(weekly_dir: Path) -> Path:
    """reports/weekly/index.html: every week built, newest first (written atomically)."""
    rows, synthetic = [], False
    for folder in sorted((p for p in weekly_dir.iterdir() if p.is_dir() and re.match(WEEK_FOLDER, p.name)),
                         key=lambda p: p.name, reverse=True):
        try:
            build = json.loads((folder / "build.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        synthetic = synthetic or build["dataset"]["synthetic"]
        rows.append(f"<tr><td>{_link(folder.name + '/index.html', build['week']['text'])}</td>"
                    f"<td>{html.escape(folder.name)}</td><td>{html.escape(build['dataset']['label'])}</td>"
                    f"<td>{html.escape(build['methodology']['file'])}, версия {html.escape(build['methodology']['version'])}</td></tr>")
    body = ("<table><tr><th>Неделя</th><th>ISO</th><th>Данные</th><th>Методика</th></tr>" + "".join(rows) + "</table>"
            if rows else "<p>Ни одной недели ещё не собрано: <code>gospub weekly</code>.</p>")
    page = PAGE.format(title="Еженедельный мониторинг: все недели", banner=banner(SYNTHETIC_LABEL if synthetic else None),
                       body=body)
    out = weekly_dir / "index.html"
    partial = weekly_dir / f".index.html.{os.getpid()}.tmp"
    partial.write_text(page, encoding="utf-8")
    partial.replace(out)
    return out
