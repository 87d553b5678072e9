"""Anonymization throughput and the speed of the guard's residual-PHI scan.

Measured on the synthetic cohort (60 records, ~1600 characters each), models
loaded and warmed up before timing:

* the full anonymizer (:func:`radjudge.anonymize.anonymize_records`: rules +
  Natasha NER + pymorphy3 + heuristics + replacement, then the guard's scan of
  the output until clean, then sealing) in records/s and characters/s.
  Baseline in the same run: Natasha NER alone on the same section texts
  (batched) - the single most expensive part. Ratio = full time / NER-alone
  time. The anonymizer tags every sentence of the record (with four tokens of
  context) and, scanning its output, only the sentences its replacements
  changed; ``ner_characters_per_record_character`` counts what the tagger
  read per character of the records (machine-independent: 2 would mean the
  whole record was tagged twice).
* :func:`radjudge.anonymize.check_llm_text`, which runs on every prompt sent to
  an LLM: the same four detectors, line by line, memoized per line. *Cold*:
  60 distinct prompts (an instruction + one anonymized record) with an empty
  detection cache - every line is detected. *Warm*: 600 such prompts, the
  lines seen before (a judge sweep embeds each record and rubric line in
  thousands of prompts). Baseline in the same run: one trivial
  regular-expression pass over the same prompts (the floor of any scan).
"""

from __future__ import annotations

import re
import time

from radjudge.anonymize import anonymize_records, check_llm_text
from radjudge.anonymize.analyzer import analyzer
from radjudge.anonymize.detect import clear_detection_cache
from radjudge.anonymize.ner import ner_cache_characters, ner_tagger
from radjudge.cohort import generate_cohort
from radjudge.records import SECTIONS

N_RECORDS = 60
N_PROMPTS = 600
INSTRUCTION = (
    "Вы — врач-рентгенолог. Кратко изложите медицинскую запись пациента, направленного на КТ "
    "органов брюшной полости: диагноз, ключевые находки, лабораторные данные, противопоказания "
    "к контрастированию, предыдущие исследования и цель исследования.\n\n"
)


def _best(fn, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def run() -> dict:
    records = generate_cohort(N_RECORDS, seed=1)
    texts = [r.sections[k] for r in records for k in SECTIONS]
    n_chars = sum(len(t) for t in texts)
    # warm-up: load the models once, fill the parse caches with a different cohort
    ner_tagger()
    analyzer()
    anonymize_records(generate_cohort(3, seed=2))

    tagger = ner_tagger()
    t_ner = _best(lambda: list(tagger.map(texts)), repeats=1)
    clear_detection_cache()
    t0 = time.perf_counter()
    results = anonymize_records(records)
    t_full = time.perf_counter() - t0
    ner_chars = ner_cache_characters()

    distinct = [INSTRUCTION + r.record.text for r in results]
    prompts = [distinct[i % N_RECORDS] for i in range(N_PROMPTS)]
    prompt_chars = sum(len(p) for p in prompts)
    digit = re.compile(r"\d{3}")
    t_floor = _best(lambda: [digit.findall(p) for p in prompts])
    clear_detection_cache()
    t0 = time.perf_counter()
    for p in distinct:
        check_llm_text(p)
    t_cold = time.perf_counter() - t0
    t_warm = _best(lambda: [check_llm_text(p) for p in prompts])

    return {
        "records": N_RECORDS,
        "characters": n_chars,
        "anonymize_records_per_s": round(N_RECORDS / t_full, 2),
        "anonymize_chars_per_s": round(n_chars / t_full),
        "ner_alone_records_per_s": round(N_RECORDS / t_ner, 2),
        "ratio_anonymize_vs_ner_alone": round(t_full / t_ner, 2),
        "ner_characters_per_record_character": round(ner_chars / n_chars, 2),
        "guard_cold_prompts_per_s": round(N_RECORDS / t_cold, 2),
        "guard_warm_prompts": N_PROMPTS,
        "guard_warm_prompts_per_s": round(N_PROMPTS / t_warm),
        "guard_warm_ms_per_prompt": round(1000 * t_warm / N_PROMPTS, 3),
        "ratio_guard_warm_vs_one_regex": round(t_warm / t_floor, 1),
        "guard_warm_mb_per_s": round(prompt_chars / t_warm / 1e6, 2),
    }


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key:32s} {value}")
