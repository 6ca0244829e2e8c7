"""An inspection's photos on disk: ``settings.upload_dir/inspections/<id>/<name>``, stored as work-order photos are.

The checks (first bytes, size, names linli makes) and the storing are ``needs.uploads``'; only the folder differs.
"""

from __future__ import annotations

from pathlib import Path

from linli.config import Settings
from linli.needs import uploads

FOLDER = "inspections"


def save(settings: Settings, inspection_id: int, content: bytes) -> str:
    """Return the name a photo is stored under in the inspection's folder; refuses other files and big ones."""
    return uploads.store(settings, FOLDER, inspection_id, content, "inspection")


def remove(settings: Settings, inspection_id: int, name: str) -> None:
    """Delete a stored photo whose record was not kept."""
    uploads.remove(settings, f"{FOLDER}/{inspection_id}/{name}")


def file_of(settings: Settings, inspection_id: int, name: str) -> tuple[Path, str]:
    """Return the file of an inspection's photo and its media type, or raise ``NotFound``."""
    return uploads.stored_file(settings, FOLDER, inspection_id, name)
