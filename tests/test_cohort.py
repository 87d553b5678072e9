"""The synthetic cohort: determinism, the committed file, exact ground-truth offsets, content."""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import cache

import pytest

from radjudge import paths
from radjudge.anonymize.identifiers import inn_is_valid, snils_is_valid
from radjudge.anonymize.names import SURROGATE_FORMS
from radjudge.anonymize.types import PHI_TYPES
from radjudge.cohort import (
    CONDITIONS,
    LENGTH_RANGE,
    cohort_jsonl,
    generate_cohort,
    load_cohort,
    materialize_cohort,
)
from radjudge.profiles import load_profile
from radjudge.records import SECTIONS

DEMO = load_profile("demo")
DEMO_SEED = DEMO.shared["seed"]
DEMO_N = DEMO.section("01_anonymization")["n_patients"]


@cache
def big() -> tuple:
    """A separately generated 300-record cohort (another seed than the demo)."""
    return tuple(generate_cohort(300, seed=DEMO_SEED + 1))


def test_committed_file_is_the_demo_cohort_regenerated_byte_for_byte():
    committed = paths.SYNTHETIC_COHORT.read_bytes()
    assert cohort_jsonl(generate_cohort(DEMO_N, seed=DEMO_SEED)).encode("utf-8") == committed
    assert len(committed.decode("utf-8").splitlines()) == DEMO_N == 30


def test_every_record_is_flagged_synthetic_and_has_the_six_sections_in_order():
    for line in paths.SYNTHETIC_COHORT.read_text("utf-8").splitlines():
        obj = json.loads(line)
        assert obj["synthetic"] is True
        assert list(obj["sections"]) == list(SECTIONS)
        assert set(obj["ground_truth"]) >= {"phi", "facts"}
        facts = obj["ground_truth"]["facts"]
        assert set(facts) == {
            "condition",
            "diagnosis",
            "key_findings",
            "key_labs",
            "contrast_contraindications",
            "prior_imaging",
            "referral_question",
            "age",
            "sex",
        }
    assert all(r.synthetic for r in load_cohort())


def test_generation_is_prefix_stable_and_seeded():
    a = generate_cohort(5, seed=11)
    assert generate_cohort(2, seed=11) == a[:2]
    assert generate_cohort(5, seed=11) == a
    assert [r.sections for r in generate_cohort(5, seed=12)] != [r.sections for r in a]


@pytest.mark.parametrize("which", ["demo", "big"])
def test_every_ground_truth_span_has_exact_offsets(which):
    records = load_cohort() if which == "demo" else big()
    n = 0
    for rec in records:
        for span in (*rec.phi, *rec.clinical):
            assert rec.sections[span.section][span.start : span.end] == span.text, (
                rec.patient_id,
                span,
            )
            n += 1
        assert all(s.type in PHI_TYPES for s in rec.phi)
    assert n > 15 * len(records)


def test_records_fit_the_compute_budget_and_cover_at_least_ten_conditions():
    records = load_cohort()
    lo, hi = LENGTH_RANGE
    assert (lo, hi) == (1200, 1800)
    for rec in (*records, *big()):
        assert lo <= sum(len(t) for t in rec.sections.values()) <= hi, rec.patient_id
    assert len(CONDITIONS) >= 10
    assert set(Counter(r.facts["condition"] for r in records)) == set(CONDITIONS)


def test_phi_appears_in_all_the_forms_real_records_use():
    spans = [s for r in (*load_cohort(), *big()) for s in r.phi]
    assert {s.type for s in spans} == set(PHI_TYPES)
    dates = [s.text for s in spans if s.type == "DATE"]
    forms = {
        "12.03.1961": r"^\d\d\.\d\d\.\d{4}$",
        "12.03.61": r"^\d\d\.\d\d\.\d\d$",
        "3 марта 2023 г.": r"^\d{1,2} [а-я]+ \d{4} г\.$",
        "3 марта": r"^\d{1,2} [а-я]+$",
        "14.11.": r"^\d\d\.\d\d\.$",
        "марте 2021 г.": r"^[а-я]+е \d{4} г\.$",
        "14/06/1961": r"^\d\d/\d\d/\d{4}$",
        "12-04-2022": r"^\d\d-\d\d-\d{4}$",
        "12.III.2021": r"^\d{1,2}\.[IVX]+\.(\d{4}|\d\d)$",
        "16 мар. 2022": r"^\d{1,2} (янв|фев|мар|апр|мая|июн|июл|авг|сен|окт|ноя|дек)\.? \d{4}$",
        "с 03.11 (day.month, no year)": r"^\d\d\.\d\d$",
    }
    for name, rx in forms.items():
        assert any(re.match(rx, d) for d in dates), name
    names = [s.text for s in spans if s.type == "NAME"]
    assert any(re.match(r"^[А-ЯЁ][а-яё]+ [А-ЯЁ]\.\s?[А-ЯЁ]\.$", n) for n in names)  # Иванов И.И.
    assert any(re.match(r"^[А-ЯЁ]\.\s?[А-ЯЁ]\.\s?[А-ЯЁ][а-яё]+$", n) for n in names)  # И.И. Иванов
    assert any(
        re.match(r"^[А-ЯЁ][а-яё]+ [А-ЯЁ][а-яё]+ [А-ЯЁ][а-яё]+(вич|вна|чна)$", n) for n in names
    )
    assert any(
        re.match(r"^[А-ЯЁ][а-яё]+ [А-ЯЁ][а-яё]+(вич|вна|чна) [А-ЯЁ][а-яё]+$", n) for n in names
    )
    oblique = {"ablt": r"(ым|ой|ским) ", "gent": r"(вны|вича) ", "datv": r"(ову|еву|ину) "}
    for case, rx in oblique.items():
        assert any(re.search(rx, n + " ") for n in names), case
    assert any(re.fullmatch(r"[А-ЯЁ-]+ [А-ЯЁ]+ [А-ЯЁ]+", n) for n in names)  # ИВАНОВ ИВАН ИВАНОВИЧ
    assert any(re.fullmatch(r"[а-яё-]+ [а-яё]+( [а-яё]+)?", n) for n in names)  # иванова анна
    assert any(re.fullmatch(r"[а-яё-]+ [а-яё]\.[а-яё]\.", n) for n in names)  # иванова а.с.
    assert any(re.fullmatch(r"[А-ЯЁ][а-яё]+(-[А-ЯЁ][а-яё]+)?", n) for n in names)  # lone: Аракелян
    phones = [s.text for s in spans if s.type == "PHONE"]
    assert any(re.fullmatch(r"\(\d{4}\) \d\d-\d\d-\d\d", p) for p in phones)  # city code
    assert any(re.fullmatch(r"\d{3}-\d\d-\d\d", p) for p in phones)  # local 7 digits
    ids = [s.text for s in spans if s.type == "RECORD_ID"]
    assert any(re.fullmatch(r"\d\d-\d{3}/\d\d", i) for i in ids)
    addresses = [s.text for s in spans if s.type == "ADDRESS"]
    for form in (
        r"^улице [А-ЯЁ]",  # oblique case
        r"(пр-т|просп\.)",  # avenue abbreviations
        r"д\. \d+[АБ]\b",  # a building letter
        r"лит\. [АБВ]",
        r"^[^,]+, \d+-\d+$",  # house-flat "15-47"
        r"(^|, )(\d-й )?[А-ЯЁ][а-яё]+ (ш\.|пр-т|наб\.|мкр\.|пер\.|б-р)",  # name first
    ):
        assert any(re.search(form, a) for a in addresses), form
    assert any(s.type == "URL" for s in spans)
    orgs = [s.text for s in spans if s.type == "ORGANIZATION"]
    assert any(re.fullmatch(r"«[^»]+»", o) for o in orgs)  # insurer after "страховая"
    assert any(re.fullmatch(r"[А-ЯЁ][А-ЯЁа-я]+( им\. .+)?", o) for o in orgs)  # ТвГУ, КГМУ им.


def test_identifiers_carry_valid_check_digits():
    spans = [s for r in (*load_cohort(), *big()) for s in r.phi]
    snils = [s.text for s in spans if s.type == "SNILS"]
    inn = [s.text for s in spans if s.type == "INN"]
    assert snils and inn
    assert all(snils_is_valid(s) for s in snils)
    assert all(inn_is_valid(s) for s in inn)


def _reference_bounds(ref: str) -> tuple[float | None, float | None]:
    ref = ref.replace(",", ".")
    if ref.startswith("<"):
        return None, float(ref[1:])
    if ref.startswith(">"):
        return float(ref[1:]), None
    lo, hi = ref.split("–")
    return float(lo), float(hi)


def test_key_labs_are_consistent_units_references_flags_and_in_the_text():
    for rec in (*load_cohort(), *big()):
        assert rec.facts["key_labs"], rec.patient_id
        for lab in rec.facts["key_labs"]:
            assert set(lab) == {"name", "value", "unit", "reference", "flag"}
            lo, hi = _reference_bounds(lab["reference"])
            expected = (
                "high"
                if hi is not None and lab["value"] > hi
                else "low"
                if lo is not None and lab["value"] < lo
                else "normal"
            )
            assert lab["flag"] == expected, (rec.patient_id, lab)
            value = f"{lab['value']}".replace(".", ",")
            assert value in rec.sections["labs"], (rec.patient_id, lab)


def test_condition_specific_labs_point_the_right_way():
    flags = {
        (r.facts["condition"], lab["name"]): lab["flag"]
        for r in big()
        for lab in r.facts["key_labs"]
    }
    assert flags[("pancreatitis", "Амилаза")] == "high"
    assert flags[("pancreatic_tumor", "Общий билирубин")] == "high"
    assert flags[("blunt_trauma", "Гемоглобин")] == "low"
    assert flags[("small_bowel_obstruction", "Калий")] == "low"


def test_contraindications_and_prior_imaging_in_a_fraction_of_patients():
    records = big()
    with_contra = sum(bool(r.facts["contrast_contraindications"]) for r in records)
    with_prior = sum(bool(r.facts["prior_imaging"]) for r in records)
    assert 0.15 * len(records) < with_contra < 0.7 * len(records)
    assert 0.15 * len(records) < with_prior < 0.8 * len(records)
    texts = " ".join(r.text for r in records)
    for marker in ("СКФ (CKD-EPI)", "Кокрофту–Голту", "йодсодержащий контраст", "метформин"):
        assert marker in texts, marker


def test_clinical_content_to_preserve_is_present():
    records = big()
    texts = " ".join(r.text for r in records)
    for eponym in (
        "болезнь Крона",
        "Щеткина–Блюмберга",
        "симптом Ортнера",
        "синдром Жильбера",
        "Child-Pugh",
        "Кокрофту–Голту",
    ):
        assert eponym.lower() in texts.lower(), eponym
    for eponym in ("Вирхова", "Шморля", "Тарлова", "Гебердена"):  # eponyms of findings
        assert eponym in texts, eponym
    kinds = Counter(s.type for r in records for s in r.clinical)
    assert set(kinds) == {"EPONYM", "DRUG", "LAB", "ICD10", "SIZE", "AGE", "DIAGNOSIS", "SCALE"}
    # a capitalised medical adjective right after the ICD code; a decimal point ending a sentence
    assert any(
        re.fullmatch(r"[А-ЯЁ][а-яё]+(ый|ая|ой|ий|ое)( .+)?", s.text)
        for r in records
        for s in r.clinical
        if s.type == "DIAGNOSIS"
    )
    assert any(re.fullmatch(r"\d\.\d\.", s.text) for r in records for s in r.clinical)
    assert "RECIST 1.1." in texts
    assert all(
        re.fullmatch(r"[A-Z]\d\d\.\d", s.text)
        for r in records
        for s in r.clinical
        if s.type == "ICD10"
    )


def test_records_vary_in_detail():
    lengths = [len(r.sections["labs"]) + len(r.sections["instrumental"]) for r in big()]
    assert max(lengths) > 2 * min(lengths)


def test_the_cohort_never_uses_a_reserved_surrogate_name():
    for rec in (*load_cohort(), *big()):
        for s in rec.phi:
            if s.type == "NAME":
                words = {w.capitalize() for w in re.findall(r"[А-ЯЁа-яё]+", s.text)}
                assert not words & SURROGATE_FORMS, s.text


def test_load_cohort_rejects_corrupt_offsets_naming_the_line(tmp_path):
    lines = paths.SYNTHETIC_COHORT.read_text("utf-8").splitlines()
    obj = json.loads(lines[1])
    obj["ground_truth"]["phi"][0]["start"] += 1
    bad = tmp_path / "bad.jsonl"
    bad.write_text(lines[0] + "\n" + json.dumps(obj, ensure_ascii=False) + "\n", "utf-8")
    with pytest.raises(ValueError, match=r"line 2: ground_truth.phi\[0\]"):
        load_cohort(bad)
    with pytest.raises(FileNotFoundError, match="materialize_cohort"):
        load_cohort(tmp_path / "missing.jsonl")


def test_materialize_rewrites_only_when_the_file_does_not_hold_the_cohort(tmp_path):
    path = tmp_path / "cohort.jsonl"
    path.write_bytes(paths.SYNTHETIC_COHORT.read_bytes())
    before = path.stat().st_mtime_ns
    assert [r.patient_id for r in materialize_cohort(4, seed=DEMO_SEED, path=path)] == [
        "P001",
        "P002",
        "P003",
        "P004",
    ]
    assert (
        path.stat().st_mtime_ns == before
        and path.read_bytes() == paths.SYNTHETIC_COHORT.read_bytes()
    )
    other = materialize_cohort(3, seed=DEMO_SEED + 5, path=path)
    assert path.read_text("utf-8") == cohort_jsonl(other)


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "30"])
def test_generate_cohort_rejects_bad_sizes(bad):
    with pytest.raises(ValueError, match="n_patients"):
        generate_cohort(bad, seed=1)
