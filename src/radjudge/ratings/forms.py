"""Blinded XLSX rating forms: one workbook per expert, exported with the blinding key.

Workbook layout (names are part of the format; the importer checks them):

``Инструкция``
    Instructions in Russian, the study id, the expert and the key fingerprint.
``Критерии``
    Every criterion's definition and the meaning of every point of its scale,
    rendered from the same rubric file the LLM judges read
    (:func:`radjudge.rubric.load_rubric`; its SHA-256 is stored in the key).
``Оценки``
    Row 1: Russian headings; row 2: machine column ids (``n, code, patient_id,
    record, summary`` and one criterion id per rating column); from row 3: one
    summary per row - position, summary code, patient id, the ANONYMIZED record
    text, the summary text, and an empty cell per criterion.
``_meta`` (very hidden)
    ``format``, ``study_id``, ``key_fingerprint``, ``expert_id``,
    ``expert_category`` and one ``scale:<criterion>`` row per criterion.

Blinding: every (patient, summarizer) gets a random code (6 characters, no
look-alike letters); the summarizer never appears in a form. Each expert's
row order is drawn with ``numpy.random.default_rng([seed, crc32(expert_id)])``:
the order of the patients is shuffled, and the summaries of each patient are
shuffled within that patient's block, so a record is read once and its
summaries rated side by side.

Protection: each rating cell accepts only whole numbers 1..scale_max of its
criterion (data validation, with a Russian prompt and error message) and is the
only unlocked cell; every sheet is protected and the workbook structure is
locked (no sheet can be added, renamed or removed). The protection carries no
password: it prevents accidents, not intent. Integrity is checked on import
against the key (codes, row order, SHA-256 of every record and summary text).
"""

from __future__ import annotations

import math
import os
import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from radjudge import paths as rj_paths
from radjudge.anonymize import require_anonymized
from radjudge.contracts import CRITERIA
from radjudge.ratings.criteria import criteria_sheet, resolve_scales
from radjudge.ratings.key import BlindingKey, CodeEntry, FormEntry, read_key, text_sha256, write_key
from radjudge.ratings.roster import validate_roster

__all__ = [
    "FORM_FORMAT",
    "RATING_SHEET",
    "INSTRUCTIONS_SHEET",
    "CRITERIA_SHEET",
    "META_SHEET",
    "FORM_SHEETS",
    "FIXED_COLUMNS",
    "ID_ROW",
    "FIRST_DATA_ROW",
    "ExportedForms",
    "FormsStatus",
    "ensure_forms",
    "export_forms",
    "fill_forms",
    "form_cells",
    "form_file_name",
]

FORM_FORMAT = "radjudge-form/1"
INSTRUCTIONS_SHEET = "Инструкция"
CRITERIA_SHEET = "Критерии"
RATING_SHEET = "Оценки"
META_SHEET = "_meta"
#: Every sheet of a form, in order; a returned form must have these and no other.
FORM_SHEETS = (INSTRUCTIONS_SHEET, CRITERIA_SHEET, RATING_SHEET, META_SHEET)
#: Machine ids of the fixed columns of the rating sheet (row 2), in order.
FIXED_COLUMNS = ("n", "code", "patient_id", "record", "summary")
_FIXED_HEADINGS = ("№", "Код резюме", "Пациент", "Медицинская карта (обезличенная)", "Резюме")
HEADER_ROW, ID_ROW, FIRST_DATA_ROW = 1, 2, 3

_CODE_ALPHABET = np.array(list("ACDEFHJKLMNPQRTUVWXY34679"))
#: What a study id may be (it is printed on and embedded in every form).
STUDY_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class ExportedForms:
    """Result of :func:`export_forms`.

    Attributes
    ----------
    key : BlindingKey
        The key, as written and read back.
    key_path : pathlib.Path
    forms : dict[str, pathlib.Path]
        Expert id -> workbook.
    """

    key: BlindingKey
    key_path: Path
    forms: dict[str, Path]


def form_file_name(expert_id: str) -> str:
    """File name of an expert's form: ``form_<expert_id>.xlsx``."""
    return f"form_{expert_id}.xlsx"


def _draw_codes(pairs: Sequence[tuple[str, str]], seed: int) -> dict[tuple[str, str], str]:
    rng = np.random.default_rng([int(seed), 0xC0DE])
    codes: dict[tuple[str, str], str] = {}
    used: set[str] = set()
    for pair in pairs:
        while True:
            code = "".join(rng.choice(_CODE_ALPHABET, size=6))
            if code not in used:
                break
        used.add(code)
        codes[pair] = code
    return codes


def _expert_order(
    pairs: Sequence[tuple[str, str]], expert_id: str, seed: int
) -> list[tuple[str, str]]:
    rng = np.random.default_rng([int(seed), zlib.crc32(expert_id.encode("utf-8"))])
    by_patient: dict[str, list[tuple[str, str]]] = {}
    for p in pairs:
        by_patient.setdefault(p[0], []).append(p)
    order: list[tuple[str, str]] = []
    patients = sorted(by_patient)
    for i in rng.permutation(len(patients)):
        block = sorted(by_patient[patients[i]])
        order.extend(block[j] for j in rng.permutation(len(block)))
    return order


def _row_height(texts: Sequence[str], widths: Sequence[float]) -> float:
    lines = 1
    for text, width in zip(texts, widths, strict=True):
        n = sum(max(1, math.ceil(len(part) / (width * 1.1))) for part in text.split("\n"))
        lines = max(lines, n)
    return float(min(409, 15 * lines + 4))


def _instructions(
    ws: Any,
    *,
    study_id: str,
    expert_id: str,
    category: str,
    fingerprint: str,
    n_rows: int,
    scales: Mapping[str, int],
    names: Mapping[str, str],
) -> None:
    from openpyxl.styles import Alignment, Font

    scale_text = "; ".join(f"«{names[c]}» — от 1 до {n}" for c, n in scales.items())
    lines = [
        ("Оценка резюме медицинских карт: форма эксперта", True),
        ("", False),
        (f"Исследование: {study_id}", False),
        (f"Эксперт: {expert_id} (категория: {category})", False),
        (f"Ключ формы: {fingerprint[:12]}", False),
        (f"Резюме для оценки: {n_rows}; критериев: {len(scales)}.", False),
        ("", False),
        ("Как заполнять", True),
        (
            "1. На листе «Оценки» каждая строка — одно резюме одной медицинской карты: слева "
            "обезличенная карта, рядом резюме. Резюме одной карты идут подряд.",
            False,
        ),
        (
            "2. Прочитайте карту, затем резюме, и поставьте резюме по каждому критерию целое число "
            f"(1 — худшая оценка, наибольшее число — лучшая). Шкалы: {scale_text}.",
            False,
        ),
        (
            "3. Определения критериев и значение каждого балла — на листе «Критерии». Оценивайте "
            "каждый критерий отдельно от остальных.",
            False,
        ),
        (
            "4. Резюме получены разными способами и перемешаны случайно; код резюме ничего не "
            "говорит о его источнике. Не пытайтесь угадать источник.",
            False,
        ),
        (
            "5. Если оценить невозможно, оставьте ячейку пустой — не ставьте оценку наугад. "
            "Пустая ячейка учитывается как пропуск, она никогда не заполняется за вас.",
            False,
        ),
        (
            "6. Менять можно только жёлтые ячейки оценок; остальные ячейки и листы защищены. Не "
            "переименовывайте листы, не удаляйте и не переставляйте строки.",
            False,
        ),
        (
            "7. Сохраните файл в формате .xlsx (имя файла можно не менять) и верните его "
            "организатору исследования.",
            False,
        ),
        ("", False),
        ("Карты обезличены. Не копируйте их текст за пределы этой формы.", False),
    ]
    ws.column_dimensions["A"].width = 120
    for i, (text, bold) in enumerate(lines, start=1):
        cell = ws.cell(row=i, column=1, value=text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if bold:
            cell.font = Font(bold=True, size=13 if i == 1 else 11)


def _criteria_ws(ws: Any, table: pd.DataFrame) -> None:
    from openpyxl.styles import Alignment, Font

    heads = ["Критерий", "Код критерия", "Определение", "Шкала", "Балл", "Что означает балл"]
    widths = [28, 16, 70, 8, 7, 60]
    for j, (h, w) in enumerate(zip(heads, widths, strict=True), start=1):
        ws.cell(row=1, column=j, value=h).font = Font(bold=True)
        ws.column_dimensions[chr(64 + j)].width = w
    r = 2
    for crit, grp in table.groupby("criterion", sort=False):
        for k, row in enumerate(grp.itertuples(index=False)):
            vals = [
                row.name if k == 0 else None,
                crit if k == 0 else None,
                row.definition if k == 0 else None,
                f"1–{row.scale_max}" if k == 0 else None,
                int(row.point),
                row.description,
            ]
            for j, v in enumerate(vals, start=1):
                c = ws.cell(row=r, column=j, value=v)
                c.alignment = Alignment(wrap_text=True, vertical="top")
            r += 1
        r += 1
    source = (
        f"Источник определений (те же, что у LLM-судей): {table['source'].iloc[0]}, SHA-256 "
        f"{table['sha256'].iloc[0][:12]}"
    )
    ws.cell(row=r, column=1, value=source).font = Font(italic=True, size=9)
    ws.freeze_panes = "A2"


def _rating_ws(
    ws: Any,
    *,
    rows: Sequence[tuple[str, str, str, str]],
    scales: Mapping[str, int],
    names: Mapping[str, str],
) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    n_fixed = len(FIXED_COLUMNS)
    widths = [5, 10, 10, 80, 60]
    headings = [*_FIXED_HEADINGS, *(f"{names[c]} (1–{n})" for c, n in scales.items())]
    ids = [*FIXED_COLUMNS, *scales]
    for j, (head, cid) in enumerate(zip(headings, ids, strict=True), start=1):
        h = ws.cell(row=HEADER_ROW, column=j, value=head)
        h.font = Font(bold=True)
        h.alignment = Alignment(wrap_text=True, vertical="top")
        m = ws.cell(row=ID_ROW, column=j, value=cid)
        m.font = Font(size=8, color="808080")
        ws.column_dimensions[get_column_letter(j)].width = widths[j - 1] if j <= n_fixed else 16
    last = FIRST_DATA_ROW + len(rows) - 1
    editable = PatternFill("solid", start_color="FFF7D6", end_color="FFF7D6")
    top = Alignment(wrap_text=True, vertical="top")
    for i, (code, pid, record, summary) in enumerate(rows):
        r = FIRST_DATA_ROW + i
        for j, v in enumerate((i + 1, code, pid, record, summary), start=1):
            ws.cell(row=r, column=j, value=v).alignment = top
        for j in range(n_fixed + 1, n_fixed + len(scales) + 1):
            c = ws.cell(row=r, column=j)
            c.protection = Protection(locked=False)
            c.fill = editable
        ws.row_dimensions[r].height = _row_height((record, summary), (80, 60))
    for j, (crit, n) in enumerate(scales.items(), start=n_fixed + 1):
        letter = get_column_letter(j)
        dv = DataValidation(
            type="whole",
            operator="between",
            formula1="1",
            formula2=str(n),
            allow_blank=True,
            showErrorMessage=True,
            showInputMessage=True,
            errorStyle="stop",
            errorTitle="Недопустимая оценка",
            error=f"Введите целое число от 1 до {n} или оставьте ячейку пустой.",
            promptTitle=names[crit][:32],
            prompt=f"Целое число от 1 до {n}; пусто — если оценить невозможно.",
        )
        ws.add_data_validation(dv)
        if rows:
            dv.add(f"{letter}{FIRST_DATA_ROW}:{letter}{last}")
    ws.freeze_panes = ws.cell(row=FIRST_DATA_ROW, column=1)


_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_MODIFIED = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def _save_workbook(wb: Any, path: Path) -> None:
    """Save atomically and byte-reproducibly: fixed ZIP entry times and document dates.

    openpyxl stamps the current time into every ZIP entry and into
    ``docProps/core.xml``; the same forms should hash the same in every run.
    """
    import io
    import zipfile

    buf = io.BytesIO()
    wb.save(buf)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _MODIFIED.sub(rb"\g<1>2000-01-01T00:00:00Z\g<2>", data)
            dst.writestr(
                zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME),
                data,
                compress_type=zipfile.ZIP_DEFLATED,
            )
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(out.getvalue())
    os.replace(tmp, path)


def _protect(ws: Any) -> None:
    ws.protection.sheet = True
    ws.protection.selectLockedCells = False
    ws.protection.selectUnlockedCells = False


def _records_text(records: Sequence[Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for rec in records:
        require_anonymized(rec)  # raises unless the record went through radjudge.anonymize
        if rec.patient_id in out:
            raise ValueError(f"records: patient {rec.patient_id!r} appears twice")
        out[str(rec.patient_id)] = rec.text
    return out


def export_forms(
    records: Sequence[Any],
    summaries: pd.DataFrame,
    roster: pd.DataFrame,
    *,
    study_id: str,
    seed: int,
    criteria: Sequence[str] = CRITERIA,
    scale_max: int | Mapping[str, int] = 5,
    rubric: str = "clinical_summary",
    forms_dir: str | os.PathLike[str] | None = None,
    key_path: str | os.PathLike[str] | None = None,
    overwrite: bool = False,
) -> ExportedForms:
    """Write one blinded, randomized XLSX form per expert and the blinding key.

    Parameters
    ----------
    records : sequence of radjudge.anonymize.AnonymizedRecord
        The anonymized records; each must pass ``radjudge.anonymize.require_anonymized``
        (raw text never reaches a form).
    summaries : DataFrame
        Columns ``patient_id``, ``summarizer``, ``text`` (the summaries contract);
        every (patient_id, summarizer) once, every patient among ``records``.
    roster : DataFrame
        The expert roster (:mod:`radjudge.ratings.roster`); one form per row.
    study_id : str
        Printed on and embedded in every form; 1-64 letters, digits, ``_.-``.
    seed : int
        Seed of the codes and of every expert's row order.
    criteria : sequence of str, default :data:`radjudge.contracts.CRITERIA`
        Rating columns, in order.
    scale_max : int or mapping, default 5
        Scale max for all criteria, or per criterion (scales run 1..max); the
        rubric must describe every point of it.
    rubric : str, default "clinical_summary"
        The rubric (Russian) the criteria sheet is rendered from, shared with the judges
        (:func:`radjudge.rubric.load_rubric`: packaged name or path).
    forms_dir : path-like, optional
        Folder of the forms; ``paths.FORMS`` by default.
    key_path : path-like, optional
        The key file; ``paths.BLINDING_KEY`` by default.
    overwrite : bool, default False
        Replace an existing key and its forms. Forms already handed out then no
        longer import (their key is gone), hence off by default.

    Returns
    -------
    ExportedForms

    Raises
    ------
    FileExistsError
        A key or form exists and ``overwrite`` is False.
    ValueError
        A bad study id, criterion, scale or summaries table; a record that is not anonymized.
    RatingsError
        An invalid roster.
    """
    import openpyxl
    from openpyxl.workbook.protection import WorkbookProtection

    if not isinstance(study_id, str) or not STUDY_ID.match(study_id):
        raise ValueError(
            f"study_id must be 1-64 letters, digits, '_', '.' or '-', got {study_id!r}"
        )
    scales = resolve_scales(criteria, scale_max)
    definitions = criteria_sheet(scales, rubric=rubric)
    names = dict(zip(definitions["criterion"], definitions["name"], strict=True))
    roster = validate_roster(roster)
    texts = _records_text(records)
    missing = [c for c in ("patient_id", "summarizer", "text") if c not in summaries.columns]
    if missing:
        raise ValueError(f"summaries lacks column(s) {missing}; see the summaries contract")
    table = summaries[["patient_id", "summarizer", "text"]].astype(
        {"patient_id": str, "summarizer": str}
    )
    dup = table.duplicated(["patient_id", "summarizer"])
    if dup.any():
        raise ValueError(
            f"summaries: {table.loc[dup, ['patient_id', 'summarizer']].iloc[0].tolist()} appears "
            "twice"
        )
    bad_text = table["text"].map(lambda t: not isinstance(t, str))
    if bad_text.any():
        pid, summ = table.loc[bad_text, ["patient_id", "summarizer"]].iloc[0]
        raise ValueError(
            f"summaries: the text of ({pid}, {summ}) is not a string (an empty summary is '')"
        )
    unknown = sorted(set(table["patient_id"]) - set(texts))
    if unknown:
        raise ValueError(f"summaries name patient(s) {unknown[:5]} that have no anonymized record")

    forms_dir = Path(forms_dir) if forms_dir is not None else rj_paths.FORMS
    key_path = Path(key_path) if key_path is not None else rj_paths.BLINDING_KEY
    targets = {eid: forms_dir / form_file_name(eid) for eid in roster["expert_id"]}
    existing = [p for p in [key_path, *targets.values()] if p.exists()]
    if existing and not overwrite:
        raise FileExistsError(
            f"{existing[0]} already exists; forms may have been handed out. Pass overwrite=True "
            "only if no expert holds a form made with the current key."
        )

    pairs = sorted(zip(table["patient_id"], table["summarizer"], strict=True))
    text_of = {(p, s): t for p, s, t in table.itertuples(index=False)}
    codes = _draw_codes(pairs, seed)
    orders = {eid: _expert_order(pairs, eid, seed) for eid in roster["expert_id"]}
    key = write_key(
        key_path,
        study_id=study_id,
        seed=seed,
        scales=scales,
        patients={p: text_sha256(texts[p]) for p in sorted(set(table["patient_id"]))},
        codes={codes[p]: CodeEntry(p[0], p[1], text_sha256(text_of[p])) for p in pairs},
        forms={
            eid: FormEntry(cat, targets[eid].name, tuple(codes[p] for p in orders[eid]))
            for eid, cat in zip(roster["expert_id"], roster["category"], strict=True)
        },
        rubric={
            "source": str(definitions["source"].iloc[0]),
            "sha256": str(definitions["sha256"].iloc[0]),
        },
    )
    forms_dir.mkdir(parents=True, exist_ok=True)
    for eid, cat in zip(roster["expert_id"], roster["category"], strict=True):
        wb = openpyxl.Workbook()
        ws_i = wb.active
        ws_i.title = INSTRUCTIONS_SHEET
        rows = [(codes[p], p[0], texts[p[0]], text_of[p]) for p in orders[eid]]
        _instructions(
            ws_i,
            study_id=study_id,
            expert_id=eid,
            category=cat,
            fingerprint=key.fingerprint,
            n_rows=len(rows),
            scales=scales,
            names=names,
        )
        _criteria_ws(wb.create_sheet(CRITERIA_SHEET), definitions)
        ws_r = wb.create_sheet(RATING_SHEET)
        _rating_ws(ws_r, rows=rows, scales=scales, names=names)
        ws_m = wb.create_sheet(META_SHEET)
        meta = [
            ("format", FORM_FORMAT),
            ("study_id", study_id),
            ("key_fingerprint", key.fingerprint),
            ("expert_id", eid),
            ("expert_category", cat),
            *((f"scale:{c}", n) for c, n in scales.items()),
        ]
        for i, (k, v) in enumerate(meta, start=1):
            ws_m.cell(row=i, column=1, value=k)
            ws_m.cell(row=i, column=2, value=v)
        ws_m.sheet_state = "veryHidden"
        for ws in (ws_i, wb[CRITERIA_SHEET], ws_r, ws_m):
            _protect(ws)
        wb.active = wb.sheetnames.index(INSTRUCTIONS_SHEET)
        wb.security = WorkbookProtection(lockStructure=True)
        _save_workbook(wb, targets[eid])
    return ExportedForms(key=key, key_path=key_path, forms=targets)


def form_cells(
    ratings: pd.DataFrame, *, key: BlindingKey | str | os.PathLike[str]
) -> dict[str, list[tuple[int, int, int | None]]]:
    """Where each rating goes in its expert's form: ``expert -> [(row, column, score)]``.

    Rows and columns are 1-based, as a spreadsheet counts them; ``score`` is
    None for an NA rating (the cell stays empty). Shared by :func:`fill_forms`
    (openpyxl) and the rehearsal's LibreOffice filler.

    Parameters
    ----------
    ratings : DataFrame
        Columns ``expert_id, patient_id, summarizer, criterion, score`` (whole
        numbers within the criterion's scale, or NA).
    key : BlindingKey or path-like
        The key the forms were exported with.

    Raises
    ------
    ValueError
        An expert, summary or criterion the key does not know, or a score that
        is not a whole number within its scale.
    """
    key = key if isinstance(key, BlindingKey) else read_key(key)
    code_of = key.code_of()
    need = ["expert_id", "patient_id", "summarizer", "criterion", "score"]
    missing = [c for c in need if c not in ratings.columns]
    if missing:
        raise ValueError(f"ratings lacks column(s) {missing}")
    col_of = {c: len(FIXED_COLUMNS) + 1 + j for j, c in enumerate(key.scales)}
    out: dict[str, list[tuple[int, int, int | None]]] = {}
    for eid, grp in ratings.groupby("expert_id", sort=True):
        if eid not in key.forms:
            raise ValueError(f"expert {eid!r} has no form in the key")
        row_of = {code: FIRST_DATA_ROW + i for i, code in enumerate(key.forms[eid].codes)}
        cells = out.setdefault(str(eid), [])
        for pid, summ, crit, score in grp[
            ["patient_id", "summarizer", "criterion", "score"]
        ].itertuples(index=False):
            code = code_of.get((str(pid), str(summ)))
            if code is None or code not in row_of:
                raise ValueError(f"expert {eid!r}: ({pid}, {summ}) is not in the expert's form")
            if crit not in col_of:
                raise ValueError(
                    f"criterion {crit!r} is not a column of the forms ({list(col_of)})"
                )
            if pd.isna(score):
                value = None
            else:
                value = int(score)
                if value != score or not 1 <= value <= key.scales[crit]:
                    raise ValueError(
                        f"score {score!r} for {crit!r} is not a whole number in "
                        f"1..{key.scales[crit]}"
                    )
            cells.append((row_of[code], col_of[crit], value))
    return out


def fill_forms(
    ratings: pd.DataFrame,
    *,
    key: BlindingKey | str | os.PathLike[str],
    forms_dir: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
) -> dict[str, Path]:
    """Write ratings into exported forms, as an expert would, and save them to ``out_dir``.

    Used by the simulated panel and the tests; a real study never calls it.
    Cells whose score is NA are left empty. The rehearsal fills the same cells
    with LibreOffice instead (:func:`radjudge.rehearsal.fill_forms_libreoffice`).

    Parameters
    ----------
    ratings, key
        As for :func:`form_cells`.
    forms_dir, out_dir : path-like
        Where the blank forms are, and where the filled copies go (same file names).

    Returns
    -------
    dict[str, pathlib.Path]
        Expert id -> filled workbook.

    Raises
    ------
    ValueError
        As :func:`form_cells`.
    """
    import openpyxl

    key = key if isinstance(key, BlindingKey) else read_key(key)
    cells = form_cells(ratings, key=key)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for eid, entries in cells.items():
        form = key.forms[eid]
        wb = openpyxl.load_workbook(Path(forms_dir) / form.file)
        ws = wb[RATING_SHEET]
        for row, column, value in entries:
            ws.cell(row=row, column=column, value=value)
        target = out_dir / form.file
        _save_workbook(wb, target)
        written[eid] = target
    return written


@dataclass(frozen=True)
class FormsStatus:
    """Result of :func:`ensure_forms`.

    Attributes
    ----------
    action : {"kept", "exported", "re-exported"}
    reasons : list of str
        Why the forms were (re-)exported; empty when kept.
    forms : ExportedForms
    """

    action: str
    reasons: list[str]
    forms: ExportedForms


def _mismatches(
    key: BlindingKey,
    *,
    summaries: pd.DataFrame,
    roster: pd.DataFrame,
    study_id: str,
    scales: Mapping[str, int],
    forms_dir: Path,
    rubric: str,
) -> list[str]:
    reasons = []
    current = criteria_sheet(scales, rubric=rubric)
    if key.rubric.get("sha256") != current["sha256"].iloc[0]:
        reasons.append(
            f"the rubric {current['source'].iloc[0]} changed since the forms were exported"
        )
    if key.study_id != study_id:
        reasons.append(f"the key is for study {key.study_id!r}, the profile says {study_id!r}")
    if key.scales != dict(scales):
        reasons.append(f"the key's criteria and scales {key.scales} differ from {dict(scales)}")
    stale = key.stale_summaries(summaries)
    if stale:
        reasons.append(f"{len(stale)} summaries differ from the forms' (first: {stale[0]})")
    experts = {e: c for e, c in zip(roster["expert_id"], roster["category"], strict=True)}
    if experts != {e: f.category for e, f in key.forms.items()}:
        reasons.append("the roster's experts or categories differ from the key's")
    missing = [f.file for f in key.forms.values() if not (forms_dir / f.file).is_file()]
    if missing:
        reasons.append(
            f"{len(missing)} form file(s) are missing from {forms_dir} (first: {missing[0]})"
        )
    return reasons


def ensure_forms(
    records: Sequence[Any],
    summaries: pd.DataFrame,
    roster: pd.DataFrame,
    *,
    study_id: str,
    seed: int,
    criteria: Sequence[str] = CRITERIA,
    scale_max: int | Mapping[str, int] = 5,
    rubric: str = "clinical_summary",
    forms_dir: str | os.PathLike[str] | None = None,
    key_path: str | os.PathLike[str] | None = None,
    allow_reexport: bool = False,
) -> FormsStatus:
    """Export the forms if there are none; keep them if they still fit; else re-export or refuse.

    Forms fit when the key verifies and matches the study id, criteria and
    scales, the rubric file (SHA-256), the current summaries (SHA-256 of every
    text), the roster, and every form file is present.

    Parameters
    ----------
    records, summaries, roster, study_id, seed, criteria, scale_max, rubric, forms_dir, key_path
        As for :func:`export_forms`.
    allow_reexport : bool, default False
        Replace forms that no longer fit (the simulated demo panel). A real
        study leaves it False: forms in experts' hands must keep their key.

    Returns
    -------
    FormsStatus

    Raises
    ------
    RuntimeError
        Forms exist, no longer fit, and ``allow_reexport`` is False; the message lists why.
    """
    forms_dir = Path(forms_dir) if forms_dir is not None else rj_paths.FORMS
    key_path = Path(key_path) if key_path is not None else rj_paths.BLINDING_KEY
    kw: dict[str, Any] = dict(
        study_id=study_id,
        seed=seed,
        criteria=criteria,
        scale_max=scale_max,
        rubric=rubric,
        forms_dir=forms_dir,
        key_path=key_path,
    )
    if not key_path.exists():
        return FormsStatus(
            "exported", [], export_forms(records, summaries, roster, overwrite=True, **kw)
        )
    key = read_key(key_path)
    roster = validate_roster(roster)
    reasons = _mismatches(
        key,
        summaries=summaries,
        roster=roster,
        study_id=study_id,
        scales=resolve_scales(criteria, scale_max),
        forms_dir=forms_dir,
        rubric=rubric,
    )
    if not reasons:
        forms = {e: forms_dir / f.file for e, f in key.forms.items()}
        return FormsStatus("kept", [], ExportedForms(key=key, key_path=key_path, forms=forms))
    if not allow_reexport:
        raise RuntimeError(
            f"the forms in {forms_dir} (key {key_path}) no longer fit this run: "
            + "; ".join(reasons)
            + ". Forms handed out must keep their key: restore the inputs they were made from, or, "
            "if no expert holds a form yet, delete the key and the forms to export new ones."
        )
    return FormsStatus(
        "re-exported", reasons, export_forms(records, summaries, roster, overwrite=True, **kw)
    )
