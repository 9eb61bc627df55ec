"""Plausible Russian names of institutions, their founders, VK screen names and ОГРН.

Everything here is invented: names follow the patterns of real institutions
(«МБОУ СОШ № 12 г. Бердска», «МКУК «Берёзовский СДК»», «ГБУЗ НСО «Болотнинская ЦРБ»»)
without copying any real list.
"""

from __future__ import annotations

import numpy as np

from ..region import Municipality

# Feminine adjectives of invented villages; masculine and genitive forms are derived.
VILLAGES = (
    "Берёзовская", "Никольская", "Михайловская", "Александровская", "Ивановская", "Покровская",
    "Петропавловская", "Сосновская", "Круглоозёрная", "Новоникольская", "Заречная", "Озёрная",
    "Знаменская", "Лебедёвская", "Вознесенская", "Богородская", "Успенская", "Каменская",
    "Луговская", "Степная", "Кедровская", "Ракитинская", "Прибрежная", "Ключевская", "Троицкая",
    "Ильинская", "Дмитриевская", "Верх-Ирменская", "Нижнекаменская", "Весёловская", "Майская",
    "Октябрьская", "Светлая", "Рождественская", "Казанская", "Боровая", "Лесная", "Полтавская",
    "Орловская", "Ягодная", "Черёмуховская", "Рябиновская", "Таловская", "Мирная", "Зелёная",
)
KINDERGARTENS = ("Солнышко", "Колокольчик", "Ромашка", "Теремок", "Радуга", "Золотой ключик",
                 "Алёнушка", "Родничок", "Сказка", "Берёзка", "Светлячок", "Улыбка")
MINISTRIES = (
    "Министерство образования Новосибирской области",
    "Министерство культуры Новосибирской области",
    "Министерство здравоохранения Новосибирской области",
    "Министерство физической культуры и спорта Новосибирской области",
    "Министерство труда и социального развития Новосибирской области",
    "Министерство цифрового развития и связи Новосибирской области",
    "Министерство ЖКХ и энергетики Новосибирской области",
    "Министерство строительства Новосибирской области",
    "Министерство сельского хозяйства Новосибирской области",
    "Министерство природных ресурсов и экологии Новосибирской области",
    "Министерство экономического развития Новосибирской области",
    "Министерство транспорта и дорожного хозяйства Новосибирской области",
    "Управление по делам ЗАГС Новосибирской области",
    "Государственная жилищная инспекция Новосибирской области",
    "Департамент информационной политики администрации Губернатора Новосибирской области",
)
REGIONAL_FOUNDERS = {
    "education": "Министерство образования Новосибирской области",
    "culture": "Министерство культуры Новосибирской области",
    "health": "Министерство здравоохранения Новосибирской области",
    "sport": "Министерство физической культуры и спорта Новосибирской области",
    "social": "Министерство труда и социального развития Новосибирской области",
    "other": "Правительство Новосибирской области",
    "government": "Правительство Новосибирской области",
}
NO_PAGE_REASONS = (
    "Учреждение находится в стадии ликвидации",
    "Реорганизация в форме присоединения",
    "Отсутствует доступ к сети Интернет",
    "Информация размещается на странице учредителя",
    "Деятельность учреждения приостановлена",
)

_TRANSLIT = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s",
     "t", "u", "f", "kh", "ts", "ch", "sh", "sch", "", "y", "", "e", "yu", "ya"],
))


def translit(text: str) -> str:
    """Lower-case Latin transliteration for screen names ('Берёзовская' -> 'berezovskaya')."""
    out = "".join(_TRANSLIT.get(ch, ch if ch.isascii() and ch.isalnum() else "_") for ch in text.lower())
    return "_".join(part for part in out.split("_") if part)


def masculine(feminine: str) -> str:
    stem = feminine[:-2]
    return stem + ("ий" if stem[-1] in "кгхжшчщ" else "ый")


def genitive(feminine: str) -> str:
    return feminine[:-2] + "ого"


def ogrn(rng: np.random.Generator, n: int) -> list[str]:
    """Invented ОГРН numbers of NSO legal entities with a correct check digit."""
    years = rng.integers(2, 23, size=n)
    serials = rng.integers(0, 10_000_000, size=n)
    out = []
    for year, serial in zip(years, serials):
        body = f"1{year:02d}54{rng.integers(0, 10)}{serial:07d}"[:12]
        out.append(body + str(int(body) % 11 % 10))
    return out


def institution_name(rng: np.random.Generator, sector: str, level: str, muni: Municipality, serial: int,
                     village_offset: int = 0) -> tuple[str, str, str]:
    """(name, founder, screen-name stem) of one invented institution.

    Villages follow the serial number from a per-municipality offset, so that two
    institutions of one sector in one district do not share a village name.
    """
    city = muni.kind == "urban_okrug"
    village = VILLAGES[(village_offset + serial) % len(VILLAGES)]
    # Past the list of villages, a number keeps names apart («Озёрная СОШ № 2»).
    nth = f" № {serial // len(VILLAGES) + 1}" if serial >= len(VILLAGES) else ""
    place = translit(village[:-2]) if not city else muni.slug
    admin = f"Администрация {muni.genitive}"
    founder = REGIONAL_FOUNDERS.get(sector, admin) if level == "regional" else admin
    if sector == "education":
        if level == "regional":
            return (f"ГБПОУ НСО «{muni.adjective.replace('ая', 'ий')} колледж № {serial}»", founder, f"college{serial}_{muni.slug}")
        pick = rng.random()
        if pick < 0.45:
            return ((f"МБОУ СОШ № {serial} {muni.genitive}" if city else f"МКОУ «{village} СОШ{nth}»"), founder,
                    f"school{serial}_{place}")
        if pick < 0.8:
            garden = KINDERGARTENS[rng.integers(len(KINDERGARTENS))]
            return (f"МБДОУ детский сад № {serial} «{garden}»", founder, f"ds{serial}_{place}")
        if pick < 0.9:
            return (f"МКОУ «{village} ООШ{nth}»", founder, f"oosh_{place}{serial}")
        return (f"МБУ ДО «Дом детского творчества № {serial}» {muni.genitive}", founder, f"ddt_{muni.slug}{serial}")
    if sector == "culture":
        pick = rng.random()
        if level == "regional":
            return (f"ГАУК НСО «Областной центр народного творчества», филиал № {serial}", founder, f"ocnt{serial}")
        if pick < 0.5 and not city:
            return (f"МКУК «{masculine(village)} СДК{nth}»", founder, f"sdk_{place}{serial}")
        if pick < 0.7:
            return (f"МКУК «КДЦ {muni.genitive}» № {serial}", founder, f"kdc{serial}_{muni.slug}")
        if pick < 0.85:
            return (f"МБУК «Библиотека № {serial}» {muni.genitive}", founder, f"library{serial}_{muni.slug}")
        return (f"МБУ ДО «Детская школа искусств № {serial}» {muni.genitive}", founder, f"dshi{serial}_{muni.slug}")
    if sector == "health":
        if not city and serial == 1:
            return (f"ГБУЗ НСО «{muni.adjective} ЦРБ»", founder, f"crb_{muni.slug}")
        kind = ("Городская поликлиника", "Городская клиническая больница", "Стоматологическая поликлиника")[rng.integers(3)]
        return (f"ГБУЗ НСО «{kind} № {serial}»" + ("" if city else f" ({muni.name} район)"), founder, f"gbuz{serial}_{muni.slug}")
    if sector == "sport":
        return (f"{'ГАУ НСО' if level == 'regional' else 'МБУ'} «Спортивная школа № {serial}» {muni.genitive}", founder,
                f"sport{serial}_{muni.slug}")
    if sector == "social":
        if level == "regional":
            return (f"ГАУ НСО «КЦСОН {muni.genitive}» № {serial}", founder, f"kcson{serial}_{muni.slug}")
        return (f"МБУ «Центр помощи семье и детям {muni.genitive}» № {serial}", founder, f"cpsd{serial}_{muni.slug}")
    if sector == "municipal_admin":
        if serial == 1:
            return (f"Администрация {muni.genitive}", "Совет депутатов", f"admin_{muni.slug}")
        return (f"Администрация {genitive(village)} сельсовета{nth} {muni.genitive}", admin, f"adm_{place}{serial}")
    if sector == "government":
        name = MINISTRIES[serial % len(MINISTRIES)] + ("" if serial < len(MINISTRIES) else f" (отдел {serial})")
        return name, "Правительство Новосибирской области", f"gov_nso{serial}"
    kind = ("МКУ «ЕДДС", "МБУ «Молодёжный центр", "МКУ «Управление образования")[rng.integers(3)]
    return (f"{kind} {muni.genitive}» № {serial}", founder, f"mku{serial}_{muni.slug}")
