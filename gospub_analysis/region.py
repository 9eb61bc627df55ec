"""Reference data about the region: municipalities, populations, sectors, time zone.

This module owns the facts that every other module looks up by name: the 35
municipalities of Novosibirsk oblast (with a population figure for per-capita rates),
the project's sector vocabulary with Russian labels, and the region's time zone.

Population figures: Novosibirsk city, Бердск, Искитим, Обь, Кольцово and the bounds of
the rural districts (Усть-Таркский about 11 thousand, Искитимский about 67 thousand) are
the figures given in the project's domain notes (shared/domain.md). The other districts
are approximate values rounded to 500 and kept inside those bounds; they are meant for
per-1,000-inhabitant rates in internal analysis. Replace them with the current Росстат
estimate before publishing per-capita figures.
"""

from __future__ import annotations

from dataclasses import dataclass

REGION_NAME = "Новосибирская область"
REGION_CODE = "NSO"
TIMEZONE = "Asia/Novosibirsk"
LAW_START = "2022-12-01"  # 270-ФЗ: official pages mandatory from 1 December 2022

POPULATION_SOURCE = (
    "shared/domain.md for the five urban okrugs and the bounds of rural districts; "
    "other districts approximate (rounded to 500), see gospub_analysis.region"
)

UNKNOWN_MUNICIPALITY = "не определено"
UNKNOWN_SECTOR = "не определена"  # growth tables: pages whose organisation (and so sector) is unknown

# The award code of the region's quality mark in the `awards` table.
QUALITY_MARK = "quality_mark"


@dataclass(frozen=True)
class Municipality:
    name: str
    kind: str  # "urban_okrug" or "district"
    population: int
    slug: str  # Latin, used for synthetic screen names and file names
    genitive: str  # "Болотнинского района", "г. Бердска": founders' and page names
    adjective: str  # "Болотнинская", "Бердская": hospital names and the like


def _district(name: str, population: int, slug: str) -> Municipality:
    stem = name[:-2]
    return Municipality(
        name=name,
        kind="district",
        population=population,
        slug=slug,
        genitive=f"{stem}ого района",
        adjective=f"{stem}ая",
    )


MUNICIPALITIES: tuple[Municipality, ...] = (
    Municipality("г. Новосибирск", "urban_okrug", 1_630_000, "novosibirsk", "г. Новосибирска", "Новосибирская"),
    Municipality("г. Бердск", "urban_okrug", 97_000, "berdsk", "г. Бердска", "Бердская"),
    Municipality("г. Искитим", "urban_okrug", 64_000, "iskitim", "г. Искитима", "Искитимская городская"),
    Municipality("г. Обь", "urban_okrug", 26_000, "ob", "г. Оби", "Обская"),
    Municipality("р.п. Кольцово", "urban_okrug", 11_000, "koltsovo", "р.п. Кольцово", "Кольцовская"),
    _district("Баганский", 15_000, "bagan"),
    _district("Барабинский", 43_000, "barabinsk"),
    _district("Болотнинский", 24_000, "bolotnoe"),
    _district("Венгеровский", 13_000, "vengerovo"),
    _district("Доволенский", 11_500, "dovolnoe"),
    _district("Здвинский", 13_500, "zdvinsk"),
    _district("Искитимский", 67_000, "iskitimsky"),
    _district("Карасукский", 42_000, "karasuk"),
    _district("Каргатский", 15_500, "kargat"),
    _district("Колыванский", 23_500, "kolyvan"),
    _district("Коченёвский", 42_000, "kochenevo"),
    _district("Кочковский", 12_500, "kochki"),
    _district("Краснозёрский", 24_000, "krasnozerskoe"),
    _district("Куйбышевский", 43_000, "kuibyshev"),
    _district("Купинский", 25_000, "kupino"),
    _district("Кыштовский", 11_500, "kyshtovka"),
    _district("Маслянинский", 24_000, "maslyanino"),
    _district("Мошковский", 40_000, "moshkovo"),
    _district("Новосибирский", 66_500, "novosibirsky"),
    _district("Ордынский", 33_000, "ordynskoe"),
    _district("Северный", 11_500, "severnoe"),
    _district("Сузунский", 31_000, "suzun"),
    _district("Татарский", 38_000, "tatarsk"),
    _district("Тогучинский", 55_000, "toguchin"),
    _district("Убинский", 14_000, "ubinskoe"),
    _district("Усть-Таркский", 11_000, "ust_tarka"),
    _district("Чановский", 23_000, "chany"),
    _district("Черепановский", 41_000, "cherepanovo"),
    _district("Чистоозёрный", 16_000, "chistoozernoe"),
    _district("Чулымский", 22_500, "chulym"),
)

MUNICIPALITY_NAMES: tuple[str, ...] = tuple(m.name for m in MUNICIPALITIES)
MUNICIPALITY_BY_NAME: dict[str, Municipality] = {m.name: m for m in MUNICIPALITIES}

SECTORS: dict[str, str] = {
    "education": "Образование",
    "culture": "Культура",
    "health": "Здравоохранение",
    "sport": "Спорт",
    "social": "Социальная сфера",
    "government": "Органы власти",
    "municipal_admin": "Администрации МО",
    "other": "Прочее",
}
# Sectors whose institutions the region awarded the quality mark for 2023.
AWARD_SECTORS: tuple[str, ...] = ("education", "culture", "health", "sport", "social")

LEVELS: dict[str, str] = {"regional": "Региональный", "municipal": "Муниципальный"}
PLATFORMS: dict[str, str] = {"vk": "ВКонтакте", "ok": "Одноклассники", "telegram": "Telegram"}


def population_table():
    """Municipalities as a DataFrame: name, kind, population, and the figures' source."""
    import pandas as pd

    return pd.DataFrame(
        {
            "municipality": [m.name for m in MUNICIPALITIES],
            "kind": [m.kind for m in MUNICIPALITIES],
            "population": [m.population for m in MUNICIPALITIES],
        }
    ).assign(population_source=POPULATION_SOURCE)


def municipality_named(name: str) -> Municipality:
    """The municipality of that name; a ValueError listing the known names otherwise."""
    if name not in MUNICIPALITY_BY_NAME:
        raise ValueError(f"unknown municipality {name!r}; known: {', '.join(MUNICIPALITY_NAMES)}")
    return MUNICIPALITY_BY_NAME[name]
