"""Russian personal names: declension rules, a first-name lexicon, the reserved surrogate pool.

Three consumers:

* the synthetic cohort generator declines its names into oblique cases
  (``Иванову Ивану Ивановичу``) with :func:`decline`;
* the name heuristics (:mod:`radjudge.anonymize.heuristics`) and morphology
  look names up in :data:`FIRST_NAME_FORMS` (every case form of ~200 common
  first names);
* surrogate replacement draws names from a *reserved* pool
  (:data:`SURROGATE_SURNAMES` ...). The residual scan accepts a name whose every
  word is a form of a reserved name (:data:`SURROGATE_FORMS`), so surrogates
  pass the guard while real names do not. The synthetic cohort never uses a
  reserved name (a test checks), so the pool cannot hide a missed real name
  there. Consequence, documented: a real person who happens to bear a
  reserved name in full (surname *and* given names from the pool) would pass
  the residual scan - the anonymizer itself still removes them.

Declension covers the regular paradigms (cases ``nomn gent datv accs ablt
loct``, the pymorphy3 tag names): first names in -consonant, -й, -ий, -ь, -а,
-я, -ия; patronymics in -ич / -на; surnames in -ов/-ев/-ин/-ын, -ский/-цкий,
other consonants (male declines, female does not) and indeclinable -ко/-ых/-их.
"""

from __future__ import annotations

from typing import Literal

__all__ = [
    "CASES",
    "Case",
    "Gender",
    "decline",
    "feminine_surname",
    "patronymic",
    "FIRST_NAMES_MALE",
    "FIRST_NAMES_FEMALE",
    "FIRST_NAME_FORMS",
    "SURROGATE_SURNAMES",
    "SURROGATE_FIRST_MALE",
    "SURROGATE_FIRST_FEMALE",
    "SURROGATE_FORMS",
]

Case = Literal["nomn", "gent", "datv", "accs", "ablt", "loct"]
Gender = Literal["M", "F"]
CASES: tuple[Case, ...] = ("nomn", "gent", "datv", "accs", "ablt", "loct")
_GENDERS: tuple[Gender, ...] = ("M", "F")
_IDX = {c: i for i, c in enumerate(CASES)}
_VELAR_SIBILANT = set("гкхжшчщ")
_VOWELS = set("аеёиоуыэюя")


def _endings(word: str, stem_cut: int, endings: tuple[str, ...], case: Case) -> str:
    stem = word[: len(word) - stem_cut] if stem_cut else word
    return stem + endings[_IDX[case]]


def _first_name(word: str, gender: Gender, case: Case) -> str:
    w = word.lower()
    if w.endswith("ия"):
        return _endings(word, 1, ("я", "и", "и", "ю", "ей", "и"), case)
    if w.endswith("ья"):
        return _endings(word, 1, ("я", "и", "е", "ю", "ей", "е"), case)
    if w.endswith("я"):
        return _endings(word, 1, ("я", "и", "е", "ю", "ей", "е"), case)
    if w.endswith("а"):
        gen = "и" if w[-2] in _VELAR_SIBILANT else "ы"
        ins = "ей" if w[-2] in "жшчщц" else "ой"
        return _endings(word, 1, ("а", gen, "е", "у", ins, "е"), case)
    if gender == "F":
        return word  # e.g. foreign female names in a consonant do not decline
    if w.endswith("ий"):
        return _endings(word, 1, ("й", "я", "ю", "я", "ем", "и"), case)
    if w.endswith("й"):
        return _endings(word, 1, ("й", "я", "ю", "я", "ем", "е"), case)
    if w.endswith("ь"):
        return _endings(word, 1, ("ь", "я", "ю", "я", "ем", "е"), case)
    return _endings(word, 0, ("", "а", "у", "а", "ом", "е"), case)


def _patronymic(word: str, case: Case) -> str:
    w = word.lower()
    if w.endswith("ич"):
        return _endings(word, 0, ("", "а", "у", "а", "ем", "е"), case)
    if w.endswith("на"):
        return _endings(word, 1, ("а", "ы", "е", "у", "ой", "е"), case)
    raise ValueError(f"not a patronymic (must end in -ич or -на): {word!r}")


def feminine_surname(male: str) -> str:
    """Female form of a surname given in its male nominative form.

    >>> feminine_surname("Петров"), feminine_surname("Вербицкий"), feminine_surname("Шевченко")
    ('Петрова', 'Вербицкая', 'Шевченко')
    """
    w = male.lower()
    if w.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return male + "а"
    if w.endswith(("ский", "цкий")):
        return male[:-2] + "ая"
    return male


def _surname(male: str, gender: Gender, case: Case) -> str:
    w = male.lower()
    if w.endswith(("ко", "ых", "их", "аго", "яго")):
        return male
    if w.endswith(("ов", "ев", "ёв", "ин", "ын")):
        if gender == "M":
            return _endings(male, 0, ("", "а", "у", "а", "ым", "е"), case)
        return _endings(male, 0, ("а", "ой", "ой", "у", "ой", "ой"), case)
    if w.endswith(("ский", "цкий")):
        if gender == "M":
            return _endings(male, 2, ("ий", "ого", "ому", "ого", "им", "ом"), case)
        return _endings(male, 2, ("ая", "ой", "ой", "ую", "ой", "ой"), case)
    if gender == "F":
        return male
    if w.endswith("ь"):
        return _endings(male, 1, ("ь", "я", "ю", "я", "ем", "е"), case)
    return _endings(male, 0, ("", "а", "у", "а", "ом", "е"), case)


def patronymic(father: str, gender: Gender) -> str:
    """Patronymic from a father's first name (regular formation).

    >>> patronymic("Иван", "M"), patronymic("Сергей", "F"), patronymic("Василий", "M")
    ('Иванович', 'Сергеевна', 'Васильевич')
    >>> patronymic("Дмитрий", "F"), patronymic("Павел", "M")
    ('Дмитриевна', 'Павлович')
    """
    w = father.lower()
    irregular = {"илья": "Ильич", "никита": "Никитич", "фома": "Фомич", "лука": "Лукич"}
    if w in irregular:
        base = irregular[w]
        return base if gender == "M" else base + "на"
    if w.endswith("ий"):
        # Дмитрий -> Дмитриевич, Георгий -> Георгиевич (two consonants before -ий), else -ьевич.
        two_consonants = len(w) > 3 and w[-3] not in _VOWELS and w[-4] not in _VOWELS
        stem = father[:-2] + ("иев" if two_consonants else "ьев")
    elif w.endswith(("ей", "ай")):
        stem = father[:-1] + "ев"
    elif w.endswith("ь"):
        stem = father[:-1] + "ев"
    elif w.endswith("ел"):  # Павел -> Павлович
        stem = father[:-2] + "лов"
    else:
        stem = father + "ов"
    return stem + ("ич" if gender == "M" else "на")


def decline(
    word: str,
    *,
    kind: Literal["first", "patronymic", "surname"],
    gender: Gender,
    case: Case,
) -> str:
    """Decline a name part into a grammatical case.

    Parameters
    ----------
    word : str
        Nominative form; surnames in their *male* nominative form (the female
        form is derived).
    kind : {"first", "patronymic", "surname"}
    gender : {"M", "F"}
    case : {"nomn", "gent", "datv", "accs", "ablt", "loct"}

    Examples
    --------
    >>> decline("Петров", kind="surname", gender="F", case="ablt")
    'Петровой'
    >>> decline("Сергей", kind="first", gender="M", case="datv")
    'Сергею'
    >>> decline("Ивановна", kind="patronymic", gender="F", case="gent")
    'Ивановны'
    """
    if case not in _IDX:
        raise ValueError(f"case must be one of {CASES}, got {case!r}")
    if gender not in ("M", "F"):
        raise ValueError(f"gender must be 'M' or 'F', got {gender!r}")
    if kind == "first":
        return _first_name(word, gender, case)
    if kind == "patronymic":
        return _patronymic(word, case)
    if kind == "surname":
        return _surname(word, gender, case)
    raise ValueError(f"kind must be 'first', 'patronymic' or 'surname', got {kind!r}")


# Common Russian first names (nominative). Irregular ones (Пётр -> Петра, Лев ->
# Льва, Павел -> Павла) are listed with their forms in _IRREGULAR_FIRST.
FIRST_NAMES_MALE: tuple[str, ...] = (
    "Александр",
    "Алексей",
    "Анатолий",
    "Андрей",
    "Антон",
    "Аркадий",
    "Арсений",
    "Артём",
    "Артем",
    "Борис",
    "Вадим",
    "Валентин",
    "Валерий",
    "Василий",
    "Виктор",
    "Виталий",
    "Владимир",
    "Владислав",
    "Вячеслав",
    "Геннадий",
    "Георгий",
    "Герман",
    "Глеб",
    "Григорий",
    "Даниил",
    "Денис",
    "Дмитрий",
    "Евгений",
    "Егор",
    "Ефим",
    "Захар",
    "Иван",
    "Игнат",
    "Игорь",
    "Илья",
    "Иннокентий",
    "Кирилл",
    "Константин",
    "Леонид",
    "Максим",
    "Марк",
    "Матвей",
    "Михаил",
    "Назар",
    "Никита",
    "Николай",
    "Олег",
    "Остап",
    "Роман",
    "Ростислав",
    "Руслан",
    "Святослав",
    "Семён",
    "Семен",
    "Сергей",
    "Станислав",
    "Степан",
    "Тимофей",
    "Тимур",
    "Тихон",
    "Фёдор",
    "Федор",
    "Филипп",
    "Эдуард",
    "Юрий",
    "Яков",
    "Ярослав",
    "Альберт",
    "Арсен",
    "Богдан",
    "Всеволод",
    "Вениамин",
    "Данила",
    "Давид",
    "Ермолай",
    "Фрол",
    "Эльдар",
    "Рустам",
    "Ринат",
    "Марат",
    "Айдар",
    "Тагир",
    "Камиль",
    "Ильдар",
)
FIRST_NAMES_FEMALE: tuple[str, ...] = (
    "Александра",
    "Алина",
    "Алла",
    "Анастасия",
    "Ангелина",
    "Анна",
    "Антонина",
    "Валентина",
    "Валерия",
    "Варвара",
    "Вера",
    "Вероника",
    "Виктория",
    "Галина",
    "Дарья",
    "Диана",
    "Ева",
    "Евгения",
    "Екатерина",
    "Елена",
    "Елизавета",
    "Жанна",
    "Зинаида",
    "Зоя",
    "Инна",
    "Ирина",
    "Кира",
    "Клавдия",
    "Кристина",
    "Ксения",
    "Лариса",
    "Лидия",
    "Людмила",
    "Маргарита",
    "Марина",
    "Мария",
    "Надежда",
    "Наталья",
    "Наталия",
    "Нина",
    "Оксана",
    "Ольга",
    "Полина",
    "Раиса",
    "Римма",
    "Светлана",
    "София",
    "Софья",
    "Тамара",
    "Татьяна",
    "Ульяна",
    "Юлия",
    "Яна",
    "Агния",
    "Злата",
    "Василиса",
    "Серафима",
    "Алёна",
    "Алена",
    "Олеся",
    "Таисия",
    "Эльвира",
    "Лилия",
    "Регина",
    "Гульнара",
    "Альбина",
    "Нелли",
    "Эмма",
    "Майя",
    "Милана",
)
_IRREGULAR_FIRST: dict[str, tuple[str, ...]] = {
    "Пётр": ("Пётр", "Петра", "Петру", "Петра", "Петром", "Петре"),
    "Петр": ("Петр", "Петра", "Петру", "Петра", "Петром", "Петре"),
    "Лев": ("Лев", "Льва", "Льву", "Льва", "Львом", "Льве"),
    "Павел": ("Павел", "Павла", "Павлу", "Павла", "Павлом", "Павле"),
    "Любовь": ("Любовь", "Любови", "Любови", "Любовь", "Любовью", "Любови"),
}

# Reserved surrogate pool: rare but natural names the cohort generator never uses.
SURROGATE_SURNAMES: tuple[str, ...] = (
    "Тихомиров",
    "Ясенев",
    "Подгорнов",
    "Вербицкий",
    "Белозёров",
    "Ольховский",
    "Рябинин",
    "Светлицкий",
    "Дубравин",
    "Заозёрский",
    "Черемисин",
    "Калиновский",
    "Прилуцкий",
    "Ветлугин",
    "Осокин",
    "Лозинский",
    "Березин",
    "Сосновский",
    "Камышин",
    "Ракитин",
)
SURROGATE_FIRST_MALE: tuple[str, ...] = ("Глеб", "Остап", "Тихон", "Ермолай", "Фрол", "Назар")
SURROGATE_FIRST_FEMALE: tuple[str, ...] = (
    "Агния",
    "Злата",
    "Василиса",
    "Серафима",
    "Ульяна",
    "Таисия",
)


def _all_first_forms(name: str, gender: Gender) -> set[str]:
    if name in _IRREGULAR_FIRST:
        return set(_IRREGULAR_FIRST[name])
    return {decline(name, kind="first", gender=gender, case=c) for c in CASES}


def _build_first_forms() -> frozenset[str]:
    forms: set[str] = set()
    for n in FIRST_NAMES_MALE:
        forms |= _all_first_forms(n, "M")
    for n in FIRST_NAMES_FEMALE:
        forms |= _all_first_forms(n, "F")
    for n in _IRREGULAR_FIRST:
        forms |= _all_first_forms(n, "M")
    return frozenset(forms)


def _build_surrogate_forms() -> frozenset[str]:
    forms: set[str] = set()
    for s in SURROGATE_SURNAMES:
        for g in _GENDERS:
            forms |= {decline(s, kind="surname", gender=g, case=c) for c in CASES}
    for n in SURROGATE_FIRST_MALE:
        forms |= _all_first_forms(n, "M")
        for g in _GENDERS:
            forms |= {decline(patronymic(n, g), kind="patronymic", gender=g, case=c) for c in CASES}
    for n in SURROGATE_FIRST_FEMALE:
        forms |= _all_first_forms(n, "F")
    return frozenset(forms)


#: Every case form of the first-name lexicon (male and female).
FIRST_NAME_FORMS: frozenset[str] = _build_first_forms()
#: Every case form of the reserved surrogate surnames, first names and patronymics.
SURROGATE_FORMS: frozenset[str] = _build_surrogate_forms()
