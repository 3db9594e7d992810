"""The status of one request as the ministry shows it to its sender (page and JSON), and reads back.

The same model is what the status page renders, what it answers as JSON, and what
``kkod employer status`` checks that answer against: nothing personal in it.
"""

from __future__ import annotations

import re
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

REFERENCE = re.compile(r"^KK-\d{4}-\d{6,}$")
STATUS_PATH = "/allapot/"
# The token in a status link: URL-safe base64 (32 random bytes make 43 characters).
TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
LINK = re.compile(r"https?://[^\s<>\"']+/allapot/[A-Za-z0-9_-]{32,64}")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class StatusStep(_Frozen):
    status: str = Field(max_length=64)
    at: datetime
    reason: str | None = Field(None, max_length=20_000)


class StatusCounts(_Frozen):
    rows: int = Field(ge=0)
    coded: int = Field(ge=0)
    no_match: int = Field(ge=0)
    multiple: int = Field(ge=0)
    invalid: int = Field(ge=0)


class StatusReport(_Frozen):
    """One request's status: reference, history, and the rejection reason or the counts."""

    reference: str = Field(pattern=REFERENCE.pattern, max_length=32)
    received_at: datetime
    status: str = Field(max_length=64)
    meaning: str = Field("", max_length=1000)
    reason: str | None = Field(None, max_length=20_000)  # when elutasítva
    counts: StatusCounts | None = None  # when kész
    history: list[StatusStep] = Field(default_factory=list, max_length=1000)


def find_link(text: str) -> str | None:
    """The first status link in ``text`` (an acknowledgement letter's body), if any."""
    found = LINK.search(text)
    return found.group(0) if found else None
