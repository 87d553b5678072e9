"""Person names by morphology (pymorphy3): oblique cases, initials, name + patronymic.

pymorphy3 tags first names (``Name``), surnames (``Surn``) and patronymics
(``Patr``) in every case (``Петровым``, ``Кузнецовой``, ``Сергеевичем``). The
detector tokenises capitalised words and initials, groups neighbours
separated only by spaces into runs, trims from each run's edges the words
that are not name-like, and keeps a run as a name when it holds at least two
name parts one of which is strong (initials, a patronymic, a first name).
A single name word counts when a role word precedes it (``хирургом
Поляковым``, ``со слов жены Ивановой``) or, inside a sentence, when
pymorphy3's surname and first-name parses carry most of its score.

The analyzer (:func:`radjudge.anonymize.analyzer.analyzer`) is loaded once, lazily, and
word parses are cached.
"""

from __future__ import annotations

import re
from functools import lru_cache

from radjudge.anonymize.analyzer import analyzer
from radjudge.anonymize.clinical import (
    NOT_ORGANISATIONS,
    is_clinical_word,
    is_medical_abbreviation,
)
from radjudge.anonymize.names import FIRST_NAME_FORMS
from radjudge.anonymize.spans import Detection

__all__ = [
    "token_kind",
    "find_names",
    "is_name_like",
    "is_common_lexeme",
    "is_initials",
    "recase_names",
    "ROLE_BEFORE",
    "ROLE_WORDS",
]

_TOKEN = re.compile(
    r"(?P<init>(?<![A-Za-zА-Яа-яЁё0-9])[А-ЯЁ]\.(?![а-яё]))|(?P<word>(?<![\w-])[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)*(?![\w-]))"
)
_PATR_SUFFIX = re.compile(r"(?:ович|евич|ьич)(?:а|у|ем|е)?$|(?:овн|евн|ичн)(?:а|ы|е|у|ой)$")
#: Role words that introduce a person ("хирургом Поляковым", "со слов жены Ивановой"), as a
#: case-insensitive pattern source shared with the cheap heuristics.
ROLE_WORDS = (
    r"(?i:врач\w*|доктор\w*|хирург\w*|терапевт\w*|уролог\w*|онколог\w*|гастроэнтеролог\w*|"
    r"травматолог\w*|кардиолог\w*|невролог\w*|гинеколог\w*|эндокринолог\w*|рентгенолог\w*|"
    r"анестезиолог\w*|реаниматолог\w*|фельдшер\w*|медсестр\w*|м/с|зав(?:\.|(?![\w-]))|заведующ\w*|"
    r"интерн(?:а|у|ом|е|ы|ов|ам|ами|ах)?(?![\w-])|ординатор\w*|резидент\w*|"
    r"пациент\w*|больн(?:ой|ая|ого|ому|ым|ую)|гр\.|гражданин\w*|гражданк\w*|"
    r"жен[аыуе]|муж[аеу]?|дочер(?:ь|и|ью)|доч[ьи]|сын(?:а|у|ом)?|мат(?:ь|ери)|отц(?:а|у|ом)|отец|"
    r"брат(?:а|у|ом)?|сестр(?:а|ы|е|у|ой)|внук\w*|внучк\w*|опекун\w*|родственник\w*|"
    r"супруг\w*|сосед\w*|знаком(?:ый|ая|ого|ой|ому|ую|ым)|подруг\w*|коллег\w*|т[её]т[яиюеь]\w*|"
    r"дяд[яиюе]\w*|бабушк\w*|дедушк\w*|племянни\w*|свекров\w*|т[её]щ[аиейу]\w*|невестк\w*|"
    r"сожител\w*|представител\w*|акушерк\w*|санитар\w*|мам[аыеу]|пап[аыеу]|"
    r"г-н\w*|г-жа|господин\w*|госпож\w*|направил[аи]?|осмотрел[аи]?|подпись)"
)
# A role word, then at most two lower-case words ("заведующая отделением", "врач приёмного
# отделения") before the name.
ROLE_BEFORE = re.compile(
    rf"(?<![\w-]){ROLE_WORDS}(?:-[а-яё]+)?(?:\s+[а-яё]+\.?){{0,2}}(?:[\s,:]|\s[—–-]\s)+$"
)
_ROLE_RIGHT_BEFORE = re.compile(rf"(?<![\w-]){ROLE_WORDS}(?:-[а-яё]+)?(?:[\s,:]|\s[—–-]\s)+$")


@lru_cache(maxsize=200_000)
def token_kind(word: str) -> str:
    """Classify a capitalised word: ``patr``, ``first``, ``surn``, ``unknown`` or ``other``.

    ``first`` needs a ``Name`` parse with score >= 0.25 (or the word in the
    first-name lexicon); ``surn`` any ``Surn`` parse; ``unknown`` a word the
    dictionary does not know but predicts as animate (a foreign surname, usually).

    >>> token_kind("Сергеевичем"), token_kind("Анны"), token_kind("Петровым"), token_kind("Живот")
    ('patr', 'first', 'surn', 'other')
    """
    if "-" in word:
        kinds = [token_kind(part) for part in word.split("-")]
        for k in ("patr", "first", "surn", "unknown"):
            if k in kinds:
                return k
        return "other"
    if _PATR_SUFFIX.search(word) and len(word) > 6:
        return "patr"
    parses = analyzer().parse(word)
    tags = [(str(p.tag), p.score) for p in parses]
    if any("Patr" in t for t, _ in tags):
        return "patr"
    if word in FIRST_NAME_FORMS or any("Name" in t and s >= 0.25 for t, s in tags):
        return "first"
    if any("Surn" in t for t, _ in tags):
        return "surn"
    if not analyzer().word_is_known(word.lower()) and any("anim" in t for t, _ in tags):
        # Unknown to the dictionary but predicted animate: a foreign surname, usually.
        # Predicted inanimate ("Колоноскопия", "Дивертикулярная") is a common word.
        return "unknown"
    return "other"


@lru_cache(maxsize=200_000)
def _name_parse_confident(word: str) -> bool:
    """A lone capitalised word counts as a name when its name parses dominate (score >= 0.4)."""
    parses = analyzer().parse(word)
    score = sum(
        p.score for p in parses if {"Surn", "Name"} & set(str(p.tag).replace(" ", ",").split(","))
    )
    return score >= 0.4


@lru_cache(maxsize=50_000)
def _plain_noun(word: str) -> bool:
    """Best parse a noun and not a role word ("Мельник" yes; "Пациент", "Уважаемый" no)."""
    if ROLE_BEFORE.search(word + " "):
        return False
    parses = analyzer().parse(word)
    return bool(parses) and parses[0].tag.POS == "NOUN"


_PROPER_TAGS = ("Name", "Surn", "Patr", "Geox", "Orgn", "Trad")
# Neo-classical medical word formation: an unknown word built like this is a term, not a name
# (pymorphy3 guesses a Name parse for any unknown word in -а: "Гемограмма").
_MEDICAL_FORMATION = re.compile(
    r"(?:грамм|графи|скопи|метри|томи|стоми|пекси|рафи|пластик|пати|пени|плеги|парез|алги|еми|"
    r"ури|логи|цитоз|трофи|плази|фаги|кинез|тензи|карди|генез|стаз|ктази|склероз|фиброз|спазм|"
    r"птоз|лиз|рея|пноэ|мегали|малаци|литиаз|рраги)[а-яё]{0,3}$|.{4,}(?:ит|оз|ом|оид)[аеуы]?$"
    r"|^(?:гепато|гастро|кардио|нефро|невро|нейро|сплено|остео|артро|энтеро|колоно|цисто|"
    r"дермато|гемато|лимфо|ангио|миело|пневмо|бронхо|трахео|ларинго|офтальмо|холецист|холедох|"
    r"панкреат|тирео|адено|эндометр|хондро|фибро|липо)[а-яё]{3,}"
    # and adjectives in -н-ый / -ический ("Внутрипечёночный", "Гастроэнтерологическая")
    r"|.{4,}(?:н|ическ)(?:ый|ий|ая|ое|ой|ого|ому|ым|им|ую|ые|ие|ых|их|ыми|ими|ом)$"
)


@lru_cache(maxsize=100_000)
def is_common_lexeme(word: str) -> bool:
    """A word of the common vocabulary that is not a name, a place or an organisation.

    A word pymorphy3 knows counts when no parse of it (score >= 0.02) carries
    ``Name``, ``Surn``, ``Patr``, ``Geox``, ``Orgn`` or ``Trad`` and its best
    parse is not an animate noun (``Кузнец``, ``Мельник``, ``Ткач`` are surnames
    as often as trades: they stay names). A word it does not know counts only
    when it is built like a medical term or adjective (``Гемограмма``,
    ``тиреоидит``, ``холестаз``, ``Внутрипечёночный``): an unknown word is a
    foreign or rare surname as often as not. A hyphenated word counts when its
    Cyrillic parts do
    (``Онлайн-консультация``, ``Telegram-канал``).

    >>> [is_common_lexeme(w) for w in ("Фибрилляция", "Гемограмма", "Кузнец", "Орёл", "Иванов")]
    [True, True, False, False, False]
    """
    parts = [p for p in word.split("-") if p]
    if len(parts) > 1:
        cyrillic = [p for p in parts if re.search(r"[а-яёА-ЯЁ]", p)]
        return (
            bool(cyrillic)
            and all(is_common_lexeme(p) for p in cyrillic)
            and all(p in cyrillic or re.fullmatch(r"[A-Za-z]+", p) for p in parts)
        )
    low = word.lower()
    if not re.fullmatch(r"[а-яё]+", low):
        return False
    if not analyzer().word_is_known(low):
        return bool(_MEDICAL_FORMATION.search(low))
    parses = analyzer().parse(low)
    if any(tag in p.tag for p in parses if p.score >= 0.02 for tag in _PROPER_TAGS):
        return False
    best = parses[0].tag
    return not (best.POS == "NOUN" and "anim" in best)


_CAPS_TOKEN = re.compile(r"(?<![\w-])[А-ЯЁ]{2,}(?:-[А-ЯЁ]{2,})*(?![\w-])")
_LOWER_TOKEN = re.compile(
    r"(?<![\w.-])(?P<init>[а-яё]\.(?:\s?[а-яё]\.)?)(?![\w])|(?<![\w-])(?P<word>[а-яё]{2,}(?:-[а-яё]+)?)(?![\w-])"
)
_NAME_TAGS = ("Name", "Surn", "Patr")


@lru_cache(maxsize=100_000)
def _lower_kind(word: str) -> str:
    """The best parse of a lower-case word: ``Name``, ``Surn``, ``Patr``, ``unknown`` (a word
    the dictionary does not know: a rare or foreign surname, often) or ``other``."""
    parses = analyzer().parse(word)
    if not parses or _ROLE_RIGHT_BEFORE.search(word + " "):
        return "other"  # a role word ("гастроэнтеролога") never belongs to a name
    best = str(parses[0].tag)
    for tag in _NAME_TAGS:
        if tag in best:
            return tag
    if not analyzer().word_is_known(word) and parses[0].tag.POS == "NOUN":
        return "unknown"
    return "other"


@lru_cache(maxsize=100_000)
def _lower_any(word: str) -> frozenset[str]:
    """Every name tag of any parse of a lower-case word ("веры": Name; "жуковской": Surn)."""
    return frozenset(
        tag for p in analyzer().parse(word) if p.score >= 0.02 for tag in _NAME_TAGS if tag in p.tag
    )


def _name_run(words: list[str], kinds: list[str]) -> bool:
    """Lower-case words that together read as a name (module :func:`recase_names`)."""
    if len(words) < 2:
        return False
    tops = set(kinds)
    anys = set().union(*(_lower_any(w) for w in words if w))
    if "init" in tops and ("Surn" in anys | tops or "unknown" in tops or "Name" in anys):
        return "init" not in tops or kinds.count("init") < len(kinds)
    if "Patr" in anys:
        return True
    if ("Surn" in tops or "unknown" in tops) and "Name" in anys:
        return True
    return ("Name" in tops and "Surn" in anys) or all(k in _NAME_TAGS for k in kinds)


@lru_cache(maxsize=50_000)
def _caps_is_word(token: str) -> bool:
    """An upper-case token that is a word, not an abbreviation (``ОАК``, ``ГАУЗ``)."""
    if is_medical_abbreviation(token) or len(token.replace("-", "")) < 3:
        return False
    low = token.lower()
    return not (analyzer().word_is_known(low) and is_clinical_word(low))


_INITIALS_NEXT = re.compile(r"\s?[А-ЯЁ]\.\s?[А-ЯЁ]?\.?")


def _caps_names(text: str) -> list[tuple[int, int]]:
    """Upper-case words to re-case: a run of two or more words (``ЯКОВЛЕВА ИРИНА``), a word
    before initials (``ДЖАНИБЕКОВОЙ А.К.``) or one whose best parse is a name part.
    Placeholders (``[ФИО]``) are never re-cased."""
    words = [
        m
        for m in _CAPS_TOKEN.finditer(text)
        if _caps_is_word(m.group(0))
        and not (text[m.start() - 1 : m.start()] == "[" and text[m.end() : m.end() + 1] == "]")
    ]
    out = []
    for k, m in enumerate(words):
        in_run = (k > 0 and text[words[k - 1].end() : m.start()] == " ") or (
            k + 1 < len(words) and text[m.end() : words[k + 1].start()] == " "
        )
        if (
            in_run
            or _INITIALS_NEXT.match(text, m.end())
            or _lower_kind(m.group(0).lower()) in _NAME_TAGS
        ):
            out.append((m.start(), m.end()))
    return out


_LOWER_SURNAME_SHAPE = re.compile(
    r"[а-яё]{2,}(?:(?:ов|ев|ёв|ин|ын)(?:а|у|ым|ой|ою|е|ы)?|(?:ск|цк)(?:ий|ая|ого|ому|им|ом|ой|ую))"
    r"|[а-яё]+(?:енко|ук|юк|ян|ых|их|швили|дзе)"
)
# Endings no drug or common word has: "холматов шерзод" (not "инсулин гларгин").
_STRONG_SURNAME_SHAPE = re.compile(
    r"[а-яё]{2,}(?:(?:ов|ев|ёв)(?:а|у|ым|ой|ою|е|ы)?|(?:ск|цк)(?:ий|ая|ого|ому|им|ом|ой|ую))"
    r"|[а-яё]+(?:енко|швили|дзе|ян)"
)
# Lower-case abbreviations shaped like initials: "т.е.", "т.к.", "в.в." (внутривенно)...
_NOT_INITIALS = frozenset(
    "т.е. т.к. т.д. т.п. т.ч. т.н. т.о. и.о. в.в. м.б. н.в. п.к. в.м. с.г. ч.н. н.э. д.б. р.д. "
    "п.о. к.м.н. д.м.н. с.м. т.г. п.г. н.ч. с.ч. г.р. в.т. с.м.п.".split()
)


def is_initials(token: str) -> bool:
    """Two initials ("е.а.", "Е. А."), not an abbreviation of that shape ("т.е.", "Г.Р.").

    >>> is_initials("е.а."), is_initials("Т.Е."), is_initials("г.")
    (True, False, False)
    """
    bare = token.replace(" ", "").lower()
    return len(bare) == 4 and bare not in _NOT_INITIALS


@lru_cache(maxsize=50_000)
def _animate_noun(word: str) -> bool:
    """Best parse an animate noun that is not a role word ("ткач", "мельник"; not "врач")."""
    best = analyzer().parse(word)[0].tag
    return best.POS == "NOUN" and "anim" in best and not ROLE_BEFORE.search(word + " ")


def _lower_tokens(text: str) -> list[tuple[int, int, str]]:
    out = []
    for m in _LOWER_TOKEN.finditer(text):
        if m.group("init"):
            # a single lower-case letter with a dot is "г." (город, год), "д.", "с."... - and
            # "т.е.", "в.в." are abbreviations; only two initials count in lower case
            kind = "init" if is_initials(m.group("init")) else "other"
            out.append((m.start(), m.end(), kind))
        else:
            word = m.group("word")
            kind = _lower_kind(word)
            if kind == "other" and _lower_any(word):
                kind = "weak"  # a name only in a name's company: "веры", "жуковской"
            out.append((m.start(), m.end(), kind))
    # A common word is a surname in a name's company: surname-shaped next to two initials
    # ("смородиновой е.а."), or an animate noun next to a first name ("ткач людмила").
    for i, (start, end, kind) in enumerate(out):
        if kind not in ("other", "weak"):
            continue
        word = text[start:end]
        for j in (i - 1, i + 1):
            if not 0 <= j < len(out):
                continue
            n_start, n_end, n_kind = out[j]
            if text[min(end, n_end) : max(start, n_start)] != " ":
                continue
            if (
                n_kind == "init"
                and is_initials(text[n_start:n_end])
                and _LOWER_SURNAME_SHAPE.fullmatch(word)
            ) or (
                n_kind == "Name"
                and (
                    _animate_noun(word)
                    or (
                        _STRONG_SURNAME_SHAPE.fullmatch(word)
                        and analyzer().word_is_known(text[n_start:n_end])
                    )
                )
            ):
                out[i] = (start, end, "Surn")
                break
    return out


def _title(word: str) -> str:
    return "-".join(p[:1].upper() + p[1:].lower() for p in word.split("-"))


def recase_names(text: str) -> str:
    """The text with names in capitals or in lower case re-cased as names are written.

    Upper-case words that are words (not abbreviations) become title case;
    runs of two or more lower-case name parts (``смирнова ольга``,
    ``ахмедов р.м.``) and a lower-case surname right after a role word
    (``врач дзюба``) are capitalised. The length never changes, so offsets
    found in the result hold for ``text``.

    >>> recase_names("Пациент: ГРИГОРЬЕВ ПАВЕЛ АНДРЕЕВИЧ, ОАК в норме; врач ахмедов р.м. осмотрел")
    'Пациент: Григорьев Павел Андреевич, ОАК в норме; врач Ахмедов Р.М. осмотрел'
    """
    chars = list(text)

    def put(start: int, new: str) -> None:
        chars[start : start + len(new)] = new

    if any(c.isupper() for c in text):
        for start, end in _caps_names(text):
            put(start, _title(text[start:end]))
    runs: list[list[tuple[int, int, str]]] = []
    for tok in _lower_tokens(text):
        if tok[2] == "other":
            runs.append([])
            continue
        if runs and runs[-1] and text[runs[-1][-1][1] : tok[0]] == " " and len(runs[-1]) < 4:
            runs[-1].append(tok)
        else:
            runs.append([tok])
    for run in runs:
        if not run:
            continue
        kinds = [k for _, _, k in run]
        words = ["" if k == "init" else text[s:e] for s, e, k in run]
        single_after_role = (
            len(run) == 1
            and kinds[0] in ("Name", "Surn", "unknown")
            and _ROLE_RIGHT_BEFORE.search(text[max(0, run[0][0] - 40) : run[0][0]])
        )
        if _name_run(words, kinds) or single_after_role:
            for start, end, kind in run:
                piece = text[start:end]
                put(start, piece.upper() if kind == "init" else _title(piece))
    return "".join(chars)


def is_name_like(token: str) -> bool:
    """An initial or a capitalised word that could be part of a name."""
    if re.fullmatch(r"[А-ЯЁ]\.", token):
        return True
    if not re.fullmatch(r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)*", token):
        return False
    return token_kind(token) != "other"


def _sentence_initial(text: str, start: int) -> bool:
    before = text[:start].rstrip()
    return not before or before[-1] in '.!?:;\n«"('


def find_names(text: str) -> list[Detection]:
    """Person-name spans found by morphology (unmerged, ``detector == "morph"``).

    Examples
    --------
    >>> t = "Осмотрена урологом Т.О. Покровской. Со слов дочери, Трофимовой Любови Константиновны."
    >>> [t[d.start:d.end] for d in find_names(t)]
    ['Т.О. Покровской', 'Трофимовой Любови Константиновны']
    """
    tokens = [
        (m.start(), m.end(), "init" if m.group("init") else token_kind(m.group(0)))
        for m in _TOKEN.finditer(text)
    ]
    runs: list[list[tuple[int, int, str]]] = []
    for tok in tokens:
        if runs and text[runs[-1][-1][1] : tok[0]] in ("", " "):
            runs[-1].append(tok)
        else:
            runs.append([tok])
    out: list[Detection] = []
    for whole in runs:
        # Dictionary words that are not names split a run ("Сидорову А.А. Пациент Иванов И.П.").
        pieces: list[tuple[int, int]] = []
        i = 0
        while i < len(whole):
            if whole[i][2] == "other":
                i += 1
                continue
            j = i
            while j < len(whole) and whole[j][2] != "other":
                j += 1
            pieces.append((i, j))
            i = j
        for lo, hi in pieces:
            out.extend(_judge_piece(text, whole, lo, hi))
    for s, e, k in tokens:  # "анестезиологом Пак": right after a role word, any surname
        if k == "other" and _role_surname(text, s, e):
            out.append(Detection(s, e, "NAME", "morph"))
    if any(c.islower() for c in text):
        out += _lower_role_surnames(text)
    return out


# A lower-case word and an optional initial ("мирзоян", "кузьминых а."), as dictated notes
# write a surname.
_LOWER_WORD = re.compile(r"(?<![\w.-])[а-яё]{3,}(?:-[а-яё]{2,})?(?:\s[а-яё]\.(?:\s?[а-яё]\.)?)?")


def _lower_role_surnames(text: str) -> list[Detection]:
    """A lower-case surname after a role word (at most two lower-case words between: "зав.
    отделением мирзоян"): a word pymorphy3 does not know, or knows as a surname only."""
    out = []
    # Candidates first (a cached test per word), the role before them only for the few left.
    for m in _LOWER_WORD.finditer(text):
        if _lower_surname(m.group(0).split()[0]) and _ROLE_THEN.search(
            text, max(0, m.start() - 80), m.start()
        ):
            out.append(Detection(m.start(), m.end(), "NAME", "morph"))
    return out


# A role word, then only the words of a post ("зав. отделением", "врач приёмного отделения").
_ROLE_THEN = re.compile(
    ROLE_WORDS + r"(?:\s+(?:отделени\w*|при[её]мн\w*|дежурн\w*|лечащ\w*|палатн\w*|"
    r"участков\w*|смен\w*|поликлиник\w*|кабинет\w*|хирургическ\w*|терапевтическ\w*)){0,2}\s$"
)


# Endings of surnames that no drug or clinical word of the vocabulary has ("-ин" has many:
# метформин, гепарин; such surnames are in the dictionary anyway).
_SURNAME_ENDING = re.compile(r"(?:ов|ев|ёв|ян|янц|швили|дзе|ук|юк|енко|их|ых|ский|цкий)$")


@lru_cache(maxsize=50_000)
def _lower_surname(word: str) -> bool:
    """A lower-case word that reads as a surname: unknown to pymorphy3 and built like a
    surname, or known to it only as a surname (the cheap tests first: most words fail them)."""
    morph = analyzer()
    if not morph.word_is_known(word):
        if not _SURNAME_ENDING.search(word):
            return False
    else:
        parses = [p for p in morph.parse(word) if p.score >= 0.1]
        if not (parses and all("Surn" in p.tag for p in parses)):
            return False
    return not (is_clinical_word(word) or word.upper() in NOT_ORGANISATIONS)


def _role_surname(text: str, start: int, end: int) -> bool:
    """A dictionary word after a role word, not a place, a clinical word or a sentence start."""
    word = text[start:end]
    if (
        _sentence_initial(text, start)
        or is_clinical_word(word)
        or not _ROLE_RIGHT_BEFORE.search(text[max(0, start - 40) : start])
    ):
        return False
    tags = str(analyzer().parse(word)[0].tag)
    return "Geox" not in tags and "Orgn" not in tags and not _plain_common(word)


@lru_cache(maxsize=50_000)
def _plain_common(word: str) -> bool:
    """A frequent common word ("Слева", "Отделение"): best parse not a noun, or a known noun
    with a confident single reading."""
    parses = analyzer().parse(word)
    return parses[0].tag.POS != "NOUN" or (
        analyzer().word_is_known(word.lower()) and parses[0].score >= 0.9 and len(word) > 4
    )


def _judge_piece(text: str, run: list[tuple[int, int, str]], lo: int, hi: int) -> list[Detection]:
    """Decide on the name-like tokens ``run[lo:hi]`` (its neighbours are dictionary words)."""
    # A dictionary word next to a first name or patronymic, not opening a sentence,
    # is a surname that is also a common word ("Мельник Николай Васильевич").
    if (
        lo > 0
        and run[lo][2] in ("first", "patr")
        and (
            not _sentence_initial(text, run[lo - 1][0])
            or (
                lo + 1 < hi
                and run[lo][2] == "first"
                and run[lo + 1][2] == "patr"
                and _plain_noun(text[run[lo - 1][0] : run[lo - 1][1]])
            )
        )
    ):
        lo -= 1
    if (
        hi < len(run)
        and run[hi - 1][2] in ("first", "patr")
        and _plain_noun(text[run[hi][0] : run[hi][1]])
    ):
        hi += 1
    core = run[lo:hi]
    kinds = [k for _, _, k in core]
    strong = sum(k in ("init", "patr", "first") for k in kinds)
    words = sum(k != "init" for k in kinds)
    start, end = core[0][0], core[-1][1]
    if (
        len(core) >= 2
        and strong >= 1
        and words >= 1
        and not (kinds.count("first") == len(kinds) == 2 and _sentence_initial(text, start))
    ):
        return [Detection(start, end, "NAME", "morph")]
    # A single word: role context, or a capitalised name word inside a sentence.
    out = []
    for s, e, k in core:
        if k == "init":
            continue
        if k in ("surn", "unknown", "first", "patr") and ROLE_BEFORE.search(
            text[max(0, s - 40) : s]
        ):
            out.append(Detection(s, e, "NAME", "morph"))
        elif k == "patr" or (
            k in ("surn", "first")
            and not _sentence_initial(text, s)
            and _name_parse_confident(text[s:e])
        ):
            out.append(Detection(s, e, "NAME", "morph"))
    return out
