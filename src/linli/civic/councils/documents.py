"""A topic's documents (a quote, a plan, a photo) on disk: ``settings.upload_dir/topics/<topic id>/<name>``.

Photos are checked and stored by ``needs.uploads`` (first bytes, size, a name linli makes); a PDF, which
that module does not take, is checked here by its own first bytes and stored the same way. Reading a
document back checks that the caller sees its topic.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from sqlalchemy.orm import Session

from linli.accounts.permissions import Scope
from linli.audit import services as audit
from linli.civic.councils import access
from linli.civic.councils.models import TopicDocument
from linli.civic.councils.schemas import DocumentOut
from linli.config import Settings
from linli.db.engine import transaction
from linli.errors import Conflict, Forbidden, Invalid, NotFound
from linli.needs import uploads

FOLDER = "topics"
NAME = re.compile(r"^[0-9a-f]{32}\.(jpg|png|webp|pdf)$")
TYPES = {**uploads.TYPES, "pdf": "application/pdf"}


def _store(settings: Settings, topic_id: int, content: bytes) -> str:
    if len(content) > uploads.MAX_BYTES:
        raise Invalid(
            "topic.document_too_big", "The file is larger than {mb} MB.", "file", mb=uploads.MAX_BYTES // 2**20
        )
    if not content.startswith(b"%PDF-"):
        if uploads.kind_of(content) is None:
            raise Invalid("topic.document_type", "Send a document as PDF, or a photo as JPEG, PNG or WebP.", "file")
        return uploads.store(settings, FOLDER, topic_id, content, "topic")
    place = Path(settings.upload_dir) / FOLDER / str(topic_id)
    place.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.pdf"
    (place / name).write_bytes(content)
    return name


def upload(
    session: Session, scope: Scope, settings: Settings, topic_id: int, filename: str, content: bytes
) -> DocumentOut:
    """Attach a document to a topic (staff who write where the council is, or its members)."""
    with transaction(session):
        topic, reached = access.load_topic(session, scope, topic_id)
        member = access.my_membership(session, scope, topic.council_id)
        if not ((reached.staff and access.can_write(scope, reached.path)) or member is not None):
            raise Forbidden()
        if topic.state == "rejected":
            raise Conflict("topic.closed", "The discussion of this topic is closed.")
        name = _store(settings, topic.id, content)
        try:
            row = TopicDocument(
                topic_id=topic.id,
                filename=(Path(filename or "document").name or "document")[:200],
                stored_name=name,
                content_type=TYPES[name.rsplit(".", 1)[1]],
                size=len(content),
                uploaded_by_id=scope.user_id,
            )
            session.add(row)
            session.flush()
            audit.record_by(
                session, scope, "council.document_upload", entity="topic", entity_id=topic.id,
                area_id=reached.council.area_id,
                changes={"document_id": [None, row.id], "filename": [None, row.filename], "size": [None, row.size]},
            )  # fmt: skip
        except BaseException:
            uploads.remove(settings, f"{FOLDER}/{topic.id}/{name}")
            raise
        return DocumentOut(
            id=row.id, filename=row.filename, content_type=row.content_type, size=row.size, created_at=row.created_at
        )


def file_of(session: Session, scope: Scope, settings: Settings, document_id: int) -> tuple[Path, str, str]:
    """Return a document's file, media type and file name, if the caller sees its topic; else ``NotFound``."""
    row = session.get(TopicDocument, document_id) if 0 < document_id < access.MAX_ID else None
    if row is None:
        raise NotFound("document")
    try:
        access.load_topic(session, scope, row.topic_id)
    except NotFound:
        raise NotFound("document") from None
    if not NAME.match(row.stored_name):
        raise NotFound("document")
    path = Path(settings.upload_dir) / FOLDER / str(row.topic_id) / row.stored_name
    if not path.is_file():
        raise NotFound("document")
    return path, TYPES[row.stored_name.rsplit(".", 1)[1]], row.filename
