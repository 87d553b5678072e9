"""Natasha NER, for real: loaded once, batched, corrected for clinical text."""

from __future__ import annotations

from radjudge.anonymize.ner import (
    clear_ner_cache,
    find_entities,
    find_entities_batch,
    ner_cache_characters,
    ner_tagger,
    sentence_spans,
)


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


def test_sentences_split_at_full_stops_only():
    text = "Осмотрен И.И. Петровым. Рекомендовано: КТ. Проживает в г. Тула, просп. Мира! Жалоб нет"
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        "Осмотрен И.И. Петровым.",
        "Рекомендовано: КТ. Проживает в г. Тула, просп. Мира!",
        "Жалоб нет",
    ]


def test_only_the_sentences_a_replacement_changed_are_tagged_again():
    # issue 14, second round: the anonymizer's re-scan of its output re-runs NER only where
    # the output differs from the record (a sentence and the four tokens before it)
    raw = (
        "Жалобы на боли в эпигастрии после еды. Осмотрен хирургом Петровым А.В. в приёмном "
        "отделении. Живот мягкий, безболезненный при пальпации во всех отделах."
    )
    clear_ner_cache()
    first = find_entities_batch([raw])[0]
    assert ("NAME", "Петровым А.В.") in [(d.type, raw[d.start : d.end]) for d in first]
    tagged = ner_cache_characters()
    out = raw.replace("Петровым А.В.", "[ФИО]")
    find_entities_batch([out])
    # the changed sentence and its context, the last four tokens before it
    # ("эпигастрии после еды .")
    changed = out[out.index("эпигастрии") : out.index(" Живот")]
    assert ner_cache_characters() - tagged == len(changed)
