"""Natasha NER, for real: loaded once, batched, corrected for clinical text."""

from __future__ import annotations

from radjudge.anonymize.ner import find_entities, find_entities_batch, ner_tagger


def spans(text: str) -> list[tuple[str, str]]:
    return [(d.type, text[d.start : d.end]) for d in find_entities(text)]


def test_the_model_loads_once():
    assert ner_tagger() is ner_tagger()


def test_persons_places_organisations():
    text = "Со слов дочери, Смирновой Анны Петровны, отдыхал в Сочи; работает в ООО «Тверьхлеб»."
    got = spans(text)
    assert ("NAME", "Смирновой Анны Петровны") in got
    assert ("LOCATION", "Сочи") in got
    assert any(t == "ORGANIZATION" and "Тверьхлеб" in v for t, v in got)


def test_person_spans_are_cut_at_lower_case_words_and_sentence_initial_common_words():
    text = "Консультирована урологом И.С. Кузнецовой. Колоноскопия: дивертикулы."
    assert spans(text) == [("NAME", "И.С. Кузнецовой")]


def test_lab_lines_and_medical_abbreviations_are_not_organisations():
    text = (
        "Б/х крови: глюкоза 5,1 ммоль/л, АСТ 72 Ед/л (0–40)↑, ОАК без особенностей. КТ ОБП, ФГДС."
    )
    assert [t for t, _ in spans(text) if t != "NAME"] == []


def test_foreign_names_with_particles_stay_whole():
    text = "Об этом заявил Франк де Блекере, а также Абу Машар ибн Эзра."
    got = [v for t, v in spans(text) if t == "NAME"]
    assert any("Блекере" in v and "Франк" in v for v in got)


def test_batch_equals_one_by_one_and_empty_texts_are_fine():
    texts = ["Осмотрен хирургом Петровым А.В.", "", "   ", "Пациентка Иванова Мария Петровна."]
    batch = find_entities_batch(texts)
    assert batch[1] == batch[2] == []
    assert batch == [find_entities(t) for t in texts]
