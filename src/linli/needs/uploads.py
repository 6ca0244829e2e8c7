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


def save_photo(settings: Settings, order_id: int, content: bytes) -> str:
    """Return the stored photo's path relative to the upload folder; refuses other files and big ones."""
    if len(content) > MAX_BYTES:
        raise Invalid("need.photo_too_big", "The photo is larger than {mb} MB.", "photo", mb=MAX_BYTES // 2**20)
    extension = kind_of(content)
    if extension is None:
        raise Invalid("need.photo_type", "Send a photo as JPEG, PNG or WebP.", "photo")
    folder = Path(settings.upload_dir) / "needs" / str(order_id)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.{extension}"
    (folder / name).write_bytes(content)
    return f"needs/{order_id}/{name}"


def remove(settings: Settings, relative: str) -> None:
    """Delete a stored photo whose order change did not happen."""
    (Path(settings.upload_dir) / relative).unlink(missing_ok=True)


def photo_file(settings: Settings, order_id: int, name: str) -> tuple[Path, str]:
    """Return the file of an order's photo and its media type, or raise ``NotFound``."""
    if not NAME.match(name):
        raise NotFound("photo")
    path = Path(settings.upload_dir) / "needs" / str(order_id) / name
    if not path.is_file():
        raise NotFound("photo")
    return path, TYPES[name.rsplit(".", 1)[1]]
