"""The README's configuration table names every setting linli reads."""

from pathlib import Path

from linli.config import Settings

README = Path(__file__).resolve().parents[2] / "README.md"


def test_it_documents_every_setting_in_the_readme() -> None:
    text = README.read_text()
    missing = [name for name in Settings.model_fields if f"LINLI_{name.upper()}" not in text]
    assert missing == []
