"""4T data: the value types, the canonical matching form, validation rules and safe fixes (pure)."""

from kkod.fourt.canonical import Canonical4T, canonical
from kkod.fourt.model import Finding, Person4T, Severity

__all__ = ["Canonical4T", "Finding", "Person4T", "Severity", "canonical"]
