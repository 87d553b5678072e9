"""Assemble one synthetic patient: six sections, PHI and clinical spans, key facts."""

from __future__ import annotations

import datetime as dt
import random

from radjudge.anonymize.names import Gender
from radjudge.cohort import _vocab as V
from radjudge.cohort._conditions import CONDITIONS, Condition
from radjudge.cohort._context import (
    C,
    Context,
    F,
    Frag,
    J,
    Lab,
    P,
    T,
    lower_first,
    num,
    plural,
    upper_first,
)

#: Total record length (all sections) the generator aims for, in characters.
#: LLMs on the target machine read Russian at ~400-900 chars/s (see CONTRACTS).
LENGTH_RANGE = (1200, 1800)
_MAX_ATTEMPTS = 200

# key: (label, (lo, hi) male, (lo, hi) female or None = same, unit, decimals)
LABS: dict[
    str,
    tuple[
        str, tuple[float | None, float | None], tuple[float | None, float | None] | None, str, int
    ],
] = {
    "hb": ("Гемоглобин", (130, 160), (120, 140), "г/л", 0),
    "wbc": ("Лейкоциты", (4.0, 9.0), None, "×10⁹/л", 1),
    "band": ("Палочкоядерные", (1, 6), None, "%", 0),
    "plt": ("Тромбоциты", (180, 320), None, "×10⁹/л", 0),
    "esr": ("СОЭ", (2, 15), (2, 20), "мм/ч", 0),
    "hct": ("Гематокрит", (40, 48), (36, 42), "%", 0),
    "crp": ("СРБ", (0, 5), None, "мг/л", 1),
    "glucose": ("Глюкоза", (3.9, 6.1), None, "ммоль/л", 1),
    "creat": ("Креатинин", (62, 106), (44, 80), "мкмоль/л", 0),
    "urea": ("Мочевина", (2.5, 8.3), None, "ммоль/л", 1),
    "egfr": ("СКФ (CKD-EPI)", (60, None), None, "мл/мин/1,73 м²", 0),
    "bili": ("Общий билирубин", (3.4, 20.5), None, "мкмоль/л", 1),
    "dbili": ("Прямой билирубин", (0, 5.1), None, "мкмоль/л", 1),
    "alt": ("АЛТ", (0, 41), (0, 33), "Ед/л", 0),
    "ast": ("АСТ", (0, 40), (0, 32), "Ед/л", 0),
    "alp": ("ЩФ", (40, 130), None, "Ед/л", 0),
    "ggt": ("ГГТ", (10, 71), (6, 42), "Ед/л", 0),
    "amylase": ("Амилаза", (28, 100), None, "Ед/л", 0),
    "lipase": ("Липаза", (13, 60), None, "Ед/л", 0),
    "albumin": ("Альбумин", (35, 52), None, "г/л", 0),
    "k": ("Калий", (3.5, 5.1), None, "ммоль/л", 1),
    "inr": ("МНО", (0.85, 1.15), None, "", 2),
    "aptt": ("АЧТВ", (25, 37), None, "с", 0),
    "cea": ("РЭА", (0, 5), None, "нг/мл", 1),
    "ca199": ("СА 19-9", (0, 37), None, "Ед/мл", 0),
    "lactate": ("Лактат", (0.5, 2.2), None, "ммоль/л", 1),
    "calpro": ("Фекальный кальпротектин", (0, 50), None, "мкг/г", 0),
    "tsh": ("ТТГ", (0.4, 4.0), None, "мЕд/л", 2),
}
_CBC = ("hb", "wbc", "band", "plt", "esr", "hct")
_CHEM = (
    "glucose",
    "creat",
    "urea",
    "egfr",
    "bili",
    "dbili",
    "alt",
    "ast",
    "alp",
    "ggt",
    "amylase",
    "lipase",
    "albumin",
    "k",
    "crp",
    "cea",
    "ca199",
    "lactate",
    "calpro",
    "tsh",
)
_COAG = ("inr", "aptt")

_AGE_RANGE = {
    "appendicitis": (18, 62),
    "cholecystitis": (35, 82),
    "pancreatitis": (28, 72),
    "urolithiasis": (24, 68),
    "diverticulitis": (45, 82),
    "small_bowel_obstruction": (38, 85),
    "liver_metastases": (48, 80),
    "pancreatic_tumor": (50, 82),
    "aortic_aneurysm": (60, 86),
    "perforated_ulcer": (22, 70),
    "blunt_trauma": (18, 64),
    "crohn": (19, 46),
}


def condition_order(seed: int) -> list[str]:
    """The seed's cycle of conditions: patient ``i`` has ``order[i % len(order)]``."""
    order = list(CONDITIONS)
    random.Random(f"radjudge-cohort-order:{seed}").shuffle(order)
    return order


def _lab(ctx: Context, key: str, spec: object = "normal", *, is_key: bool = False) -> Lab:
    label, male, female, unit, decimals = LABS[key]
    lo, hi = female if (ctx.sex == "F" and female is not None) else male
    if isinstance(spec, tuple):
        return ctx.lab(label, lo, hi, unit, decimals, span=spec, key=is_key)
    return ctx.lab(label, lo, hi, unit, decimals, str(spec), key=is_key)


def _comorbidities(
    ctx: Context, cond: Condition, contra: set[str]
) -> tuple[list[Frag], list[Frag]]:
    """Chronic diseases and the drugs taken for them."""
    r, age = ctx.rng, ctx.age
    diseases: list[Frag] = []
    drugs: list[Frag] = []
    if age > 45 and ctx.chance(0.6):
        diseases.append(T(f"гипертоническая болезнь {ctx.pick(('II', 'III'))} ст."))
        drugs.append(ctx.drug(ctx.pick(("lisinopril", "losartan", "amlodipine", "bisoprolol"))))
    if "metformin" in contra:
        diseases.append(
            T("сахарный диабет 2 типа")
            + ((" (" + C("E11.9", "ICD10") + ")") if ctx.chance(0.4) else "")
        )
        drugs.append(ctx.drug("metformin"))
    elif age > 45 and ctx.chance(0.12):
        diseases.append(T("сахарный диабет 2 типа, инсулинопотребный"))
        drugs.append(ctx.drug("insulin"))
    if age > 58 and ctx.chance(0.3):
        diseases.append(T("ИБС: стенокардия напряжения II ФК"))
        drugs.append(ctx.drug("atorvastatin"))
    if age > 60 and ctx.chance(0.12):
        diseases.append(T("фибрилляция предсердий, постоянная форма"))
        drugs.append(ctx.drug(ctx.pick(("apixaban", "warfarin"))))
    if "ckd" in contra:
        diseases.append(T(f"ХБП С{ctx.pick(('3б', '4'))}"))
        drugs.append(ctx.drug("torasemide"))
    if "thyrotoxicosis" in contra:
        diseases.append(T("диффузный токсический зоб, субкомпенсация"))
        drugs.append(ctx.drug("thiamazole"))
    if ctx.chance(0.08) and cond.code not in ("pancreatic_tumor",):
        diseases.append(F("синдром {e}", e=ctx.eponym("Жильбера")))
    if ctx.chance(0.06) and cond.code != "crohn":
        diseases.append(F("цирроз печени в исходе ХГС, класс A по {e}", e=ctx.eponym("Child-Pugh")))
    if ctx.chance(0.15):
        diseases.append(T("ГЭРБ"))
        drugs.append(ctx.drug("omeprazole"))
    if ctx.sex == "M" and age > 55 and ctx.chance(0.2):
        diseases.append(T("ДГПЖ"))
        drugs.append(ctx.drug("tamsulosin"))
    _ = r
    return diseases[:4], drugs[:4]


def _operations(ctx: Context, cond: Condition) -> list[Frag]:
    ops: list[Frag] = []
    year = ctx.admission.year
    pool = []
    if cond.code not in ("appendicitis", "crohn"):
        pool.append("аппендэктомия")
    if cond.code not in ("cholecystitis", "pancreatitis", "pancreatic_tumor"):
        pool.append("лапароскопическая холецистэктомия")
    pool.append("грыжесечение справа")
    if ctx.sex == "F":
        pool.append("кесарево сечение")
    for _ in range(ctx.rng.choice((0, 0, 1, 1, 2))):
        op = ctx.pick(pool)
        if any(op in o.plain for o in ops):
            continue
        ops.append(T(f"{op} ({year - ctx.rng.randrange(2, max(3, ctx.age - 16))} г.)"))
    return ops


def build_patient(seed: int, index: int, attempt: int = 0) -> tuple[dict[str, Frag], dict]:
    """Sections (as fragments) and facts of patient ``index`` (0-based)."""
    rng = random.Random(f"radjudge-cohort:{seed}:{index}:{attempt}")
    code = condition_order(seed)[index % len(CONDITIONS)]
    lo, hi = _AGE_RANGE[code]
    sex: Gender = "M" if rng.random() < (0.85 if code == "aortic_aneurysm" else 0.5) else "F"
    age = rng.randrange(lo, hi + 1)
    admission = dt.date(2023, 1, 10) + dt.timedelta(days=rng.randrange(0, 700))
    detail = rng.choice(("brief", "standard", "standard", "detailed"))
    ctx = Context(
        rng=rng,
        sex=sex,
        age=age,
        admission=admission,
        patient=None,  # type: ignore[arg-type]  # set below: new_person needs the context
        detail=detail,
    )
    ctx.patient = ctx.new_person(sex)
    ctx.hospital = ctx.make_hospital()
    cond = CONDITIONS[code](ctx)
    pat = ctx.patient
    dob = admission - dt.timedelta(days=365 * age + rng.randrange(10, 350) + age // 4)

    contra: set[str] = set()
    if ctx.chance(0.12 + (0.15 if age > 65 else 0.0)):
        contra.add("ckd")
    if ctx.chance(0.12):
        contra.add("iodine_allergy")
    if age > 40 and ctx.chance(0.22):
        contra.add("metformin")
    if ctx.chance(0.04):
        contra.add("thyrotoxicosis")

    # ---- complaints ---------------------------------------------------------------
    intro = ctx.rng.random()
    if intro < 0.12:  # a referral header prints the name in capitals
        complaints = F(
            "Пациент{g}: {n}, {a}. Жалобы на {c}.",
            g=ctx.g("", "ка"),
            n=ctx.caps_name(pat, "nomn"),
            a=ctx.age_frag(),
            c=cond.complaints,
        )
    elif intro < 0.5:
        who = ctx.pick((ctx.g("Пациент", "Пациентка"), ctx.g("Больной", "Больная")))
        complaints = F(
            "{w} {n}, {a}, {v} с жалобами на {c}.",
            w=who,
            n=ctx.name(pat, "nomn"),
            a=ctx.age_frag(),
            v=ctx.pick((ctx.g("поступил", "поступила"), ctx.g("обратился", "обратилась"))),
            c=cond.complaints,
        )
    elif intro < 0.65:
        complaints = F(
            "{n} ({d} г.р.) предъявляет жалобы на {c}.",
            n=ctx.name(pat, "nomn", ("SFP", "S_II")),
            d=ctx.date(dob, ("num", "num", "num2")),
            c=cond.complaints,
        )
    else:
        complaints = F("На {c}.", c=cond.complaints)

    # ---- present illness ----------------------------------------------------------
    illness: list[Frag] = [cond.onset]
    if ctx.chance(0.2):
        illness.append(
            F("Ухудшение с {d}.", d=ctx.date(ctx.days_before(rng.randrange(1, 5)), ("dm_bare",)))
        )
    if ctx.chance(0.18):
        illness.append(
            F(
                "Подобный эпизод был в {d}, лечил{a}сь амбулаторно.",
                d=ctx.date(ctx.days_before(rng.randrange(200, 900)), ("month_year",)),
                a=ctx.g("", "а"),
            )
        )
    role_key = {
        "urolithiasis": "urologist",
        "aortic_aneurysm": "vascular",
        "blunt_trauma": "duty_surgeon",
        "crohn": "gastro",
        "liver_metastases": "oncologist",
    }.get(code, ctx.pick(("surgeon", "duty_surgeon")))
    role_ins, role_dat, role_gen = V.DOCTOR_ROLES[role_key]
    admit = ctx.days_before(0)
    style = rng.randrange(3)
    rid_label = None
    if style == 0:
        rid = ctx.record_number()
        illness.append(
            F(
                "{d} бригадой СМП (карта вызова № {r}) доставлен{a} в приёмное отделение {h}.",
                d=ctx.date(admit, ("num", "text", "dm", "abbr", "slash")),
                r=rid,
                a=ctx.g("", "а"),
                h=ctx.hospital,
            )
        )
        rid_label = "call"
    elif style == 1:
        illness.append(
            F(
                "Обратил{a} в {h} {d}, госпитализирован{b}.",
                a=ctx.g("ся", "ась"),
                b=ctx.g("", "а"),
                h=ctx.hospital,
                d=ctx.date(admit, ("num", "text", "roman", "hyphen")),
            )
        )
    else:
        illness.append(
            F(
                "Госпитализирован{a} в {h} {d}.",
                a=ctx.g("", "а"),
                h=ctx.hospital,
                d=ctx.date(admit, ("num", "text", "dm", "roman", "abbr")),
            )
        )
    if ctx.chance(0.3):
        rel_kind = ctx.pick(("жены", "мужа", "дочери", "сына"))
        if (rel_kind == "жены" and sex == "F") or (rel_kind == "мужа" and sex == "M"):
            rel_kind = "дочери"
        rel_gender: Gender = "F" if rel_kind in ("жены", "дочери") else "M"
        same_name = rel_kind in ("жены", "мужа", "сына") or ctx.chance(0.3)
        rel = ctx.new_person(rel_gender, pat.surname if same_name else None)
        illness.append(
            F(
                "Анамнез частично со слов {k}, {n}.",
                k=rel_kind,
                n=ctx.lower_name(rel, "gent")
                if ctx.chance(0.35)
                else ctx.name(rel, "gent", ("SFP", "FPS", "FP")),
            )
        )
    surgeon = ctx.doctor()
    if ctx.chance(0.7):
        illness.append(
            F(
                "Осмотрен{a} {r} {n}: ",
                a=ctx.g("", "а"),
                r=role_ins,
                n=ctx.name(surgeon, "ablt", ("S_II", "II_S", "SFP", "S_I_I")),
            )
            + lower_first(cond.exam)
        )
    else:
        illness.append(T("Объективно: ") + lower_first(cond.exam))
    if ctx.chance(0.2):
        rare = ctx.pick(V.RARE_SURNAMES)
        ctx.used_surnames.add(rare)
        illness.append(
            F(
                "Консультирован{a} {r} {n}.",
                a=ctx.g("", "а"),
                r=ctx.pick(("заведующим отделением", "врачом-эндоскопистом", "анестезиологом")),
                n=P(rare, "NAME"),
            )
        )

    # ---- past history ---------------------------------------------------------------
    past: list[Frag] = []
    diseases, drugs = _comorbidities(ctx, cond, contra)
    past.extend(cond.history)
    if diseases:
        past.append(T("Хронические заболевания: ") + J(", ", diseases) + ".")
    else:
        past.append(T("Хронические заболевания отрицает."))
    ops = _operations(ctx, cond)
    if ops:
        past.append(T("Операции: ") + J(", ", ops) + ".")
    if "iodine_allergy" in contra:
        past.append(
            F(
                "Аллергия: на йодсодержащий контраст (КТ в {y} г. — крапивница, отёк {q}).",
                y=str(admission.year - rng.randrange(1, 8)),
                q=ctx.eponym("Квинке"),
            )
        )
    elif ctx.chance(0.25):
        past.append(
            T(
                ctx.pick(
                    (
                        "Аллергия на пенициллин (сыпь).",
                        "Аллергия на новокаин.",
                        "Аллергия на цитрусовые.",
                    )
                )
            )
        )
    else:
        past.append(T("Аллергологический анамнез не отягощён."))
    if drugs:
        past.append(T("Принимает: ") + J(", ", drugs) + ".")
    if code == "pancreatitis" and "алкоголь" in cond.diagnosis:
        past.append(T("Алкоголь — регулярно."))
    elif ctx.chance(0.35):
        years = rng.randrange(3, max(4, age - 15))
        past.append(T(f"Курит {years} {plural(years, 'год', 'года', 'лет')}."))
    if age < 63 and ctx.chance(0.1):
        org_name, pos_m, pos_f = ctx.pick(V.ABBREVIATED_EMPLOYERS)
        past.append(F("Работает {p} в {o}.", p=ctx.g(pos_m, pos_f), o=P(org_name, "ORGANIZATION")))
    elif age < 63 and ctx.chance(0.5):
        org, position = ctx.employer()
        past.append(F("Работает {p} в {o}.", p=position, o=org))
    elif age >= 60:
        past.append(T(ctx.g("Пенсионер.", "Пенсионерка.")))
    if ctx.chance(0.15):
        place_in, _ = ctx.pick(V.TRAVEL_PLACES)
        past.append(
            F("За месяц до болезни отдыхал{a} в {p}.", a=ctx.g("", "а"), p=P(place_in, "LOCATION"))
        )
    contacts: list[Frag] = []
    if ctx.chance(0.2):
        prep, where = ctx.oblique_address()
        contacts.append(F("Проживает {p} {a}.", p=prep, a=where))
    elif ctx.chance(0.45):
        contacts.append(F("Адрес: {a}.", a=ctx.address()))
    if ctx.chance(0.45):
        contacts.append(F("Тел. {p}.", p=ctx.phone()))
    if ctx.chance(0.25):
        contacts.append(F("E-mail: {e}.", e=ctx.email(pat)))
    if ctx.chance(0.2):
        contacts.append(F("Результаты исследований: {u}.", u=ctx.url()))
    past.extend(contacts)
    ids: list[Frag] = []
    if ctx.chance(0.5):
        ids.append(F("полис ОМС № {p}", p=ctx.oms()))
    elif ctx.chance(0.3):
        ids.append(
            F(
                "полис ДМС № {p}, страховая {s}",
                p=ctx.dms(),
                s=P(ctx.pick(V.INSURERS), "ORGANIZATION"),
            )
        )
    if ctx.chance(0.4):
        ids.append(F("СНИЛС {s}", s=ctx.snils()))
    if ctx.chance(0.25):
        pp, label = ctx.passport()
        ids.append(T(label) + pp)
    if ctx.chance(0.2):
        ids.append(F("ИНН {i}", i=ctx.inn()))
    if ids:
        past.append(T("Страховой анамнез: ") + J(", ", ids) + ".")

    # ---- labs -------------------------------------------------------------------------
    lab_specs: dict[str, object] = dict(cond.labs)
    keys = set(cond.key_labs)
    if "ckd" in contra:
        lab_specs["creat"] = (165, 290) if sex == "M" else (140, 250)
        lab_specs["egfr"] = (18, 42)
        keys |= {"creat", "egfr"}
    if "thyrotoxicosis" in contra:
        lab_specs["tsh"] = (0.01, 0.08)
        keys.add("tsh")
    n_extra = {"brief": 1, "standard": 3, "detailed": 5}[detail]
    basics = [
        k
        for k in ("hb", "wbc", "plt", "glucose", "creat", "bili", "alt", "ast", "urea", "esr")
        if k not in lab_specs
    ]
    for k in basics[:n_extra]:
        lab_specs[k] = "normal"
    if contra & {"ckd", "metformin"} or cond.contrast and ctx.chance(0.5):
        lab_specs.setdefault("creat", "normal")
    if detail == "detailed":
        lab_specs.setdefault("inr", "normal")
    labs_out: list[Frag] = []
    lab_date = ctx.date(admit, ("num", "dm", "text", "slash", "hyphen", "abbr"))
    use_cockcroft = "ckd" in contra and ctx.chance(0.5)
    blocks = (("ОАК", _CBC), ("Б/х крови", _CHEM), ("Коагулограмма", _COAG))
    for title, panel in blocks:
        items = []
        for key in panel:
            if key not in lab_specs:
                continue
            lab = _lab(ctx, key, lab_specs[key], is_key=key in keys)
            if key == "egfr" and use_cockcroft:
                cockcroft = F("КК по {e}", e=ctx.eponym("Кокрофту–Голту"))
                lab.name = "Клиренс креатинина (Кокрофт–Голт)"
                lab.unit = "мл/мин"
                items.append(
                    cockcroft
                    + " "
                    + C(f"{num(lab.value, 0)} мл/мин", "LAB")
                    + f" ({lab.reference})"
                )
                continue
            items.append(ctx.lab_frag(lab, ref=detail != "brief" or lab.flag != "normal"))
        if items:
            labs_out.append(T(f"{title}: ") + J(", ", items) + ".")
    if ctx.chance(0.3):  # a decimal point, not a comma, and the sentence ends on the value
        na, potassium = rng.randrange(134, 146), rng.uniform(3.6, 5.0)
        labs_out.append(
            T("Электролиты: натрий ")
            + C(f"{na} ммоль/л", "LAB")
            + ", калий "
            + C(f"{potassium:.1f}.", "LAB")
        )
    if cond.urine is not None:
        labs_out.append(cond.urine)
    elif detail == "detailed":
        labs_out.append(T("ОАМ: без патологии."))
    if labs_out:
        labs_out[0] = F("{d}: ", d=lab_date) + labs_out[0]

    # ---- instrumental -------------------------------------------------------------------
    instr: list[Frag] = []
    for i, line in enumerate(cond.instrumental):
        if i == 0 and ctx.chance(0.35):
            sono = ctx.doctor()
            line = line + F(" Врач {n}.", n=ctx.name(sono, "nomn", ("S_II", "II_S")))
        instr.append(line)
    af = any("фибрилляция" in d.plain for d in diseases)
    if age > 40 or detail == "detailed":
        instr.append(
            T("ЭКГ: ")
            + (
                T(f"фибрилляция предсердий, ЧСЖ {rng.randrange(78, 110)} в мин.")
                if af
                else T(f"ритм синусовый, ЧСС {rng.randrange(64, 108)} в мин.")
            )
        )
    if detail == "detailed" and code not in ("blunt_trauma",):
        instr.append(T("Рентгенография ОГК: без очаговых и инфильтративных изменений."))
    if ctx.chance(0.2):
        before, rest = ctx.pick(V.FINDING_EPONYMS).split("{")
        name, after = rest.split("}")
        instr.append(T(before) + ctx.eponym(name) + after)
    if code in ("liver_metastases", "pancreatic_tumor") and ctx.chance(0.5):
        instr.append(T("Оценка ответа по ") + C("RECIST 1.1.", "SCALE"))
    prior_facts: list[str] = []
    for text, fact in cond.prior:
        instr.append(text)
        prior_facts.append(fact)
    if ctx.chance(0.25):
        d = ctx.days_before(rng.randrange(200, 1500))
        where = ctx.make_hospital(outpatient=True)
        instr.append(
            F(
                "УЗИ ОБП от {d} ({h}): диффузные изменения печени.",
                d=ctx.date(d, ("num", "text", "hyphen", "abbr", "roman")),
                h=where,
            )
        )
        prior_facts.append(f"УЗИ ОБП {d.year} г.: диффузные изменения печени")

    # ---- referral -----------------------------------------------------------------------
    ref: list[Frag] = [T(f"Направляется на {cond.protocol}. Цель: {cond.question}.")]
    if ctx.chance(0.4):  # "Диагноз: K85.1 Билиарный панкреатит": a capitalised adjective leads
        ref.append(
            F(
                "Диагноз: {c} {dx}.",
                c=ctx.icd(cond.icd),
                dx=C(cond.diagnosis[0].upper() + cond.diagnosis[1:], "DIAGNOSIS"),
            )
        )
    else:
        ref.append(F("Диагноз: {dx} ({c}).", dx=cond.diagnosis, c=ctx.icd(cond.icd)))
    contra_facts: list[str] = []
    egfr_lab = next((lab for lab in ctx.key_labs if lab.unit.startswith("мл/мин")), None)
    if "ckd" in contra and egfr_lab is not None:
        contra_facts.append(
            f"снижение функции почек: {egfr_lab.name} {num(egfr_lab.value, 0)} {egfr_lab.unit}"
        )
    if "iodine_allergy" in contra:
        contra_facts.append("аллергическая реакция на йодсодержащий контраст в анамнезе")
    if "metformin" in contra:
        contra_facts.append("приём метформина")
    if "thyrotoxicosis" in contra:
        contra_facts.append("тиреотоксикоз (ТТГ снижен)")
    if contra_facts and cond.contrast and ctx.chance(0.75):
        ref.append(T("Внимание: " + "; ".join(contra_facts) + "."))
    if ctx.chance(0.6):
        ref_doc = ctx.doctor()
        ref.append(
            F(
                "Направил{a} {r} {n}.",
                a="а" if ref_doc.gender == "F" else "",
                r=ctx.pick(("лечащий врач", "дежурный хирург", "зав. отделением")),
                n=ctx.name(ref_doc, "nomn", ("S_II", "SFP", "II_S")),
            )
        )
    if ctx.chance(0.25):
        ref.append(
            F(
                "Результат передать {r} {n}.",
                r=role_dat,
                n=ctx.name(surgeon, "datv", ("S_II", "SFP", "IIS")),
            )
        )
    tail: list[Frag] = []
    if rid_label is None and ctx.chance(0.65):
        tail.append(
            F(
                "{k} № {r}",
                k=ctx.pick(("ИБ", "История болезни", "Мед. карта", "Амб. карта")),
                r=ctx.record_number(),
            )
        )
    if ctx.chance(0.3):
        tail.append(F("тел. отделения {p}", p=ctx.phone()))
    if ctx.chance(0.5):
        tail.append(F("дата {d}", d=ctx.date(admit, ("num", "num2", "text", "slash"))))
    if tail:
        ref.append(upper_first(J(", ", tail)) + ".")

    sections = {
        "complaints": complaints,
        "present_illness": J(" ", illness),
        "past_history": J(" ", past),
        "labs": J(" ", labs_out),
        "instrumental": J(" ", instr),
        "referral": J(" ", ref),
    }
    facts = {
        "condition": code,
        "diagnosis": f"{cond.diagnosis} ({cond.icd})",
        "key_findings": list(cond.key_findings),
        "key_labs": [lab.fact() for lab in ctx.key_labs],
        "contrast_contraindications": contra_facts,
        "prior_imaging": prior_facts,
        "referral_question": cond.question,
        "age": age,
        "sex": sex,
    }
    return sections, facts


def generate_patient(seed: int, index: int) -> tuple[dict[str, Frag], dict, int]:
    """First attempt whose total length lies in :data:`LENGTH_RANGE` (deterministic)."""
    lo, hi = LENGTH_RANGE
    for attempt in range(_MAX_ATTEMPTS):
        sections, facts = build_patient(seed, index, attempt)
        total = sum(len(f.plain) for f in sections.values())
        if lo <= total <= hi:
            return sections, facts, attempt
    raise RuntimeError(
        f"patient {index}: no record within {LENGTH_RANGE} chars "
        f"after {_MAX_ATTEMPTS} attempts; the templates need tuning"
    )
