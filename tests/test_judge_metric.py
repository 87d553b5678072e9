"""Reference-based baseline metrics on Russian text."""

from __future__ import annotations

import pytest
from nltk.translate.chrf_score import sentence_chrf
from rouge_score import rouge_scorer

from radjudge.judge import metric_value, unicode_words

REF = "Острый панкреатит. Амилаза 412 Ед/л. Аллергия на йодсодержащий контраст."
HYP = "Панкреатит острый; амилаза 412 Ед/л, аллергии нет."


def test_rouge_l_lin_2004_example() -> None:
    """Lin (2004), ROUGE, section 3.1: S2 scores 3/4 and S3 2/4 against S1."""
    s1 = "police killed the gunman"
    assert metric_value("rouge_l", s1, "police kill the gunman") == pytest.approx(0.75)
    assert metric_value("rouge_l", s1, "the gunman kill police") == pytest.approx(0.5)


def test_rouge_l_keeps_cyrillic_where_the_default_tokenizer_drops_it() -> None:
    # rouge-score's default tokenizer keeps [a-z0-9] only: both texts shrink to ["412"], a perfect
    # match
    default = rouge_scorer.RougeScorer(["rougeL"]).score(REF, HYP)["rougeL"].fmeasure
    assert default == 1.0
    ours = metric_value("rouge_l", REF, HYP)
    ref_words, hyp_words = unicode_words(REF), unicode_words(HYP)
    # LCS of the lower-cased word sequences: амилаза 412 ед л  (+ панкреатит or острый)
    lcs = 5
    p, r = lcs / len(hyp_words), lcs / len(ref_words)
    assert ours == pytest.approx(2 * p * r / (p + r))
    assert metric_value("rouge_l", REF, REF) == 1.0


def test_chrf_is_nltk_chrf_with_beta_2() -> None:
    assert metric_value("chrf", REF, HYP) == pytest.approx(sentence_chrf(REF, HYP, beta=2.0))
    assert metric_value("chrf", REF, REF) == pytest.approx(1.0)
    assert 0.0 < metric_value("chrf", REF, HYP) < 1.0


def test_metric_errors() -> None:
    with pytest.raises(ValueError, match="metric must be one of"):
        metric_value("bleu", REF, HYP)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="non-empty"):
        metric_value("rouge_l", REF, " ")
