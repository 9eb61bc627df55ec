"""The monitoring export's ok.ru links become OK pages of their organisations (hand-written workbook)."""

from __future__ import annotations

import pandas as pd
import pytest

from gospub_analysis.dataset import load_dataset
from gospub_analysis.importers.links import parse_ok_link, parse_vk_link
from gospub_analysis.importers.monitoring import import_monitoring
from gospub_analysis.importers.ok import import_ok
from gospub_analysis.importers.pseudonym import Pseudonymizer

from mixed_fixture import _xlsx  # noqa: E402  (tests/ is on sys.path under pytest)
from ok_fixture import write_dump  # noqa: E402


@pytest.fixture(autouse=True)
def pseudonym_key(monkeypatch):
    monkeypatch.setenv("GOSPUB_PSEUDONYM_KEY", "monitoring-ok-key")


def _row(name: str, ogrn: str, link: str, members: int, page_id=None) -> list:
    return ["Муниципальный", "Администрация Ордынского района", name, None, ogrn, "Образование", None, None,
            "Ведется", page_id, link, None, "да", "да", "80%", 1, "100%", members, 900, 45]


ROWS = [_row("МБОУ Ордынская СОШ № 1", "1025400000011", "https://vk.com/club101", 700, 101),
        _row("МБОУ Ордынская СОШ № 2", "1025400000012", "https://ok.ru/group/53038939046008/topic/1", 410),
        _row("МБОУ СОШ № 5", "1025400000015", "m.ok.ru/school5", 640),
        _row("МБОУ Ордынская СОШ № 3", "1025400000013", "https://ok.ru/profile/577000123", 20)]


@pytest.mark.parametrize("link, expected", [
    ("https://ok.ru/group/53038939046008", ("53038939046008", None)), ("ok.ru/group53038939046008", ("53038939046008", None)),
    ("m.ok.ru/group/5001/topic/77", ("5001", None)), ("https://www.ok.ru/School5/", (None, "school5")),
    ("odnoklassniki.ru/school5?st.cmd=x", (None, "school5")), ("ok.ru/profile/577000123", None),
    ("https://vk.com/club101", None)])
def test_ok_link_forms(link, expected):
    page = parse_ok_link(link)
    assert (page.group_id, page.shortname) == expected if expected else page is None
    assert (parse_vk_link(link) is None) == ("vk.com" not in link)  # never read as a VK page


def test_ok_links_are_ok_pages_of_their_organisations(tmp_path):
    out = tmp_path / "ds"
    report = import_monitoring([_xlsx(tmp_path / "monitoring_2024-03-04.xlsx", ROWS)], out)
    assert report.unbalanced() == {}
    ds = load_dataset(out)
    comms = ds.communities.set_index("community_id")
    assert sorted(comms.index) == ["ok:53038939046008", "vk:101"]
    ok = comms.loc["ok:53038939046008"]
    assert (ok["platform"], ok["platform_id"], ok["org_id"]) == ("ok", "53038939046008", "org:1025400000012")
    snap = ds.snapshots.set_index("community_id").loc["ok:53038939046008"]
    assert snap["members_count"] == 410 and snap["source"] == "monitoring"
    q = ds.quarantine.set_index("position")
    waiting = q.loc["sheet «Мониторинг», row 5"]
    assert waiting["waits_for"] == "page_id" and "ok.ru/school5" in waiting["reason"]
    profile = q.loc["sheet «Мониторинг», row 6"]
    assert "neither a VK nor an OK page address" in profile["reason"] and pd.isna(profile["waits_for"])
    # the OK dump names school5 (group 5001): the waiting row joins as that OK page of its organisation
    report = import_ok(write_dump(tmp_path / "dump"), out, pseudonymize=Pseudonymizer(b"k"))
    assert report.resolved["page"] == 1
    ds = load_dataset(out)
    page = ds.communities.set_index("community_id").loc["ok:5001"]
    assert page["org_id"] == "org:1025400000015" and page["name"] == "МБОУ СОШ № 5"
    snaps = ds.snapshots.set_index(["community_id", "as_of"])
    assert snaps.loc[("ok:5001", "2024-03-04"), "members_count"] == 640  # the export's own figure
    assert snaps.loc[("ok:5001", "2024-03-01"), "source"] == "ok_api"
    assert "page_id" not in set(ds.quarantine["waits_for"].dropna())
