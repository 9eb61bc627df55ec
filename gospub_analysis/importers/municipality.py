"""Find an organisation's municipality from its founder's name or its page address.

Tried in order, first on the founder («Администрация Болотнинского района», «Управление
образования г. Бердска»), then on the page address: a district named with «район» in any
case form; an urban okrug with a settlement marker («г. Бердск», «города Оби»,
«р.п. Кольцово»); a district centre with a marker («г. Болотное», «р.п. Колывань»); an
urban okrug's bare name. Nothing found gives `region.UNKNOWN_MUNICIPALITY`.
"""

from __future__ import annotations

import re

from ..region import MUNICIPALITIES, UNKNOWN_MUNICIPALITY

# Administrative centres of the districts (the two whose centre is an urban okrug left out).
DISTRICT_CENTRES: dict[str, str] = {
    "Баганский": "Баган", "Барабинский": "Барабинск", "Болотнинский": "Болотное",
    "Венгеровский": "Венгерово", "Доволенский": "Довольное", "Здвинский": "Здвинск",
    "Карасукский": "Карасук", "Каргатский": "Каргат", "Колыванский": "Колывань",
    "Коченёвский": "Коченёво", "Кочковский": "Кочки", "Краснозёрский": "Краснозёрское",
    "Куйбышевский": "Куйбышев", "Купинский": "Купино", "Кыштовский": "Кыштовка",
    "Маслянинский": "Маслянино", "Мошковский": "Мошково", "Ордынский": "Ордынское",
    "Северный": "Северное", "Сузунский": "Сузун", "Татарский": "Татарск",
    "Тогучинский": "Тогучин", "Убинский": "Убинское", "Усть-Таркский": "Усть-Тарка",
    "Чановский": "Чаны", "Черепановский": "Черепаново", "Чистоозёрный": "Чистоозёрное",
    "Чулымский": "Чулым",
}
_MARKER = r"(?:г\.?|гор\.|город[а-я]*|с\.|село|р\.?\s?п\.?|рабоч[а-я]+\s+пос[а-я.]*|пгт\.?|п\.|наукоград[а-я]*)\s*"
_CITY_STEMS = {  # urban okrug -> (stem regex, allowed bare without a marker)
    "г. Новосибирск": (r"новосибирск(?:а|е|у|ом)?", True),
    "г. Бердск": (r"бердск(?:а|е|у|ом)?", True),
    "г. Искитим": (r"искитим(?:а|е|у|ом)?", True),
    "г. Обь": (r"(?:обь|оби|обью)", False),
    "р.п. Кольцово": (r"кольцово", True),
}


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower().replace("ё", "е"))


def _district_pattern(name: str) -> str:
    stem = _norm(name)[:-2]
    return stem + r"(?:ий|ый|ого|ому|ом|им|ым|ая|ой)\s+(?:муниципальн[а-я]+\s+)?район"


_RULES: list[tuple[re.Pattern, str]] = (
    [(re.compile(r"(?<![а-я])" + _district_pattern(m.name)), m.name) for m in MUNICIPALITIES if m.kind == "district"]
    + [(re.compile(r"(?<![а-я])" + _MARKER + stem + r"(?![а-я])"), name) for name, (stem, _) in _CITY_STEMS.items()]
    + [(re.compile(r"(?<![а-я])" + _MARKER + _norm(centre) + r"(?![а-я])"), name) for name, centre in DISTRICT_CENTRES.items()]
    + [(re.compile(r"(?<![а-я])" + stem + r"(?![а-я])"), name) for name, (stem, bare) in _CITY_STEMS.items() if bare]
)


def find_municipality(*texts: object) -> str:
    """The municipality named in the first text that names one, else UNKNOWN_MUNICIPALITY."""
    for text in texts:
        if text is None or not isinstance(text, str) or not text.strip():
            continue
        norm = _norm(text)
        for pattern, name in _RULES:
            if pattern.search(norm):
                return name
    return UNKNOWN_MUNICIPALITY
