"""The clinical conditions of the synthetic cohort.

Each condition is a function of the patient context returning a
:class:`Condition`: complaints, the history of the present illness (with
dates), the examination (with the classic eponymous signs), condition-specific
lab values (consistent with the disease: units, reference ranges, flags),
instrumental findings (ultrasound, X-ray, ECG, endoscopy, sizes in mm), the
referral question and the CT protocol asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from radjudge.cohort._context import C, Context, F, Frag, T, num, plural

__all__ = ["Condition", "CONDITIONS"]


@dataclass
class Condition:
    code: str
    diagnosis: str
    icd: str
    complaints: str
    onset: Frag
    exam: Frag
    labs: dict[str, object]  # lab key -> "high" | "low" | (lo, hi) span
    key_labs: tuple[str, ...]
    instrumental: list[Frag]
    key_findings: list[str]
    question: str
    protocol: str
    contrast: bool = True  # the protocol uses i.v. contrast
    history: list[Frag] = field(default_factory=list)
    urine: Frag | None = None
    prior: list[tuple[Frag, str]] = field(default_factory=list)  # (record text, fact)


CT_CONTRAST = "КТ органов брюшной полости и малого таза с внутривенным болюсным контрастированием"


def _onset_date(ctx: Context, days: int) -> Frag:
    return ctx.date(ctx.days_before(days), ("text_noyear", "dm", "num", "text"))


def _hours(ctx: Context) -> str:
    return f"{ctx.rng.randrange(0, 24):02d}:{ctx.pick(('00', '15', '30', '40'))}"


def appendicitis(ctx: Context) -> Condition:
    r = ctx.rng
    diam = r.randrange(9, 14)
    fluid = ctx.chance(0.5)
    us = F(
        "УЗИ ОБП: в правой подвздошной области визуализируется несжимаемый червеобразный "
        "отросток диаметром {d}, стенка утолщена до {w}, слоистость сохранена"
        "{f}.",
        d=ctx.size(f"{diam} мм"),
        w=ctx.size(f"{r.randrange(3, 5)} мм"),
        f=T(", небольшое количество свободной жидкости в малом тазу") if fluid else T(""),
    )
    findings = [f"УЗИ: червеобразный отросток {diam} мм, утолщение стенки"]
    if fluid:
        findings.append("свободная жидкость в малом тазу")
    findings.append("положительные симптомы Щеткина–Блюмберга и Ровзинга")
    return Condition(
        code="appendicitis",
        diagnosis="Острый аппендицит",
        icd="K35.8",
        complaints=f"боли в правой подвздошной области, тошноту, однократную рвоту, "
        f"повышение температуры до {num(r.uniform(37.3, 38.4), 1)} °C",
        onset=F(
            "Заболел{a} {d} около {t}, когда появились боли в эпигастрии, через 4–6 ч "
            "сместившиеся в правую подвздошную область (симптом {k}). Принимал{a} "
            "дротаверин без эффекта.",
            a=ctx.g("", "а"),
            d=_onset_date(ctx, 1),
            t=_hours(ctx),
            k=ctx.eponym("Кохера"),
        ),
        exam=F(
            "Язык суховат. Живот не вздут, болезненный и напряжённый в правой подвздошной "
            "области. Симптомы {a}, {b}, {c} положительные.",
            a=ctx.eponym("Щеткина–Блюмберга"),
            b=ctx.eponym("Ровзинга"),
            c=ctx.eponym("Ситковского"),
        ),
        labs={"wbc": (11.5, 17.5), "band": (8, 16), "crp": (18, 95)},
        key_labs=("wbc", "crp"),
        instrumental=[us],
        key_findings=findings,
        question="подтвердить острый аппендицит, исключить периаппендикулярный инфильтрат и "
        "абсцесс (атипичное расположение отростка)",
        protocol=CT_CONTRAST,
    )


def cholecystitis(ctx: Context) -> Condition:
    r = ctx.rng
    length, width = r.randrange(95, 125), r.randrange(38, 52)
    wall, stone, cbd = r.randrange(5, 9), r.randrange(8, 26), r.randrange(5, 10)
    us = F(
        "УЗИ ОБП: желчный пузырь {s}, стенка утолщена до {w}, двойной контур; в просвете "
        "множественные конкременты до {st}, в шейке фиксированный конкремент. Холедох {c}.",
        s=ctx.size(f"{length}×{width} мм"),
        w=ctx.size(f"{wall} мм"),
        st=ctx.size(f"{stone} мм"),
        c=ctx.size(f"{cbd} мм"),
    )
    findings = [
        f"желчный пузырь {length}×{width} мм, стенка {wall} мм, конкременты до {stone} мм",
        f"холедох {cbd} мм",
        "положительные симптомы Ортнера и Мерфи",
    ]
    history = []
    if ctx.chance(0.6):
        history.append(
            F(
                "ЖКБ с {y} г., от плановой холецистэктомии отказывал{a}сь.",
                y=str(ctx.admission.year - r.randrange(2, 9)),
                a=ctx.g("", "а"),
            )
        )
    return Condition(
        code="cholecystitis",
        diagnosis="ЖКБ. Острый калькулёзный холецистит",
        icd="K80.0",
        complaints="интенсивные боли в правом подреберье с иррадиацией в правую лопатку, "
        "горечь во рту, многократную рвоту желчью",
        onset=F(
            "Ухудшение с {d} после погрешности в диете (жирная пища). Боли постоянные, "
            "нарастают, спазмолитики без эффекта; {t} температура до {c} °C.",
            d=_onset_date(ctx, r.randrange(1, 4)),
            t=T("вечером") if ctx.chance(0.5) else T("ночью"),
            c=num(r.uniform(37.6, 38.9), 1),
        ),
        exam=(
            F(
                "Склеры субиктеричны. Живот мягкий, болезненный в правом подреберье, пальпируется "
                "дно желчного пузыря. Симптомы {a}, {b}, {c} положительные, симптом {d} "
                "отрицательный.",
                a=ctx.eponym("Ортнера"),
                b=ctx.eponym("Мерфи"),
                c=ctx.eponym("Кера"),
                d=ctx.eponym("Щеткина–Блюмберга"),
            )
            if ctx.chance(0.5)
            else F(
                "Живот мягкий, болезненный в правом подреберье. Положительный симптом {a}, "
                "симптом {b} положительный; перитонеальных симптомов нет.",
                a=ctx.eponym("Ортнера"),
                b=ctx.eponym("Мерфи"),
            )
        ),
        labs={
            "wbc": (10.5, 16.0),
            "bili": (22, 48),
            "alt": "high",
            "alp": "high",
            "crp": (30, 140),
        },
        key_labs=("wbc", "bili", "alt"),
        instrumental=[us],
        key_findings=findings,
        question="оценка деструктивных изменений стенки желчного пузыря, перивезикального "
        "инфильтрата, исключить холедохолитиаз",
        protocol=CT_CONTRAST,
        history=history,
    )


def pancreatitis(ctx: Context) -> Condition:
    r = ctx.rng
    alcohol = ctx.chance(0.6)
    head = r.randrange(32, 42)
    us = F(
        "УЗИ ОБП: поджелудочная железа увеличена (головка {h}), контуры нечёткие, "
        "эхогенность диффузно снижена; парапанкреатически жидкость, в сальниковой сумке "
        "скопление до {f}.",
        h=ctx.size(f"{head} мм"),
        f=ctx.size(f"{r.randrange(20, 60)} мм"),
    )
    onset = (
        F(
            "Заболел{a} {d} после приёма алкоголя: опоясывающие боли в эпигастрии, "
            "многократная рвота, не приносящая облегчения.",
            a=ctx.g("", "а"),
            d=_onset_date(ctx, r.randrange(1, 3)),
        )
        if alcohol
        else F(
            "Заболел{a} {d} после обильного приёма пищи: опоясывающие боли, рвота. "
            "ЖКБ известна {y} лет.",
            a=ctx.g("", "а"),
            d=_onset_date(ctx, r.randrange(1, 3)),
            y=str(r.randrange(2, 10)),
        )
    )
    return Condition(
        code="pancreatitis",
        diagnosis="Острый "
        + ("алкогольный" if alcohol else "билиарный")
        + " панкреатит, средней тяжести",
        icd="K85.2" if alcohol else "K85.1",
        complaints="опоясывающие боли в эпигастрии, многократную рвоту, вздутие живота",
        onset=onset,
        exam=F(
            "Живот вздут, болезненный в эпигастрии. Положительные симптомы {a} и {b}; "
            "симптом {c} отрицательный. Перистальтика ослаблена.",
            a=ctx.eponym("Мейо-Робсона"),
            b=ctx.eponym("Воскресенского"),
            c=ctx.eponym("Щеткина–Блюмберга"),
        ),
        labs={
            "amylase": (380, 1900),
            "lipase": (250, 2200),
            "wbc": (10.5, 16.5),
            "glucose": (7.2, 11.8),
            "crp": (60, 220),
        },
        key_labs=("amylase", "lipase", "crp"),
        instrumental=[us],
        key_findings=[
            f"увеличение головки поджелудочной железы до {head} мм",
            "парапанкреатическая жидкость",
            "положительные симптомы Мейо-Робсона и Воскресенского",
        ],
        question="оценка распространённости панкреонекроза и жидкостных скоплений, индекс "
        "тяжести по Balthazar",
        protocol=CT_CONTRAST,
    )


def urolithiasis(ctx: Context) -> Condition:
    r = ctx.rng
    side, side_gen = ctx.pick((("справа", "правой"), ("слева", "левой")))
    stone, pelvis = r.randrange(4, 10), r.randrange(14, 26)
    us = F(
        "УЗИ почек: {s} лоханка расширена до {p}, мочеточник прослеживается до "
        "{u}; в проекции нижней трети мочеточника гиперэхогенная структура {st} с "
        "акустической тенью.",
        s=T("правая" if side == "справа" else "левая"),
        p=ctx.size(f"{pelvis} мм"),
        u=ctx.size(f"{r.randrange(7, 11)} мм"),
        st=ctx.size(f"{stone} мм"),
    )
    return Condition(
        code="urolithiasis",
        diagnosis=f"Мочекаменная болезнь. Конкремент нижней трети {side_gen[:-2]}ого мочеточника. "
        "Почечная колика",
        icd="N20.1",
        complaints=f"приступообразные боли в поясничной области {side} с иррадиацией в паховую "
        "область, учащённое мочеиспускание, тошноту",
        onset=F(
            "Боли возникли внезапно {d} около {t}, приступами; вводились спазмолитики с "
            "кратковременным эффектом.{h}",
            d=_onset_date(ctx, r.randrange(0, 3)),
            t=_hours(ctx),
            h=T(" Ранее эпизод почечной колики, камень отошёл самостоятельно.")
            if ctx.chance(0.5)
            else T(""),
        ),
        exam=F(
            "Живот мягкий, безболезненный. Симптом {a} положительный {s}.",
            a=ctx.eponym("Пастернацкого"),
            s=T(side),
        ),
        labs={"wbc": (8.5, 12.5), "creat": "high" if ctx.chance(0.3) else "normal"},
        key_labs=("wbc",),
        urine=F(
            "ОАМ: эритроциты 25–30 в п/зр, лейкоциты 6–8 в п/зр, белок {p}.",
            p=C(f"{num(r.uniform(0.1, 0.4), 2)} г/л", "LAB"),
        ),
        instrumental=[us],
        key_findings=[
            f"пиелоэктазия {side} до {pelvis} мм",
            f"конкремент мочеточника {stone} мм",
            "микрогематурия",
        ],
        question="локализация, размеры и плотность конкремента, степень обструкции",
        protocol="нативную КТ мочевыводящих путей (без контрастирования)",
        contrast=False,
    )


def diverticulitis(ctx: Context) -> Condition:
    r = ctx.rng
    wall = r.randrange(6, 11)
    year = ctx.admission.year - r.randrange(1, 5)
    return Condition(
        code="diverticulitis",
        diagnosis="Дивертикулярная болезнь сигмовидной кишки, острый дивертикулит",
        icd="K57.3",
        complaints="боли в левой подвздошной области, субфебрилитет, задержку стула",
        onset=F(
            "Считает себя больн{a} с {d}, когда появились ноющие боли внизу живота слева, "
            "затем подъём температуры до {c} °C. Самостоятельно принимал{b} "
            "парацетамол.",
            a=ctx.g("ым", "ой"),
            b=ctx.g("", "а"),
            d=_onset_date(ctx, r.randrange(2, 6)),
            c=num(r.uniform(37.4, 38.3), 1),
        ),
        exam=T(
            "Живот не вздут, болезненный в левой подвздошной области, где пальпируется "
            "болезненный инфильтрат; перитонеальных симптомов нет."
        ),
        labs={"wbc": (10.0, 15.5), "crp": (40, 160)},
        key_labs=("wbc", "crp"),
        instrumental=[
            F(
                "УЗИ ОБП: стенка сигмовидной кишки утолщена до {w} на протяжении "
                "{l}, окружающая клетчатка гиперэхогенна.",
                w=ctx.size(f"{wall} мм"),
                l=ctx.size(f"{r.randrange(60, 110)} мм"),
            )
        ],
        key_findings=[
            f"утолщение стенки сигмовидной кишки до {wall} мм",
            "болезненный инфильтрат в левой подвздошной области",
        ],
        question="стадия дивертикулита по Hinchey, исключить абсцесс и перфорацию",
        protocol=CT_CONTRAST,
        prior=[
            (
                F(
                    "Колоноскопия в {y} г.: множественные дивертикулы сигмовидной кишки.",
                    y=str(year),
                ),
                f"колоноскопия {year} г.: дивертикулёз сигмовидной кишки",
            )
        ],
    )


def small_bowel_obstruction(ctx: Context) -> Condition:
    r = ctx.rng
    op_year = ctx.admission.year - r.randrange(3, 25)
    loop = r.randrange(32, 45)
    return Condition(
        code="small_bowel_obstruction",
        diagnosis="Острая спаечная тонкокишечная непроходимость",
        icd="K56.5",
        complaints="схваткообразные боли в животе, вздутие, многократную рвоту, неотхождение газов",
        onset=F(
            "Заболел{a} {d}: схваткообразные боли, затем рвота застойным содержимым; "
            "стула не было двое суток.",
            a=ctx.g("", "а"),
            d=_onset_date(ctx, r.randrange(1, 3)),
        ),
        exam=F(
            "Живот вздут, асимметричен, «шум плеска»; перистальтика усилена, звонкая. "
            "Симптомы {a} и {b} положительные. Послеоперационный рубец по средней линии.",
            a=ctx.eponym("Валя"),
            b=ctx.eponym("Склярова"),
        ),
        labs={"wbc": (9.5, 14.0), "k": (2.9, 3.4), "lactate": (2.3, 4.5)},
        key_labs=("k", "lactate"),
        instrumental=[
            F(
                "Обзорная рентгенография ОБП: множественные чаши {k} и арки тонкой "
                "кишки, петли расширены до {d}.",
                k=ctx.eponym("Клойбера"),
                d=ctx.size(f"{loop} мм"),
            )
        ],
        key_findings=[
            "чаши Клойбера на обзорной рентгенограмме",
            f"расширение петель тонкой кишки до {loop} мм",
            "гипокалиемия",
            f"лапаротомия в {op_year} г.",
        ],
        question="уровень и причина непроходимости, признаки странгуляции и ишемии кишки",
        protocol=CT_CONTRAST,
        history=[
            F("В {y} г. лапаротомия, резекция тонкой кишки по поводу травмы.", y=str(op_year))
        ],
    )


def liver_metastases(ctx: Context) -> Condition:
    r = ctx.rng
    op_date = ctx.days_before(r.randrange(400, 900))
    n, size = r.randrange(3, 7), r.randrange(18, 45)
    prior_date = ctx.days_before(r.randrange(150, 260))
    prior_size = max(8, size - r.randrange(6, 14))
    return Condition(
        code="liver_metastases",
        diagnosis="Рак сигмовидной кишки pT3N1M0, состояние после резекции; "
        "подозрение на метастазы в печень",
        icd="C78.7",
        complaints="слабость, снижение массы тела на 6 кг за 3 месяца, тяжесть в правом подреберье",
        onset=F(
            "{d} выполнена резекция сигмовидной кишки, затем 8 курсов XELOX. При "
            "контрольном УЗИ выявлены очаги в печени, направлен{a} {o}.",
            d=ctx.date(op_date, ("num", "text")),
            a=ctx.g("", "а"),
            o=T("онкологом") if ctx.chance(0.5) else T("на дообследование"),
        ),
        exam=T(
            "Кожные покровы бледные. Печень выступает из-под края рёберной дуги на 2 см, "
            "плотная. Живот мягкий, безболезненный."
        ),
        labs={"cea": (12, 85), "hb": "low", "alp": "high", "ggt": "high", "ast": "high"},
        key_labs=("cea", "hb", "alp"),
        instrumental=[
            F(
                "УЗИ ОБП: в обеих долях печени {n} гипоэхогенных {o} размерами до "
                "{s} с гиперэхогенным ободком.",
                n=str(n),
                o=plural(n, "очаг", "очага", "очагов"),
                s=ctx.size(f"{size} мм"),
            )
        ],
        key_findings=[
            f"{n} {plural(n, 'очаг', 'очага', 'очагов')} в печени до {size} мм",
            "повышение РЭА",
            "анемия",
        ],
        question="количество, размеры и сегментарная локализация очагов (RECIST 1.1), "
        "резектабельность, внепечёночные проявления",
        protocol="КТ органов грудной клетки, брюшной полости и малого таза с внутривенным "
        "контрастированием (многофазное)",
        prior=[
            (
                F(
                    "КТ ОБП от {d}: очаг в S7 печени {s}, расценён как гемангиома.",
                    d=ctx.date(prior_date, ("num", "text")),
                    s=ctx.size(f"{prior_size} мм"),
                ),
                f"КТ ОБП около {round((ctx.admission - prior_date).days / 30)} мес. назад: "
                f"очаг S7 {prior_size} мм (гемангиома?)",
            )
        ],
    )


def pancreatic_tumor(ctx: Context) -> Condition:
    r = ctx.rng
    a, b = r.randrange(26, 42), r.randrange(20, 34)
    cbd, wirs = r.randrange(12, 18), r.randrange(4, 8)
    return Condition(
        code="pancreatic_tumor",
        diagnosis="Образование головки поджелудочной железы. Механическая желтуха",
        icd="C25.0",
        complaints="желтушность кожи, кожный зуд, потемнение мочи, ахоличный стул, "
        "снижение массы тела",
        onset=F(
            "Желтуха появилась {d}, без болевого синдрома, нарастает. За 2 месяца "
            "похудел{a} на 7 кг.",
            d=_onset_date(ctx, r.randrange(7, 20)),
            a=ctx.g("", "а"),
        ),
        exam=F(
            "Кожа и склеры желтушные, следы расчёсов. Пальпируется увеличенный "
            "безболезненный желчный пузырь (симптом {k}).",
            k=ctx.eponym("Курвуазье"),
        ),
        labs={
            "bili": (140, 320),
            "dbili": (95, 240),
            "alp": "high",
            "ggt": "high",
            "ca199": (180, 1600),
        },
        key_labs=("bili", "dbili", "ca199"),
        instrumental=[
            F(
                "УЗИ ОБП: в головке поджелудочной железы гипоэхогенное образование "
                "{s} с нечёткими контурами; холедох расширен до {c}, "
                "{w} проток {v}.",
                s=ctx.size(f"{a}×{b} мм"),
                c=ctx.size(f"{cbd} мм"),
                w=ctx.eponym("вирсунгов"),
                v=ctx.size(f"{wirs} мм"),
            )
        ],
        key_findings=[
            f"образование головки поджелудочной железы {a}×{b} мм",
            f"билиарная гипертензия, холедох {cbd} мм",
            "положительный симптом Курвуазье",
        ],
        question="характер образования, резектабельность (вовлечение ВБА, ВБВ, воротной вены), "
        "планирование панкреатодуоденальной резекции (операция Уиппла)",
        protocol="КТ органов брюшной полости с внутривенным контрастированием по "
        "панкреатическому протоколу",
    )


def aortic_aneurysm(ctx: Context) -> Condition:
    r = ctx.rng
    diam = r.randrange(52, 72)
    thrombus = r.randrange(8, 22)
    return Condition(
        code="aortic_aneurysm",
        diagnosis="Аневризма инфраренального отдела брюшной аорты",
        icd="I71.4",
        complaints=(
            "периодические ноющие боли в мезогастрии и пояснице, ощущение пульсации в животе"
        ),
        onset=F(
            "Пульсирующее образование в животе обнаружено при диспансеризации {d}; "
            "последнюю неделю появились боли.",
            d=ctx.date(ctx.days_before(r.randrange(20, 60)), ("num", "text")),
        ),
        exam=T(
            "АД 158/92 мм рт. ст. В мезогастрии пальпируется пульсирующее "
            "безболезненное образование; пульсация на бедренных артериях сохранена."
        ),
        labs={"hb": "normal", "creat": "normal"},
        key_labs=("creat",),
        instrumental=[
            F(
                "УЗДС брюшной аорты: инфраренальная аневризма диаметром {d}, "
                "пристеночный тромб толщиной до {t}; шейка аневризмы {n}.",
                d=ctx.size(f"{diam} мм"),
                t=ctx.size(f"{thrombus} мм"),
                n=ctx.size(f"{r.randrange(12, 28)} мм"),
            )
        ],
        key_findings=[
            f"аневризма инфраренального отдела аорты {diam} мм",
            f"пристеночный тромб до {thrombus} мм",
        ],
        question="максимальный диаметр, протяжённость, отношение к почечным артериям, "
        "признаки надрыва; планирование EVAR",
        protocol="КТ-ангиографию брюшной аорты и подвздошных артерий",
    )


def perforated_ulcer(ctx: Context) -> Condition:
    r = ctx.rng
    hours = r.randrange(2, 10)
    return Condition(
        code="perforated_ulcer",
        diagnosis="Прободная язва луковицы двенадцатиперстной кишки",
        icd="K26.5",
        complaints="внезапные «кинжальные» боли в эпигастрии, слабость",
        onset=F(
            "{d} в {t} внезапно возникла резкая боль в эпигастрии; доставлен{a} через "
            "{h} ч. Язвенный анамнез около {y} лет, лечение нерегулярное.",
            d=_onset_date(ctx, 0),
            t=_hours(ctx),
            a=ctx.g("", "а"),
            h=str(hours),
            y=str(r.randrange(3, 15)),
        ),
        exam=F(
            "Вынужденное положение с приведёнными к животу ногами. Живот доскообразный, "
            "резко болезненный; симптом {a} положительный во всех отделах, печёночная "
            "тупость не определяется (симптом {b}).",
            a=ctx.eponym("Щеткина–Блюмберга"),
            b=ctx.eponym("Спижарного"),
        ),
        labs={"wbc": (11.0, 18.5), "hb": "normal"},
        key_labs=("wbc",),
        instrumental=[
            T(
                "Обзорная рентгенография ОБП стоя: свободный газ под правым куполом "
                "диафрагмы в виде серпа."
            ),
            F(
                "ФГДС ({y} г.): хроническая язва луковицы ДПК {s}.",
                y=str(ctx.admission.year - r.randrange(1, 4)),
                s=ctx.size(f"{r.randrange(6, 14)} мм"),
            ),
        ],
        key_findings=[
            "свободный газ под куполом диафрагмы",
            "доскообразный живот",
            f"давность перфорации около {hours} ч",
        ],
        question="подтвердить пневмоперитонеум, локализация перфорации, объём выпота",
        protocol="КТ органов брюшной полости (при возможности с пероральным и внутривенным "
        "контрастированием)",
    )


def blunt_trauma(ctx: Context) -> Condition:
    r = ctx.rng
    mech = ctx.pick(
        (
            "ДТП (водитель, был пристёгнут)",
            "падение с высоты 3 м",
            "удар в живот при падении с велосипеда",
            "избиение неизвестными",
        )
    )
    fluid = r.randrange(150, 600)
    return Condition(
        code="blunt_trauma",
        diagnosis="Закрытая травма живота, подозрение на разрыв селезёнки. Гемоперитонеум",
        icd="S36.0",
        complaints="боли в левом подреберье и левом надплечье, головокружение, слабость",
        onset=F(
            "Травма {d} около {t}: {m}. Доставлен{a} бригадой СМП.",
            d=_onset_date(ctx, 0),
            t=_hours(ctx),
            m=T(mech),
            a=ctx.g("", "а"),
        ),
        exam=F(
            "Бледн{a}, ЧСС 112 в мин, АД 98/60 мм рт. ст. Ссадины левой половины грудной "
            "клетки. Живот болезненный в левом подреберье; симптом {k} положительный, "
            "симптом {v} (больно лёжа, садится).",
            a=ctx.g("ый", "ая"),
            k=ctx.eponym("Кера"),
            v=T("«ваньки-встаньки»"),
        ),
        labs={"hb": (82, 104), "wbc": "normal", "hct": "low"},
        key_labs=("hb", "hct"),
        instrumental=[
            F(
                "FAST-УЗИ: свободная жидкость в кармане {m} и в малом тазу "
                "(~{f} мл), неоднородность паренхимы селезёнки у нижнего полюса.",
                m=ctx.eponym("Моррисона"),
                f=str(fluid),
            ),
            T("Рентгенография ОГК: перелом IX–X рёбер слева, гемо- и пневмоторакса нет."),
        ],
        key_findings=[
            "гемоперитонеум по FAST",
            "неоднородность селезёнки",
            "перелом IX–X рёбер слева",
            "гипотония и тахикардия",
        ],
        question="повреждения паренхиматозных органов (степень по AAST), источник "
        "кровотечения, продолжающаяся экстравазация контраста",
        protocol=CT_CONTRAST + " (артериальная и венозная фазы)",
    )


def crohn(ctx: Context) -> Condition:
    r = ctx.rng
    since = ctx.admission.year - r.randrange(3, 15)
    wall = r.randrange(7, 12)
    return Condition(
        code="crohn",
        diagnosis="Болезнь Крона терминального отдела подвздошной кишки, обострение; "
        "подозрение на межкишечный абсцесс",
        icd="K50.0",
        complaints="боли в правой подвздошной области, жидкий стул до 6 раз в сутки, "
        "лихорадку до 38 °C, похудание",
        onset=F(
            "Болезнь {k} диагностирована в {y} г. Ухудшение с {d}: учащение стула, "
            "лихорадка; амбулаторно без эффекта.",
            k=ctx.eponym("Крона"),
            y=str(since),
            d=_onset_date(ctx, r.randrange(10, 25)),
        ),
        exam=T(
            "Пониженного питания. Живот мягкий, в правой подвздошной области пальпируется "
            "болезненный малоподвижный инфильтрат."
        ),
        labs={"crp": (35, 120), "hb": "low", "albumin": "low", "calpro": (450, 1800)},
        key_labs=("crp", "hb", "albumin", "calpro"),
        instrumental=[
            F(
                "УЗИ кишечника: стенка терминального отдела подвздошной кишки утолщена "
                "до {w}, гиперваскуляризация; рядом гипоэхогенная зона {a}.",
                w=ctx.size(f"{wall} мм"),
                a=ctx.size(f"{r.randrange(20, 40)}×{r.randrange(15, 28)} мм"),
            )
        ],
        key_findings=[
            f"утолщение стенки терминального отдела подвздошной кишки до {wall} мм",
            "инфильтрат в правой подвздошной области",
            "повышение кальпротектина",
        ],
        question="протяжённость поражения, стриктуры, межкишечный абсцесс, свищи",
        protocol="КТ-энтерографию с внутривенным контрастированием",
        history=[
            F(
                "Болезнь {k} с {y} г., получает {m}.",
                k=ctx.eponym("Крона"),
                y=str(since),
                m=ctx.drug(ctx.pick(("mesalazine", "azathioprine")), regimen=False),
            )
        ],
        prior=[
            (
                F(
                    "МРТ-энтерография в {y} г.: стриктура терминального отдела подвздошной кишки "
                    "протяжённостью {s}.",
                    y=str(ctx.admission.year - 2),
                    s=ctx.size("40 мм"),
                ),
                f"МРТ-энтерография {ctx.admission.year - 2} г.: "
                "стриктура терминального илеума 40 мм",
            )
        ],
    )


#: Condition code -> generator, in the order patients cycle through them.
CONDITIONS: dict[str, Callable[[Context], Condition]] = {
    "appendicitis": appendicitis,
    "cholecystitis": cholecystitis,
    "pancreatitis": pancreatitis,
    "urolithiasis": urolithiasis,
    "diverticulitis": diverticulitis,
    "small_bowel_obstruction": small_bowel_obstruction,
    "liver_metastases": liver_metastases,
    "pancreatic_tumor": pancreatic_tumor,
    "aortic_aneurysm": aortic_aneurysm,
    "perforated_ulcer": perforated_ulcer,
    "blunt_trauma": blunt_trauma,
    "crohn": crohn,
}
