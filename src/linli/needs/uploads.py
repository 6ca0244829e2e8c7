"""Photos sent with progress notes: checked by their first bytes, kept under ``settings.upload_dir``.

The file name is made here (never the sender's), so a path cannot leave the order's folder.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from linli.config import Settings
from linli.errors import Invalid, NotFound

MAX_BYTES = 5 * 1024 * 1024
# What a photo starts with, and the extension it is stored under.
SIGNATURES = ((b"\xff\xd8\xff", "jpg"), (b"\x89PNG\r\n\x1a\n", "png"))
NAME = re.compile(r"^[0-9a-f]{32}\.(jpg|png|webp)$")
TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def kind_of(content: bytes) -> str | None:
    """Return ``jpg``, ``png`` or ``webp`` for a photo's bytes, or None for anything else."""
    for signature, extension in SIGNATURES:
        if content.startswith(signature):
            return extension
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "webp"
    return None


def store(settings: Settings, folder: str, owner_id: int, content: bytes, code: str) -> str:
    """Return the name a photo is stored under in ``folder/<owner_id>/``; refuses other files and big ones.

    ``code`` prefixes the refusals' codes (``need.photo_type``, ``inspection.photo_too_big`` …).
    """
    if len(content) > MAX_BYTES:
        raise Invalid(f"{code}.photo_too_big", "The photo is larger than {mb} MB.", "photo", mb=MAX_BYTES // 2**20)
    extension = kind_of(content)
    if extension is None:
        raise Invalid(f"{code}.photo_type", "Send a photo as JPEG, PNG or WebP.", "photo")
    place = Path(settings.upload_dir) / folder / str(owner_id)
    place.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.{extension}"
    (place / name).write_bytes(content)
    return name


def stored_file(settings: Settings, folder: str, owner_id: int, name: str) -> tuple[Path, str]:
    """Return the file of a photo stored by ``store`` and its media type, or raise ``NotFound``."""
    if not NAME.match(name):
        raise NotFound("photo")
    path = Path(settings.upload_dir) / folder / str(owner_id) / name
    if not path.is_file():
        raise NotFound("photo")
    return path, TYPES[name.rsplit(".", 1)[1]]


def save_photo(settings: Settings, order_id: int, content: bytes) -> str:
    """Return the stored photo's path relative to the upload folder; refuses other files and big ones."""
    return f"needs/{order_id}/{store(settings, 'needs', order_id, content, 'need')}"


def remove(settings: Settings, relative: str) -> None:
    """Delete a stored photo whose change did not happen (``relative`` to the upload folder)."""
    (Path(settings.upload_dir) / relative).unlink(missing_ok=True)


def photo_file(settings: Settings, order_id: int, name: str) -> tuple[Path, str]:
    """Return the file of an order's photo and its media type, or raise ``NotFound``."""
    return stored_file(settings, "needs", order_id, name)
