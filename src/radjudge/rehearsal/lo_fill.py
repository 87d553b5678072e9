"""Type ratings into rating forms with LibreOffice Calc, headless, and save them as Calc does.

A stand-in for the experts of a rehearsal: it opens each blank form in a real
LibreOffice (``soffice --headless``, driven through its UNO bridge), types the
given numbers into the given cells of the rating sheet, and saves the workbook
with Calc's own XLSX export filter - so the returned file is written by a
spreadsheet application, not by the library that exported it.

This is a separate script, run by the system Python that has LibreOffice's
UNO bridge (Debian: ``libreoffice-calc-nogui`` and ``python3-uno``, run with
``/usr/bin/python3``); it imports nothing from radjudge. Usage::

    /usr/bin/python3 lo_fill.py JOB.json

``JOB.json``::

    {"forms": [{"source": "blank.xlsx", "target": "filled.xlsx", "sheet": "Оценки",
                "cells": [[row, column, value], ...]}]}

Rows and columns are 1-based; a value is a number, or null to leave the cell
empty. The script prints one JSON line per saved form and exits non-zero on
any error, after closing LibreOffice.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

XLSX_FILTER = "Calc MS Excel 2007 XML"  # Calc's "Excel 2007-365 (.xlsx)" file type
START_TIMEOUT_S = 120.0


def _prop(name: str, value: object) -> object:
    from com.sun.star.beans import PropertyValue  # LibreOffice's bridge, imported by uno

    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def _connect(pipe: str, proc: subprocess.Popen) -> object:
    import uno
    from com.sun.star.connection import NoConnectException

    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except NoConnectException:
            if proc.poll() is not None:
                raise RuntimeError(f"soffice exited with code {proc.returncode}") from None
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"soffice did not accept a connection in {START_TIMEOUT_S} s"
                ) from None
            time.sleep(0.2)


def fill(job: dict) -> list[dict]:
    """Run LibreOffice, fill and save every form of ``job``; returns one record per form."""
    import uno  # LibreOffice's Python bridge (python3-uno): only the system Python has it

    profile = tempfile.mkdtemp(prefix="radjudge-lo-")  # a private user profile: no shared state
    pipe = f"radjudge_lo_{os.getpid()}"
    proc = subprocess.Popen(
        [
            "soffice",
            "--headless",
            "--invisible",
            "--nologo",
            "--norestore",
            "--nodefault",
            "--nolockcheck",
            f"-env:UserInstallation={uno.systemPathToFileUrl(profile)}",
            f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    desktop = None
    done = []
    try:
        ctx = _connect(pipe, proc)
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        for form in job["forms"]:
            source = os.path.abspath(form["source"])
            target = os.path.abspath(form["target"])
            doc = desktop.loadComponentFromURL(
                uno.systemPathToFileUrl(source), "_blank", 0, (_prop("Hidden", True),)
            )
            if doc is None:
                raise RuntimeError(f"LibreOffice could not open {source}")
            try:
                sheet = doc.Sheets.getByName(form["sheet"])
                typed = 0
                for row, column, value in form["cells"]:
                    cell = sheet.getCellByPosition(int(column) - 1, int(row) - 1)
                    if value is None:
                        cell.setString("")
                    else:
                        cell.setValue(float(value))
                        typed += 1
                os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
                doc.storeToURL(
                    uno.systemPathToFileUrl(target),
                    (_prop("FilterName", XLSX_FILTER), _prop("Overwrite", True)),
                )
            finally:
                doc.close(True)
            done.append({"source": source, "target": target, "typed": typed})
    finally:
        if desktop is not None:
            try:
                desktop.terminate()
            except Exception:  # noqa: BLE001 - the bridge dies with soffice; kill it below
                pass
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(profile, ignore_errors=True)
    return done


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as fh:
        job = json.load(fh)
    for record in fill(job):
        print(json.dumps(record, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
