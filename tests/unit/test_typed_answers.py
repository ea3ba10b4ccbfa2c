"""The words typed for a yes/no question's No (`typed_answers.yaml`): compared whole, with
width, case and punctuation folded; a malformed file refused, a bare YAML `no` named."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.bundle import load_knowledge
from knowledge.loading import CatalogError
from knowledge.typed_answers import load_typed_answers


@pytest.mark.parametrize(
    ("text", "no"),
    [
        ("不用了", True), ("不要。", True), ("  不用 ", True), ("No, thanks!", True),
        ("ＮＯ", True), ("nope", True),
        ("不用了，我自己去", False), ("不要打我", False), ("是", False), ("yes", False), ("", False),
    ],
)  # fmt: skip
def test_what_means_no(text: str, no: bool) -> None:
    assert load_knowledge().typed_answers.means_no(text) is no


def test_a_deployment_lists_its_own(tmp_path: Path) -> None:
    (tmp_path / "typed_answers.yaml").write_text(
        'declines: {zh: [免了], en: ["no"]}\n', encoding="utf-8"
    )
    answers = load_typed_answers(tmp_path)
    assert answers.means_no("免了") and not answers.means_no("不用了")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("declines: {zh: [不用]}\n", "with `zh` and `en` lists"),
        ("declines: {zh: [], en: [nope]}\n", "non-empty list"),
        ("declines: {zh: [不用], en: [no]}\n", "False is not a text (quote it)"),
    ],
)
def test_a_malformed_file_is_refused(tmp_path: Path, text: str, problem: str) -> None:
    (tmp_path / "typed_answers.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError) as error:
        load_typed_answers(tmp_path)
    assert problem in str(error.value) and "typed_answers.yaml" in str(error.value)


@pytest.mark.parametrize(
    ("text", "skip"),
    [("跳过", True), ("无。", True), ("Skip!", True), ("NONE", True), ("跳过 »", True),
     ("Skip for now »", True), ("无人在家", False), ("skip the rest", False)],
)  # fmt: skip
def test_what_means_skip(text: str, skip: bool) -> None:  # fix11a, probe11 item 7
    assert load_knowledge().typed_answers.means_skip(text) is skip


def test_a_deployment_without_skips_has_none(tmp_path: Path) -> None:
    (tmp_path / "typed_answers.yaml").write_text(
        'declines: {zh: [免了], en: ["no"]}\n', encoding="utf-8"
    )
    assert not load_typed_answers(tmp_path).means_skip("跳过")
