"""A mixed folder of the files analysts really get, written by hand, and the figures of importing it.

`build(root)` writes (nothing of it is committed as a binary):

    vk/groups/getById-2024-03-01.json    groups.getById: a school, a hospital, a library and a deleted page
    vk/walls/101/wall.get.jsonl          the school's wall: 3 page posts (one an ads post), a resident's wall post
    vk/walls/101/wall.getComments.jsonl  comments: a resident, the page's reply, another community, and the
                                         thread under the resident's wall post (the page answers it)
    vk/saved/users.get.json              a users.get response saved in the dump folder by mistake
    vk/saved/groups.getMembers.json      a groups.getMembers response (bare user ids)
    monitoring/monitoring_2024-03-04.xlsx   the weekly export, ending with a totals row «Итого»
    monitoring/monitoring_2024-03-11.xls    the next week: an .xlsx workbook named .xls
    monitoring/monitoring_2024-03-18.xls    the week after: a real legacy .xls (BIFF, written with xlwt)
    awards_2023.csv                      the award list as Russian Excel saves it: cp1251, «;», a duplicate
    telegram/result.json                 a Telegram Desktop channel export

Every user id in the files is listed in `USER_IDS`: none may appear in clear in any output.
`python tests/mixed_fixture.py` builds the folder in a temporary place, imports it in the
order monitoring, VK, Telegram, awards, awards again (with the code on PYTHONPATH, so
the same script measures the old and the new importers) and prints the figures.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

USER_IDS = (777001, 777002, 777005, 777123, 777201, 777202, 777203, 555111)
OTHER_COMMUNITY = 555
FETCHED = "2024-03-01T12:00:00+07:00"

MONITORING_HEADERS = [
    "Уровень", "Учредитель", "Наименование подведомственной организации",
    "Официальная страница не ведется на основании", "ОГРН", "Сфера 1", "Сфера 2", "Сфера 3", "Статус",
    "ID госпаблика", "Ссылка на госпаблик ВК", "Адрес, указанный в настройках страницы",
    "Подключение к компоненту «Госпаблики» (да/нет)", "Госметка (да/нет)", "Оформление (%)", "Виджеты (0/1/2)",
    "Активность (%)", "Количество подписчиков", "Общий охват аудитории за неделю", "Средний охват одной публикации",
]


def _envelope(method: str, params: dict, response: object) -> dict:
    return {"request": {"method": method, "params": {**params, "v": "5.199"}}, "fetched_at": FETCHED,
            "response": response}


def _post(pid: int, date: int, text: str, from_id: int = -101, ads: int = 0, comments: int = 0, **extra) -> dict:
    return {"id": pid, "owner_id": -101, "from_id": from_id, "date": date, "post_type": "post", "text": text,
            "marked_as_ads": ads, "comments": {"count": comments}, "likes": {"count": 3}, "reposts": {"count": 0},
            "views": {"count": 120}, **extra}


def _comment(cid: int, post_id: int, from_id: int, date: int, text: str, **extra) -> dict:
    return {"id": cid, "from_id": from_id, "date": date, "text": text, "post_id": post_id, "owner_id": -101,
            "parents_stack": [], **extra}


def write_vk(root: Path) -> Path:
    vk = root / "vk"
    (vk / "groups").mkdir(parents=True)
    groups = [
        {"id": 101, "name": "МБОУ Болотнинская СОШ № 1", "screen_name": "bolotnoe_school1", "is_closed": 0,
         "type": "group", "members_count": 1520, "has_photo": 1, "description": "Официальная страница школы",
         "contacts": [{"user_id": 555111, "desc": "Директор", "phone": "+7 383 000-00-00"}],
         "cover": {"enabled": 1}, "addresses": {"is_enabled": True}},
        {"id": 202, "name": "ГБУЗ НСО «Бердская ЦГБ»", "screen_name": "club202", "is_closed": 0, "type": "page",
         "members_count": 830},
        {"id": 303, "name": "Ордынская библиотека", "screen_name": "ordynsk_lib", "is_closed": 0, "type": "group",
         "members_count": 300},
        {"id": 404, "name": "DELETED", "screen_name": "club404", "deactivated": "deleted", "type": "group"},
    ]
    (vk / "groups" / "getById-2024-03-01.json").write_text(json.dumps(_envelope(
        "groups.getById", {"group_ids": "101,202,303,404"}, {"groups": groups, "profiles": []}), ensure_ascii=False),
        encoding="utf-8")
    wall = vk / "walls" / "101"
    wall.mkdir(parents=True)
    posts = [
        _post(52, 1709100000, "Реклама партнёра", ads=1),
        _post(70, 1709050000, "Когда починят крышу спортзала? [id777005|Мария]", from_id=777005, comments=2),
        _post(51, 1709000000, "Итоги олимпиады"),
        _post(50, 1708900000, "Родительское собрание", comments=3),
    ]
    (wall / "wall.get.jsonl").write_text(json.dumps(_envelope(
        "wall.get", {"owner_id": -101, "offset": 0, "count": 100}, {"count": len(posts), "items": posts}),
        ensure_ascii=False) + "\n", encoding="utf-8")
    on_post = [
        _comment(900, 50, 777001, 1708901000, "Во сколько собрание?", thread={"count": 1, "items": [
            _comment(901, 50, -101, 1708904600, "В 18:00", parents_stack=[900], reply_to_comment=900,
                     reply_to_user=777001)]}),
        _comment(904, 50, -OTHER_COMMUNITY, 1708905000, "Приглашаем на наш концерт!", thread={"count": 0, "items": []}),
    ]
    on_wall_post = [
        _comment(950, 70, -101, 1709060000, "Ремонт начнётся в апреле", thread={"count": 1, "items": [
            _comment(951, 70, 777005, 1709061000, "Спасибо", parents_stack=[950], reply_to_comment=950)]}),
    ]
    lines = [_envelope("wall.getComments", {"owner_id": -101, "post_id": 50, "offset": 0, "count": 100},
                       {"count": 3, "current_level_count": 2, "items": on_post, "can_post": True}),
             _envelope("wall.getComments", {"owner_id": -101, "post_id": 70, "offset": 0, "count": 100},
                       {"count": 2, "current_level_count": 1, "items": on_wall_post, "can_post": True})]
    (wall / "wall.getComments.jsonl").write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines),
                                                 encoding="utf-8")
    saved = vk / "saved"
    saved.mkdir()
    (saved / "users.get.json").write_text(json.dumps({"response": [
        {"id": 777123, "first_name": "Иван", "last_name": "Петров", "screen_name": "ivan_petrov",
         "can_access_closed": True, "is_closed": False}]}, ensure_ascii=False), encoding="utf-8")
    (saved / "groups.getMembers.json").write_text(json.dumps({"response": {"count": 3, "items": [777201, 777202,
                                                                                                 777203]}}),
                                                  encoding="utf-8")
    return vk


def _monitoring_rows(members: int) -> list[list]:
    school = ["Муниципальный", "Администрация Болотнинского района Новосибирской области", "МБОУ Болотнинская СОШ № 1",
              None, "1025400000001", "Образование", None, None, "Ведется", 101, "https://vk.com/club101", None, "да",
              "да", "85%", 2, "100%", members, 5400, 310]
    hospital = ["Региональный", "Министерство здравоохранения Новосибирской области", "ГБУЗ НСО «Бердская ЦГБ»", None,
                "1025400000002", "Здравоохранение", None, None, "Ведется", None, "m.vk.com/public202",
                "г. Бердск, ул. Ленина, 1", "нет", "нет", "70 %", 1, "66,7", 830, None, 95]
    library = ["Муниципальный", "Администрация Ордынского района", "МКУК «Ордынская библиотека»", None, None,
               "Культура", None, None, "Ведется", None, "vk.com/ordynsk_lib", None, "да", None, "50", 0, "0", 300, 100,
               12]
    no_page = ["Муниципальный", "Администрация Кыштовского района", "МКОУ Кыштовская ООШ",
               "ч. 1 ст. 10 Федерального закона № 8-ФЗ: нет доступа к сети Интернет", None, "Образование", None, None,
               "Не ведется", None, None, None, None, None, None, None, None, None, None, None]
    totals = [None, None, "Итого", None, None, None, None, None, None, None, None, None, None, None, None, None, None,
              members + 830 + 300, 5500, None]
    return [school, hospital, library, no_page, totals]


def _xlsx(path: Path, rows: list[list]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Мониторинг"
    sheet.append(["Мониторинг официальных страниц"])
    sheet.append(MONITORING_HEADERS)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def write_legacy_xls(path: Path, rows: list[list], percent_cells: dict[tuple[int, int], float] | None = None) -> Path:
    """A real BIFF8 .xls (as Excel 97-2003 saves it), written with xlwt; `percent_cells` (row, column) get
    a number with the «0%» format, as in the real export."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Мониторинг")
    sheet.write(0, 0, "Мониторинг официальных страниц")
    for c, header in enumerate(MONITORING_HEADERS):
        sheet.write(1, c, header)
    percent = xlwt.easyxf(num_format_str="0%")
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row):
            if (r, c) in (percent_cells or {}):
                sheet.write(r, c, percent_cells[(r, c)], percent)
            elif value is not None:
                sheet.write(r, c, value)
    book.save(str(path))
    return path


def write_monitoring(root: Path) -> list[Path]:
    folder = root / "monitoring"
    folder.mkdir()
    files = [_xlsx(folder / "monitoring_2024-03-04.xlsx", _monitoring_rows(1520))]
    misnamed = _xlsx(folder / "week2.xlsx", _monitoring_rows(1540))
    files.append(misnamed.rename(folder / "monitoring_2024-03-11.xls"))
    rows = _monitoring_rows(1560)
    rows[0][14] = None  # written below as 0.85 with the «0%» format
    files.append(write_legacy_xls(folder / "monitoring_2024-03-18.xls", rows, {(2, 14): 0.85}))
    return files


def write_awards(root: Path) -> Path:
    text = ("Наименование;Ссылка на госпаблик ВК;Номинация\r\n"
            "МБОУ Болотнинская СОШ № 1;https://vk.com/bolotnoe_school1;Образование\r\n"
            "ГБУЗ НСО «Бердская ЦГБ»;vk.com/club202;Здравоохранение\r\n"
            "ГБУЗ НСО «Бердская ЦГБ» (повтор);public202;Здравоохранение\r\n"
            "МКУК «Ордынская библиотека»;vk.com/ordynsk_lib;Культура\r\n")
    path = root / "awards_2023.csv"
    path.write_bytes(text.encode("cp1251"))
    return path


def write_telegram(root: Path) -> Path:
    folder = root / "telegram"
    folder.mkdir()
    channel = {"name": "Администрация Болотнинского района", "type": "public_channel", "id": 1876543210, "messages": [
        {"id": 1, "type": "service", "date": "2023-01-10T09:00:00", "date_unixtime": "1673316000",
         "actor": "Администрация Болотнинского района", "actor_id": "channel1876543210", "action": "create_channel",
         "text": ""},
        {"id": 2, "type": "message", "date": "2023-01-10T10:15:00", "date_unixtime": "1673320500",
         "from": "Администрация Болотнинского района", "from_id": "channel1876543210", "text": "Добро пожаловать!",
         "reactions": [{"type": "emoji", "count": 2, "emoji": "👍",
                        "recent": [{"from": "Иван Петров", "from_id": "user777002", "date": "2023-01-10T11:00:00"}]}]},
        {"id": 3, "type": "message", "date": "not a date", "from_id": "user777002", "text": "битая запись"},
    ]}
    path = folder / "result.json"
    path.write_text(json.dumps(channel, ensure_ascii=False), encoding="utf-8")
    return path


def build(root: Path | str) -> dict:
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    return {"vk": write_vk(root), "monitoring": write_monitoring(root), "awards": write_awards(root),
            "telegram": write_telegram(root)}


# --- the figures ---------------------------------------------------------------------------------

def _run(step: str, work) -> dict:
    try:
        report = work()
    except Exception as exc:  # the old code fails on some of these files: that is a figure too
        return {"step": step, "error": f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}"}
    return {"step": step, "records": report.as_dict()["records"], "failed": len(report.failed_files),
            "resolved": dict(getattr(report, "resolved", {}))}


def leaks(out: Path) -> list[str]:
    """Output files (tables, quarantine, report, manifest) in which a user id appears in clear."""
    import pandas as pd

    found = []
    for file in sorted(out.iterdir()):
        if file.suffix == ".parquet":
            frame = pd.read_parquet(file)  # a test script, not the package: it may read the files
            text = frame.astype(str).to_csv()
        else:
            text = file.read_text(encoding="utf-8", errors="replace")
        found += [f"{file.name}: {uid}" for uid in USER_IDS if str(uid) in text]
    return found


def figures(root: Path) -> dict:
    from gospub_analysis.importers.awards import import_awards
    from gospub_analysis.importers.monitoring import import_monitoring
    from gospub_analysis.importers.telegram import import_telegram
    from gospub_analysis.importers.vk import import_vk

    paths = build(root / "in")
    out = root / "dataset"
    steps = [
        _run("monitoring", lambda: import_monitoring(paths["monitoring"], out, skip_bad_files=True)),
        _run("vk", lambda: import_vk(paths["vk"], out, skip_bad_files=True)),
        _run("telegram", lambda: import_telegram([paths["telegram"]], out, skip_bad_files=True)),
        _run("awards", lambda: import_awards(paths["awards"], out, year=2023)),
        _run("awards again", lambda: import_awards(paths["awards"], out, year=2023)),
    ]
    from gospub_analysis.dataset import load_dataset

    ds = load_dataset(out)
    rows = {name: len(frame) for name, frame in ds.tables.items()}
    comms = ds.communities.set_index("community_id")
    return {"steps": steps, "dataset_rows": rows, "leaks": leaks(out),
            "quarantine": sorted(f"{r.record_type}: {r.reason[:90]}" for r in ds.quarantine.itertuples()),
            "library_linked": bool("vk:303" in comms.index and pd_notna(comms.loc["vk:303", "org_id"])),
            "organisations": sorted(ds.organizations["name"])}


def pd_notna(value) -> bool:
    import pandas as pd

    return bool(pd.notna(value))


def main() -> int:
    import os

    os.environ.setdefault("GOSPUB_PSEUDONYM_KEY", "mixed-fixture-key")
    with tempfile.TemporaryDirectory(prefix="mixed_") as tmp:
        result = figures(Path(tmp))
    for step in result["steps"]:
        if "error" in step:
            print(f"{step['step']:<13} FAILED: {step['error']}")
            continue
        parts = [f"{rtype} {c['read']}/{c['imported']}/{c['duplicates']}/{c['skipped']}/{c['quarantined']}"
                 for rtype, c in step["records"].items()]
        print(f"{step['step']:<13} read/imported/merged/skipped/set aside: " + "; ".join(parts)
              + (f"; files failed {step['failed']}" if step["failed"] else "")
              + (f"; set aside earlier, joined now: {step['resolved']}" if step["resolved"] else ""))
    print("dataset rows:", result["dataset_rows"])
    print("organisations:", result["organisations"])
    print("library page linked to its organisation:", result["library_linked"])
    print("quarantine:")
    for line in result["quarantine"]:
        print("   ", line)
    print("user ids in clear:", result["leaks"] or "none")
    return 0


if __name__ == "__main__":
    sys.exit(main())
