"""Clinical content that looks like PHI but must survive: eponyms and medical abbreviations.

A surname inside an eponym (``болезнь Крона``, ``симптом Щеткина–Блюмберга``,
``класс A по Child-Pugh``, ``КК по Кокрофту–Голту``) is not a person. NER and
morphology tag many of them as names, so every name, organisation or place
detection that overlaps a *protected* span is dropped.

A capitalised word chain is protected when one of its words is a known eponym
(:data:`EPONYMS`, lower-cased surface forms) and either

* the chain joins two eponyms with a hyphen or dash (``Мейо-Робсона``), or
* it is in Latin script (``Child-Pugh``, ``Hinchey``), or
* a trigger word (симптом, синдром, болезнь, шкала, проба, отёк, чаши,
  карман, операция, ...) precedes it with nothing in between but other
  eponyms, commas, "и" or brackets - which covers lists (``Симптомы Ортнера,
  Мерфи и Кера положительные``) - or "по" immediately precedes it
  (``по Кокрофту–Голту``, ``по Нечипоренко``).

Eponym words match by stem plus at most three letters of case ending, so
"Валя" (симптом Валя) matches but "Валентином" does not.

A real doctor called, say, Боткин is therefore still a name when no trigger
precedes him ("осмотрен Боткиным С.П."), while "болезнь Боткина" is protected.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["EPONYMS", "MEDICAL_ABBREVIATIONS", "protected_spans", "is_medical_abbreviation"]

_EPONYM_STEMS = """
крон щеткин щёткин блюмберг ортнер жильбер чайлд пью child pugh кокрофт голт cockcroft gault
мерфи murphy курвуазье courvoisier кер kehr ровзинг ситковск воскресенск образцов пастернацк
мейо робсон мондор грей тернер тёрнер каллен бартомье михельсон кохер мак-берни ланц кюммел
мендел раздольск бильрот billroth гартман хартманн hartmann уиппл whipple вирсунг санторини одди
фатер трейтц вал скляров спижарн кивул обуховск клойбер моррисон morison квинке quincke
нечипоренк зимницк вестергрен панченков грам цил нильсен манту вальсальв ладд меккел рейно
бехтерев боткин паркинсон альцгеймер хашимото грейвс аддисон иценко кушинг вильсон виллебранд
ходжкин гиршпрунг менетрие мэллори вейс барретт золлингер эллисон дубин джонсон криглер найяр
мириззи кароли бадд киари ранвье мюсси георгиевск френикус керте шарко щеткина-блюмберг
ranson рансон glasgow глазго balthazar бальтазар hinchey хинчи borrmann борман bosniak босниак
lugano recist сименс доплер допплер фоли тренделенбург trendelenburg сельдинг seldinger
фаллопи глиссон гиса пуркинье вольф паркинсон уайт фредериксон де-кервен кервен ханнингтон
"""
#: Lower-cased stems of eponymous surnames; a word matches when it starts with one.
EPONYMS: frozenset[str] = frozenset(_EPONYM_STEMS.split())

_TRIGGER = re.compile(
    r"(?i)(?<![\w-])(?:симптом\w*|синдром\w*|болезн\w*|шкал\w*|класс\w*|проб[аыуе]\w*|"
    r"триад\w*|операци\w*|резекци\w*|чаш[аиеу]\w*|карман\w*|от[её]к\w*|дивертикул\w*|"
    r"проток\w*|анастомоз\w*|метод\w*|формул\w*|индекс\w*|критери\w*|классификаци\w*|"
    r"окраск\w*|реакци\w*|точк\w*|зон[аыеу]\w*|связк\w*|грыж\w*|катетер\w*|положени\w*|"
    r"пузыр\w*|клетк\w*|капсул\w*|сфинктер\w*|ампул\w*|тельц\w*|пучк\w*|узл\w*|узел|"
    r"феномен\w*|признак\w*|категори\w*|стади\w*|по)(?![\w-])"
)
_CHAIN = re.compile(r"[A-ZА-ЯЁ][\w']*(?:\s?[-–—]\s?[A-ZА-ЯЁ][\w']*)*")
_SPLIT = re.compile(r"\s?[-–—]\s?")
_LATIN = re.compile(r"^[A-Za-z][A-Za-z'\s–—-]*$")
# What may stand between a trigger and the eponym it governs: other eponyms of a
# list, commas, "и", brackets ("Симптомы Ортнера, Мерфи и Кера").
_GAP_TOKEN = re.compile(
    r"\s+|,|\(|\)|«|»|(?<![\w-])и(?![\w-])|[A-ZА-ЯЁ][\w']*(?:\s?[-–—]\s?[A-ZА-ЯЁ][\w']*)*"
)
_WINDOW = 80

#: Abbreviations of medical text that NER takes for organisations or places.
MEDICAL_ABBREVIATIONS: frozenset[str] = frozenset(
    """
ОАК ОАМ КТ МСКТ МРТ УЗИ УЗДС ЭКГ ЭхоКГ ФГДС ЭГДС ФКС РХПГ МРХПГ ОБП ОГК ОМТ СКФ КК СРБ СОЭ АЛТ
АСТ ЩФ ГГТ МНО АЧТВ ПТИ ИМТ ИБС ГБ ХБП ЖКБ МКБ ДПК ВБА ВБВ НПВ СМП ДГПЖ ГЭРБ ХГС ХГВ ХОБЛ РЭА ТТГ
СД ЧСС ЧСЖ ЧДД АД ЭОС ФК ОРВИ ВИЧ ИБ FAST AAST EVAR RECIST XELOX FOLFOX CKD-EPI ЦДК ЛПНП ЛПВП ОНМК
ТЭЛА ТГВ ИВЛ ОРИТ ОАРИТ ЖКТ ЦНС ЛДГ КФК HBsAg HCV HIV ПЭТ ПЭТ-КТ ОФЭКТ СА ЛЖ ПЖ ЛП ПП ФП ЖЭС НЖЭС
ДМЖП МЖП ЗСЛЖ ФВ БЦА ЦВК ПХЭС ЛХЭ ДЛ ЕД МЕ ЧМТ ЧМН МВП ИМП ЛОР ОКС ОИМ НПВС ИПП ГКС ЖЕЛ ЭГ ДН СН ХСН
""".split()
)


def is_medical_abbreviation(token: str) -> bool:
    """True for a known medical abbreviation (``КТ``, ``СРБ``, ``ФГДС``...).

    >>> is_medical_abbreviation("ФГДС"), is_medical_abbreviation("ООО")
    (True, False)
    """
    return token in MEDICAL_ABBREVIATIONS


@lru_cache(maxsize=65536)
def _is_eponym_word(word: str) -> bool:
    """A known eponym, allowing up to three letters of case ending (Кохера, Кокрофту)."""
    w = word.lower().replace("ё", "е")
    return any(w.startswith(stem) and len(w) - len(stem) <= 3 for stem in _STEMS)


_STEMS = tuple(sorted({s.replace("ё", "е") for s in EPONYMS}))


def _governed_by_trigger(text: str, start: int) -> bool:
    """A trigger word precedes ``start``, separated only by list material (see _GAP_TOKEN)."""
    window = text[max(0, start - _WINDOW) : start]
    last = None
    for m in _TRIGGER.finditer(window):
        last = m
    if last is None:
        return False
    gap = window[last.end() :]
    if last.group(0).lower() == "по":
        return gap.strip() == ""  # "по Кокрофту", never "по месту жительства ... Образцовым"
    pos = 0
    while pos < len(gap):
        m = _GAP_TOKEN.match(gap, pos)
        if m is None or m.end() == pos:
            return False
        token = m.group(0)
        if token[:1].isupper() and not any(_is_eponym_word(w) for w in _SPLIT.split(token)):
            return False
        pos = m.end()
    return True


def protected_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of eponyms in ``text`` that no name detector may remove.

    Parameters
    ----------
    text : str

    Returns
    -------
    list of (start, end)
        Sorted, non-overlapping.

    Examples
    --------
    >>> t = "Симптом Щеткина–Блюмберга отрицательный, симптомы Ортнера, Мерфи положительные."
    >>> [t[s:e] for s, e in protected_spans(t)]
    ['Щеткина–Блюмберга', 'Ортнера', 'Мерфи']
    >>> t = "Осмотрен хирургом Боткиным С.П. Болезнь Боткина в детстве."
    >>> [t[s:e] for s, e in protected_spans(t)]
    ['Боткина']
    >>> t = "Симптом Пастернацкого отрицательный, осмотрен урологом Образцовым."
    >>> [t[s:e] for s, e in protected_spans(t)]
    ['Пастернацкого']
    """
    out: list[tuple[int, int]] = []
    for m in _CHAIN.finditer(text):
        chain = m.group(0)
        words = _SPLIT.split(chain)
        eponymous = [_is_eponym_word(w) for w in words]
        if not any(eponymous):
            continue
        if (
            (len(words) > 1 and sum(eponymous) >= 2)
            or _LATIN.match(chain)
            or _governed_by_trigger(text, m.start())
        ):
            out.append((m.start(), m.end()))
    return out
