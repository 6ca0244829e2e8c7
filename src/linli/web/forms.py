"""What every HTML form shares: reading numbers leniently, putting each refusal beside its field, and where
the browser may go next."""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import ValidationError

from linli.errors import DomainError, ValidationErrors
from linli.i18n import translate

# English msgids (translated in linli.po) for what pydantic refuses before a service sees the form.
INPUT_MESSAGES = {
    "datetime": "Enter a date and time.",
    "date": "Enter a date such as 1980-01-31.",
    "int": "Enter a whole number.",
    "too_long": "This is too long.",
    "too_short": "This cannot be empty.",
    "range": "This number is out of range.",
    "": "This value is not valid.",
}


def as_int(value: object, low: int = 0, high: int = 10**9) -> int | None:
    """Return a form value as a whole number within ``low..high``, or None for an empty or odd value."""
    try:
        number = int(str(value or "").strip())
    except ValueError:
        return None
    return number if low <= number <= high else None


def input_message(kind: str) -> str:
    """Return the msgid for a pydantic error type (``date_from_datetime_parsing``, ``string_too_long`` …)."""
    for key in ("datetime", "date", "int", "too_long", "too_short"):
        if kind.startswith(key) or kind.endswith(key):
            return INPUT_MESSAGES[key]
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return INPUT_MESSAGES["range"]
    return INPUT_MESSAGES[""]


def field_errors(error: DomainError | ValidationError, locale: str, fields: set[str]) -> dict[str, list[str]]:
    """Return a refusal's messages by form field; those tied to no shown field go under ``""``.

    A dotted field (``needs.0``) belongs to its first part when only that part is shown.
    """
    out: dict[str, list[str]] = {}

    def put(field: str, message: str) -> None:
        shown = field if field in fields else field.split(".")[0] if field.split(".")[0] in fields else ""
        out.setdefault(shown, []).append(message)

    if isinstance(error, ValidationError):
        for problem in error.errors():
            loc = [str(p) for p in problem["loc"]]
            put(
                ".".join(loc[:2]) if len(loc) > 1 and loc[1].isdigit() else (loc[0] if loc else ""),
                translate(input_message(problem.get("type", "")), locale),
            )
        return out
    for e in error.errors if isinstance(error, ValidationErrors) else [error]:
        put(e.field or "", e.text(locale))
    return out


def safe_next(value: str | None, default: str = "/") -> str:
    """Return ``value`` when it is a path on this site, else ``default`` (no open redirects).

    ``//evil.example`` and ``/\\evil.example`` are hosts to a browser, so they are refused too.
    """
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or any(ch in value for ch in "\r\n"):
        return default
    return value
