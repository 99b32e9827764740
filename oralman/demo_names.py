"""Believable Kazakh names for demo and generated data (Cyrillic; Latin comes from core.translit)."""

MALE_NAMES = [
    "Ерлан", "Нұрлан", "Бауыржан", "Асқар", "Дәурен", "Ержан", "Серік", "Марат", "Қайрат", "Айдос",
    "Ақжол", "Бекзат", "Дархан", "Ерасыл", "Жандос", "Нұрсұлтан", "Олжас", "Руслан", "Талғат", "Ілияс",
]  # fmt: skip
FEMALE_NAMES = [
    "Айгүл", "Жанар", "Гүлнар", "Әсел", "Динара", "Айжан", "Меруерт", "Салтанат", "Жұлдыз", "Назгүл",
    "Ақмарал", "Балжан", "Гүлмира", "Дана", "Еркежан", "Жансая", "Камила", "Әйгерім", "Толқын", "Ұлжан",
]  # fmt: skip
SURNAME_ROOTS = [
    "Нұрлан", "Серікбай", "Әбіл", "Жақсыбек", "Қасым", "Төлеген", "Омар", "Сейіт", "Байжан", "Ахмет",
    "Есен", "Мұқан", "Жұмабай", "Қалиев", "Тоқтар", "Ермек", "Сәрсен", "Бектұр", "Оспан", "Құрман",
]  # fmt: skip


def surname_for(root: str, sex: str) -> str:
    base = root[:-2] if root.endswith("ев") else root
    if root.endswith("ев"):
        return base + ("ев" if sex == "M" else "ева")
    return root + ("ов" if sex == "M" else "ова")


def latin(word: str) -> str:
    from core.translit import to_latin

    text = to_latin(word)
    return text[:1].upper() + text[1:]
