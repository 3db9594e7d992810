"""One person's 4T as an office sends them to connect-one: checked by the table's rules, keyed.

The same rules as ``kkod validate`` (:mod:`kkod.fourt.validation`): an error (``E..``)
refuses the request and names the field and the rule, a warning is reported beside the
result. Only the match key of the canonical form goes on to the registry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kkod.fourt.canonical import canonical
from kkod.fourt.model import Finding, Person4T, Severity
from kkod.fourt.validation import check_person

# Findings name the field itself where a table's would name a column letter.
_FIELDS_AS_COLUMNS = {name: name for name in Person4T.FIELDS}


@dataclass(frozen=True, slots=True)
class PersonCheck:
    key: bytes | None  # None when the 4T cannot be matched
    errors: list[Finding]
    warnings: list[Finding]


def check_person_request(person: Person4T, today: date) -> PersonCheck:
    """The findings of ``person`` (``Finding.column`` is the field name) and its match key."""
    check = check_person(1, person, columns=_FIELDS_AS_COLUMNS, today=today)
    errors = [f for f in check.findings if f.severity is Severity.HIBA]
    warnings = [f for f in check.findings if f.severity is not Severity.HIBA]
    form = None if errors else canonical(person)
    return PersonCheck(form.match_key() if form else None, errors, warnings)
