"""An inspection's photos on disk: ``settings.upload_dir/inspections/<id>/<name>``, checked as work-order photos are.

The checks (first bytes, size, names linli makes) are ``needs.uploads``'; only the folder differs.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from linli.config import Settings
from linli.errors import Invalid, NotFound
from linli.needs import uploads

FOLDER = "inspections"


def save(settings: Settings, inspection_id: int, content: bytes) -> str:
    """Return the name a photo is stored under in the inspection's folder; refuses other files and big ones."""
    if len(content) > uploads.MAX_BYTES:
        raise Invalid(
            "inspection.photo_too_big", "The photo is larger than {mb} MB.", "photo", mb=uploads.MAX_BYTES // 2**20
        )
    extension = uploads.kind_of(content)
    if extension is None:
        raise Invalid("inspection.photo_type", "Send a photo as JPEG, PNG or WebP.", "photo")
    folder = Path(settings.upload_dir) / FOLDER / str(inspection_id)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.{extension}"
    (folder / name).write_bytes(content)
    return name


def remove(settings: Settings, inspection_id: int, name: str) -> None:
    """Delete a stored photo whose record was not kept."""
    (Path(settings.upload_dir) / FOLDER / str(inspection_id) / name).unlink(missing_ok=True)


def file_of(settings: Settings, inspection_id: int, name: str) -> tuple[Path, str]:
    """Return the file of an inspection's photo and its media type, or raise ``NotFound``."""
    if not uploads.NAME.match(name):
        raise NotFound("photo")
    path = Path(settings.upload_dir) / FOLDER / str(inspection_id) / name
    if not path.is_file():
        raise NotFound("photo")
    return path, uploads.TYPES[name.rsplit(".", 1)[1]]
