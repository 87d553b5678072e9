"""The GOLD reference summary, rendered from the synthetic generator's ground truth.

A reference system at the top of the quality range: it states every key fact
of the patient (cohort contract ``ground_truth.facts``) and nothing else, in
the order a radiologist reads before an abdominal CT. It is a fixed template
filled with the facts - no model, no randomness - so the same facts always give
the same text. Real records have no ground truth and therefore no gold summary.

Layout (one labelled line per block; an empty block says so rather than vanishing)::

    Цель исследования: <referral_question>.
    Пациент: <мужчина|женщина>.
    Предварительный диагноз: <diagnosis>.
    Ключевые данные: <key_findings joined by "; ">.
    Лабораторные данные: <name value unit [↑|↓] (норма reference)>; ...
    Предшествующие исследования: <prior_imaging joined by "; "> | нет данных.
    Противопоказания к контрастированию: <contrast_contraindications> | не выявлены.

Numbers keep the record's Russian decimal comma (``14.2`` -> ``14,2``).

The age is not stated: the anonymized record no longer shows it (the birth date
is masked), and a reference must not state what the judges cannot verify. For
the same reason the year of a prior study (``"УЗИ ОБП 2019 г.: ..."``) is left
out - the record's date of that study is masked - and
:func:`radjudge.summarize.run_summarizers` still passes the gold text through
the PHI guard like every summary.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from radjudge.summary_features import without_years

__all__ = ["LAB_FLAG_MARKS", "render_gold_summary", "russian_years"]

#: Mark printed after an abnormal lab value, by the cohort's ``flag``.
LAB_FLAG_MARKS: dict[str | None, str] = {
    "high": "↑",
    "low": "↓",
    "normal": "",
    "": "",
    None: "",
}

_SEX = {"M": "мужчина", "F": "женщина"}


def russian_years(age: int) -> str:
    """``age`` with the Russian word for years in the right form.

    >>> [russian_years(n) for n in (1, 3, 11, 21, 47, 52, 112)]
    ['1 год', '3 года', '11 лет', '21 год', '47 лет', '52 года', '112 лет']
    """
    if isinstance(age, bool) or not isinstance(age, int) or age < 0:
        raise ValueError(f"age must be a non-negative int, got {age!r}")
    if 11 <= age % 100 <= 14:
        word = "лет"
    elif age % 10 == 1:
        word = "год"
    elif 2 <= age % 10 <= 4:
        word = "года"
    else:
        word = "лет"
    return f"{age} {word}"


def _number(value: Any) -> str:
    if isinstance(value, bool):
        raise ValueError(f"lab value must be a number or text, got {value!r}")
    if isinstance(value, float):
        # as the record prints it: 14.2 -> "14,2", 74.0 -> "74,0"
        return repr(value).replace(".", ",")
    return str(value)


def _sentence(text: str) -> str:
    """Lower-case a capitalised first word (not an abbreviation), strip the final period."""
    text = " ".join(str(text).split()).rstrip(".;")
    if len(text) >= 2 and text[0].isupper() and text[1].islower():
        text = text[0].lower() + text[1:]
    return text


def _join(
    items: Sequence[Any], *, field: str, empty: str, clean: Callable[[str], str] = str
) -> str:
    if isinstance(items, str) or not isinstance(items, Sequence):
        raise ValueError(f"facts[{field!r}] must be a list of strings, got {type(items).__name__}")
    parts = [_sentence(clean(x)) for x in items if str(clean(x)).strip()]
    return "; ".join(parts) if parts else empty


def _lab(lab: Mapping[str, Any], where: str) -> str:
    for key in ("name", "value"):
        if key not in lab:
            raise ValueError(f"{where}: lab entry {dict(lab)!r} lacks {key!r}")
    flag = lab.get("flag")
    if flag not in LAB_FLAG_MARKS:
        raise ValueError(
            f"{where}: lab {lab['name']!r} has flag {flag!r}; known flags: "
            f"{sorted(k for k in LAB_FLAG_MARKS if k)} (or none)"
        )
    text = f"{_sentence(lab['name'])} {_number(lab['value'])}"
    if lab.get("unit"):
        text += f" {lab['unit']}"
    if LAB_FLAG_MARKS[flag]:
        text += f" {LAB_FLAG_MARKS[flag]}"
    if lab.get("reference"):
        text += f" (норма {lab['reference']})"
    return text


def render_gold_summary(facts: Mapping[str, Any], *, patient_id: str = "?") -> str:
    """Render the gold summary of one patient from its ground-truth facts.

    Parameters
    ----------
    facts : mapping
        One patient's ``ground_truth["facts"]`` (cohort contract): keys
        ``referral_question``, ``sex``, ``diagnosis``,
        ``key_findings``, ``key_labs``, ``prior_imaging``,
        ``contrast_contraindications``.
    patient_id : str, default "?"
        Only for error messages.

    Returns
    -------
    str
        Seven labelled lines (see the module docstring).

    Raises
    ------
    ValueError
        A missing key, a wrong type or an unknown lab flag, naming the patient.

    Examples
    --------
    >>> print(render_gold_summary({
    ...     "referral_question": "оценка степени некроза поджелудочной железы",
    ...     "age": 47, "sex": "M", "diagnosis": "Острый панкреатит",
    ...     "key_findings": ["конкременты в желчном пузыре"],
    ...     "key_labs": [{"name": "Амилаза", "value": 412, "unit": "Ед/л",
    ...                   "reference": "28-100", "flag": "high"},
    ...                  {"name": "Лейкоциты", "value": 14.2, "unit": "×10^9/л",
    ...                   "reference": "4-9", "flag": "high"}],
    ...     "prior_imaging": ["УЗИ органов брюшной полости"],
    ...     "contrast_contraindications": []}))
    Цель исследования: оценка степени некроза поджелудочной железы.
    Пациент: мужчина.
    Предварительный диагноз: острый панкреатит.
    Ключевые данные: конкременты в желчном пузыре.
    Лабораторные данные: амилаза 412 Ед/л ↑ (норма 28-100); лейкоциты 14,2 ×10^9/л ↑ (норма 4-9).
    Предшествующие исследования: УЗИ органов брюшной полости.
    Противопоказания к контрастированию: не выявлены.
    """
    where = f"patient {patient_id}"
    required = (
        "referral_question",
        "sex",
        "diagnosis",
        "key_findings",
        "key_labs",
        "prior_imaging",
        "contrast_contraindications",
    )
    missing = [k for k in required if k not in facts]
    if missing:
        raise ValueError(f"{where}: ground-truth facts lack {missing}; see the cohort contract")
    if facts["sex"] not in _SEX:
        raise ValueError(f"{where}: sex must be 'M' or 'F', got {facts['sex']!r}")
    labs = facts["key_labs"]
    if isinstance(labs, str) or not isinstance(labs, Sequence):
        raise ValueError(f"{where}: key_labs must be a list of lab mappings")
    lab_text = "; ".join(_lab(lab, where) for lab in labs) or "без особенностей"
    prior = _join(
        facts["prior_imaging"], field="prior_imaging", empty="нет данных", clean=without_years
    )
    contraindications = _join(
        facts["contrast_contraindications"], field="contrast_contraindications", empty="не выявлены"
    )
    lines = [
        f"Цель исследования: {_sentence(facts['referral_question'])}.",
        f"Пациент: {_SEX[facts['sex']]}.",
        f"Предварительный диагноз: {_sentence(facts['diagnosis'])}.",
        f"Ключевые данные: {_join(facts['key_findings'], field='key_findings', empty='нет')}.",
        f"Лабораторные данные: {lab_text}.",
        f"Предшествующие исследования: {prior}.",
        f"Противопоказания к контрастированию: {contraindications}.",
    ]
    return "\n".join(lines)
