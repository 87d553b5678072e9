"""Check digits of СНИЛС and ИНН, against published worked examples."""

from __future__ import annotations

import pytest

from radjudge.anonymize.identifiers import (
    inn_check_digits,
    inn_is_valid,
    snils_check,
    snils_is_valid,
)


def test_snils_worked_example():
    # The Pension Fund's worked example, quoted in the Russian Wikipedia article
    # "Страховой номер индивидуального лицевого счёта": 112-233-445 95.
    assert snils_check("112-233-445") == 95
    assert snils_is_valid("112-233-445 95") and snils_is_valid("11223344595")
    assert not snils_is_valid("112-233-445 94")


def test_snils_sums_of_100_and_above():
    # Sum 100 or 101 -> check 00; above 101 -> sum mod 101 (same source).
    # 9-9-9... : 9*(9+8+...+1) = 405 -> 405 mod 101 = 1
    assert snils_check("999999999") == 1
    # 1-2-3-4-5-6-7-8-9 weights 9..1: 9+16+21+24+25+24+21+16+9 = 165 -> 64
    assert snils_check("123456789") == 64
    with pytest.raises(ValueError, match="9 leading digits"):
        snils_check("1234")


def test_inn_published_examples():
    # ИНН of ПАО Сбербанк (legal entity, 10 digits), public register (ЕГРЮЛ).
    assert inn_is_valid("7707083893")
    assert inn_check_digits("770708389") == "3"
    # 12-digit personal ИНН 500100732259: check digits by the ФНС weights
    # (7,2,4,10,3,5,9,4,6,8) -> 148 mod 11 = 5; (3,7,2,4,10,3,5,9,4,6,8) -> 141 mod 11 = 9.
    assert inn_check_digits("5001007322") == "59"
    assert inn_is_valid("500100732259")
    assert not inn_is_valid("500100732258") and not inn_is_valid("12345")
