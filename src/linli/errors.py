"""Domain errors: a stable code, an English message (translated for display), and an HTTP status.

Services raise these; entrypoints map them to a 4xx response or a CLI exit code.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refusal the user can act on. ``message`` is an English msgid with ``{named}`` fields."""

    status = 400

    # Positional-only, so a message may itself have a ``{code}`` field.
    def __init__(self, code: str, message: str, field: str | None = None, /, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.message = message
        self.field = field
        self.params = params

    def text(self, locale: str = "zh") -> str:
        """Return the message in ``locale``, with its fields filled in."""
        from linli.i18n import translate

        return translate(self.message, locale).format(**self.params)

    def __str__(self) -> str:
        return self.text("en")


class Invalid(DomainError):
    status = 422


class NotFound(DomainError):
    status = 404

    def __init__(self, what: str = "record") -> None:
        super().__init__(f"{what}.not_found", "Not found, or outside your area.")


class Forbidden(DomainError):
    status = 403

    def __init__(self, message: str = "You do not have permission to do this.", code: str = "forbidden") -> None:
        super().__init__(code, message)


class Unauthenticated(DomainError):
    status = 401

    def __init__(self) -> None:
        super().__init__("auth.required", "Please log in.")


class Conflict(DomainError):
    status = 409


class ValidationErrors(Invalid):
    """Several field errors at once, as a form shows them beside each field."""

    def __init__(self, errors: list[DomainError]) -> None:
        first = errors[0]
        super().__init__(first.code, first.message, first.field, **first.params)
        self.errors = errors
