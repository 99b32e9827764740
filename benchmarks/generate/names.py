"""Kazakh names in Cyrillic with their passport-style Latin spelling, and the key cache.

Surnames are stems ("Нұрлан" -> Нұрланов / Нұрланова / Нұрланұлы / Нұрланқызы); the Latin form
follows the transliteration printed in Kazakh passports (Ә->A, Қ->K, Ң->N, Ө->O, Ұ/Ү->U, І->I,
Ж->ZH, Ш->SH, Х->KH, Ы->Y, Й->I), which is what foreign documents of repatriates carry.
"""

from __future__ import annotations

from functools import cache

from core.translit import name_key

# Stems of common Kazakh surnames (a father's or grandfather's given name).
SURNAME_STEMS = [
    "Абай",
    "Абдулла",
    "Әбіл",
    "Әбдіқадыр",
    "Ақан",
    "Ақмолда",
    "Алдаберген",
    "Әлімжан",
    "Аманжол",
    "Амангелді",
    "Асан",
    "Асқар",
    "Әубәкір",
    "Ахмет",
    "Әуезхан",
    "Байжан",
    "Байқадам",
    "Балтабай",
    "Бақыт",
    "Бейсен",
    "Бекет",
    "Бекмұхамед",
    "Болат",
    "Бөкей",
    "Ғабит",
    "Ғалым",
    "Дәулет",
    "Дархан",
    "Дүйсен",
    "Ерғали",
    "Ережеп",
    "Ерлан",
    "Ермек",
    "Есен",
    "Есім",
    "Жақсыбек",
    "Жамбыл",
    "Жанбырбай",
    "Жандос",
    "Жантөре",
    "Жұмабай",
    "Жүсіп",
    "Ибрай",
    "Ізбасар",
    "Исабек",
    "Кәрім",
    "Қайрат",
    "Қалиақбар",
    "Қасым",
    "Қожахмет",
    "Құдайберген",
    "Құрманғали",
    "Майлыбай",
    "Мақсат",
    "Мұқан",
    "Мұрат",
    "Мұхтар",
    "Мырзахмет",
    "Нұрғали",
    "Нұрлан",
    "Нұрмұхамед",
    "Оспан",
    "Өмірзақ",
    "Оразбай",
    "Орынбасар",
    "Рахым",
    "Сағындық",
    "Сәрсен",
    "Сейіт",
    "Серік",
    "Сұлтан",
    "Сыздық",
    "Талғат",
    "Тілеу",
    "Төлеген",
    "Тоқтар",
    "Тұрсын",
    "Түкен",
    "Үсен",
    "Шәкір",
    "Шоқан",
    "Ыбырай",
    "Ілияс",
    "Ержан",
    "Жарқын",
    "Бауыржан",
    "Қуаныш",
    "Мейрам",
]

MALE_NAMES = [
    "Абай",
    "Әділ",
    "Айбек",
    "Алмас",
    "Алтынбек",
    "Аманжол",
    "Арман",
    "Асқар",
    "Асхат",
    "Бауыржан",
    "Бекзат",
    "Болат",
    "Дамир",
    "Дәурен",
    "Ерболат",
    "Ерғали",
    "Ержан",
    "Ерлан",
    "Ермек",
    "Жандос",
    "Жасұлан",
    "Қайрат",
    "Қанат",
    "Мағжан",
    "Мақсат",
    "Мұрат",
    "Нұрбол",
    "Нұрлан",
    "Нұрсұлтан",
    "Олжас",
    "Рахат",
    "Руслан",
    "Самат",
    "Санжар",
    "Серік",
    "Сұлтан",
    "Талғат",
    "Тимур",
    "Төлеген",
    "Ұлан",
    "Шыңғыс",
    "Ілияс",
    "Әлихан",
    "Әмір",
    "Айдос",
    "Ансар",
    "Бақытжан",
    "Берік",
    "Дархан",
    "Ерасыл",
    "Жомарт",
    "Қуаныш",
    "Мейрам",
    "Нұржан",
    "Саят",
    "Темірлан",
]

FEMALE_NAMES = [
    "Ақбота",
    "Ақмарал",
    "Айгерім",
    "Айгүл",
    "Айжан",
    "Айнұр",
    "Әйгерім",
    "Әсел",
    "Балжан",
    "Ботагөз",
    "Гүлнар",
    "Гүлмира",
    "Дана",
    "Дариға",
    "Динара",
    "Жанар",
    "Жансая",
    "Жұлдыз",
    "Зарина",
    "Индира",
    "Қарлығаш",
    "Камила",
    "Күнсұлу",
    "Ләззат",
    "Мадина",
    "Мақпал",
    "Меруерт",
    "Назгүл",
    "Нұргүл",
    "Райхан",
    "Сабина",
    "Сәуле",
    "Салтанат",
    "Сымбат",
    "Тоғжан",
    "Толқын",
    "Ұлжан",
    "Ұлпан",
    "Шолпан",
    "Іңкәр",
    "Айым",
    "Аружан",
    "Әлия",
    "Гүлжан",
    "Жібек",
    "Зейнеп",
    "Күләш",
    "Мөлдір",
    "Несібелі",
    "Сая",
    "Томирис",
    "Ұлдана",
    "Фариза",
]

PASSPORT_LATIN = {
    "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e", "ё": "e",
    "ж": "zh", "з": "z", "и": "i", "й": "i", "к": "k", "қ": "k", "л": "l", "м": "m", "н": "n",
    "ң": "n", "о": "o", "ө": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ұ": "u",
    "ү": "u", "ф": "f", "х": "kh", "һ": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "",
    "ы": "y", "і": "i", "ь": "", "э": "e", "ю": "iu", "я": "ia",
}  # fmt: skip


@cache
def to_passport_latin(cyrillic: str) -> str:
    """'Нұрланқызы' -> 'Nurlankyzy' (capitalised like the Cyrillic)."""
    out = []
    for ch in cyrillic:
        latin = PASSPORT_LATIN.get(ch.lower(), ch)
        out.append(latin.capitalize() if ch.isupper() else latin)
    return "".join(out)


@cache
def part_key(part: str) -> str:
    """name_key of one name part; a full key is the parts' keys joined by a space (same as
    core.translit.name_key on the parts, which splits and joins words the same way)."""
    return name_key(part)


def full_key(*parts: str) -> str:
    return " ".join(k for k in (part_key(p) for p in parts if p) if k)


@cache
def surname_forms(stem: str) -> dict[str, str]:
    """Russian-style and Kazakh-style surname forms of a stem, by sex."""
    last = stem[-1]
    if last == "й":  # Оразбай -> Оразбаев
        ru_m, ru_f = stem[:-1] + "ев", stem[:-1] + "ева"
    elif last in "аеыоуяиэюәөұүі":
        ru_m, ru_f = stem + "ев", stem + "ева"
    else:
        ru_m, ru_f = stem + "ов", stem + "ова"
    return {"M": ru_m, "F": ru_f, "M_kk": stem + "ұлы", "F_kk": stem + "қызы"}


@cache
def patronymic(father: str, sex: str, russian_style: bool) -> str:
    if russian_style:
        if father[-1] == "й":
            return father[:-1] + ("евич" if sex == "M" else "евна")
        if father[-1] in "аеыоуяиэюәөұүі":
            return father + ("евич" if sex == "M" else "евна")
        return father + ("ович" if sex == "M" else "овна")
    return father + ("ұлы" if sex == "M" else "қызы")
