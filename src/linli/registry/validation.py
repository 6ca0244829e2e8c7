"""Checking a person's fields the way a clerk would explain each refusal."""

from __future__ import annotations

from datetime import date
from typing import Any

from linli.errors import DomainError, Invalid, ValidationErrors
from linli.lib import codes, idcard, phone
from linli.lib.text import clean_name

ID_REASONS = {
    "length": "The ID number must have 18 characters (or 15 for an old card).",
    "format": "The ID number may hold only digits and a final X.",
    "birth_date": "The birth date inside the ID number does not exist.",
    "checksum": "The ID number's check character is wrong; please check each digit.",
}


def check_person(fields: dict[str, Any]) -> dict[str, Any]:
    """Return ``fields`` cleaned (name, ID number, phone, codes), or raise every problem at once.

    The ID number, once valid, fixes the birth date and sex; a given birth date or sex that
    disagrees with it is refused rather than silently overwritten.
    """
    out = dict(fields)
    errors: list[DomainError] = []
    if "name" in fields:
        name = clean_name(fields["name"] or "")
        if not name:
            errors.append(Invalid("resident.name_required", "A name is required.", "name"))
        elif any(ch.isdigit() for ch in name):
            errors.append(Invalid("resident.name_digits", "A name cannot contain digits.", "name"))
        elif not name.isprintable():  # a NUL or a control character: PostgreSQL refuses NUL, SQLite would keep it
            errors.append(Invalid("resident.name_unprintable", "A name cannot contain control characters.", "name"))
        out["name"] = name
    if fields.get("id_number"):
        try:
            number = idcard.validate(fields["id_number"])
        except idcard.IdCardProblem as problem:
            errors.append(Invalid(f"resident.id_{problem.reason}", ID_REASONS[problem.reason], "id_number"))
        else:
            out["id_number"] = number
            born, sex = idcard.birth_date(number), idcard.sex(number)
            if born > date.today():
                errors.append(Invalid("resident.id_birth_date", ID_REASONS["birth_date"], "id_number"))
            given_birth = fields.get("birth_date")
            if given_birth and given_birth != born:
                errors.append(
                    Invalid(
                        "resident.birth_date_mismatch",
                        "The birth date does not match the ID number ({born}).",
                        "birth_date",
                        born=born.isoformat(),
                    )
                )
            if fields.get("gender") and fields["gender"] != sex:
                errors.append(Invalid("resident.gender_mismatch", "The sex does not match the ID number.", "gender"))
            out["birth_date"], out["gender"] = born, sex
    elif "id_number" in fields:
        out["id_number"] = None
    if fields.get("phone"):
        try:
            out["phone"] = phone.validate(fields["phone"])
        except phone.PhoneProblem:
            errors.append(
                Invalid(
                    "resident.phone_invalid",
                    "This is not a valid phone number (a mobile, or a fixed line such as 0592-1234567).",
                    "phone",
                )
            )
    elif "phone" in fields:
        out["phone"] = None
    for name, table in (("gender", codes.GENDERS), ("relation", codes.RELATIONS), ("kind", codes.KINDS)):
        if fields.get(name) is not None and out.get(name) not in table:
            errors.append(Invalid(f"resident.{name}_unknown", "Unknown code {code}.", name, code=out.get(name)))
    if out.get("birth_date") and out["birth_date"] > date.today():
        errors.append(Invalid("resident.birth_date_future", "The birth date is in the future.", "birth_date"))
    if errors:
        raise ValidationErrors(errors)
    return out
