"""The titles a greeting does not add a second time come from `forms_of_address.yaml`: the
defaults, a deployment's own list, and a malformed file refused with the file and the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.bundle import load_knowledge
from knowledge.forms_of_address import load_forms_of_address
from knowledge.loading import CatalogError


@pytest.mark.parametrize(
    ("name", "takes"),
    [("李", True), ("王小明", True), ("李社工", False), ("王阿姨", False), ("Wang", False)],
)
def test_the_default_titles(name: str, takes: bool) -> None:
    assert load_knowledge().forms_of_address.takes_title(name) is takes


def test_a_deployment_names_its_own_titles(tmp_path: Path) -> None:
    (tmp_path / "forms_of_address.yaml").write_text("titles: [护士]\n", encoding="utf-8")
    forms = load_forms_of_address(tmp_path)
    assert not forms.takes_title("李护士")
    assert forms.takes_title("李社工")  # its list replaces the defaults


@pytest.mark.parametrize("text", ["titles: []\n", "titles: [社工, '']\n", "- 社工\n"])
def test_a_malformed_file_is_refused(tmp_path: Path, text: str) -> None:
    (tmp_path / "forms_of_address.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError, match=r"forms_of_address\.yaml"):
        load_forms_of_address(tmp_path)
