"""How the monitoring export's «Сфера» values map to the project's sectors.

The export writes the sphere in free words; `SPHERE_TO_SECTOR` is the documented table
(keys are compared lower-cased, with ё read as е and runs of spaces collapsed). A value
the table does not know maps to "other" and is listed in the import report so the table
can be extended. `Сфера 1` decides; `Сфера 2` and `Сфера 3` are used when it is blank or
unknown.

| Сфера in the export                                        | sector           |
|------------------------------------------------------------|------------------|
| Образование, Общее/Дополнительное/Дошкольное образование   | education        |
| Наука и образование, Профессиональное образование          | education        |
| Культура, Культура и искусство, Туризм и культура          | culture          |
| Здравоохранение, Медицина                                  | health           |
| Спорт, Физическая культура и спорт, Физкультура и спорт    | sport            |
| Социальная сфера / защита / политика / поддержка,          | social           |
| Труд и социальная защита, Молодежная политика              | social           |
| Органы власти, Органы государственной власти, ОИВ          | government       |
| Органы местного самоуправления, ОМСУ, Администрации МО     | municipal_admin  |
| ЖКХ, Транспорт, Сельское хозяйство, Экономика, Прочее ...  | other            |
"""

from __future__ import annotations

import re

SPHERE_TO_SECTOR: dict[str, str] = {
    "образование": "education",
    "общее образование": "education",
    "дошкольное образование": "education",
    "дополнительное образование": "education",
    "профессиональное образование": "education",
    "наука и образование": "education",
    "образование и наука": "education",
    "культура": "culture",
    "культура и искусство": "culture",
    "туризм и культура": "culture",
    "здравоохранение": "health",
    "медицина": "health",
    "спорт": "sport",
    "физическая культура и спорт": "sport",
    "физкультура и спорт": "sport",
    "социальная сфера": "social",
    "социальная защита": "social",
    "социальная политика": "social",
    "социальная поддержка": "social",
    "социальное обслуживание": "social",
    "труд и социальная защита": "social",
    "молодежная политика": "social",
    "органы власти": "government",
    "органы государственной власти": "government",
    "оив": "government",
    "органы местного самоуправления": "municipal_admin",
    "омсу": "municipal_admin",
    "администрации мо": "municipal_admin",
    "администрация": "municipal_admin",
    "жкх": "other",
    "жилищно-коммунальное хозяйство": "other",
    "транспорт": "other",
    "сельское хозяйство": "other",
    "экономика": "other",
    "безопасность": "other",
    "прочее": "other",
    "другое": "other",
}


def normalise_sphere(value: object) -> str:
    if value is None:
        return ""
    text = str(value).strip().lower().replace("ё", "е")
    return re.sub(r"\s+", " ", text)


def sector_of(spheres: list[object]) -> tuple[str, list[str]]:
    """(sector, unknown sphere values) for the row's Сфера 1..3 cells, in order."""
    unknown: list[str] = []
    for value in spheres:
        key = normalise_sphere(value)
        if not key or key == "nan":
            continue
        if key in SPHERE_TO_SECTOR:
            return SPHERE_TO_SECTOR[key], unknown
        unknown.append(str(value).strip())
    return "other", unknown
