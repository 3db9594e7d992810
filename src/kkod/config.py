"""Every configuration setting of kkod, read from ``KKOD_*`` environment variables.

The table of settings in README.md mirrors this class; a test keeps them in step.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

from kkod.errors import ConfigurationError
from kkod.hungarian import article

Part = Literal["central", "ministry", "employer"]


class Settings(BaseSettings):
    """Process-wide settings; each field is the variable ``KKOD_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="KKOD_", extra="ignore")

    data_dir: Path = Field(
        Path("kkod-data"),
        description="Folder holding each part's SQLite file, the mail spool and the private "
        "work folders (work/).",
    )
    central_database_url: str | None = Field(
        None, description="SQLAlchemy URL of the central registry; default: SQLite in data_dir."
    )
    ministry_database_url: str | None = Field(
        None,
        description="SQLAlchemy URL of the ministry's request store; default: SQLite in data_dir.",
    )
    employer_database_url: str | None = Field(
        None, description="SQLAlchemy URL of the employer's register; default: SQLite in data_dir."
    )
    code_secret: str | None = Field(
        None,
        description="Central secret the connection codes are derived from (hex, ≥ 32 bytes); "
        "default: generated once into data_dir/central-code-secret.",
    )
    code_key_id: int = Field(
        1, description="Id of the current code secret, kept with each connection."
    )
    trust_roots: list[Path] = Field(
        default_factory=list,
        description="PEM/DER CA certificates trusted for signed declarations (JSON list of paths).",
    )
    central_url: str | None = Field(
        None,
        description="Base URL of the central system's HTTP API (e.g. https://central.example:8443); "
        "when set, the ministry and the employer reach the registry over HTTP with "
        "central_api_key instead of opening its database.",
    )
    central_api_key: str | None = Field(
        None, description="The API key (office or ministry) sent to central_url."
    )
    central_ca_file: Path | None = Field(
        None,
        description="PEM file of the CA that signed central_url's TLS certificate, if private.",
    )
    api_key_secret: str | None = Field(
        None,
        description="Secret the central API keys are hashed with (hex, ≥ 32 bytes); default: "
        "generated once into data_dir/central-api-key-secret.",
    )
    api_connect_per_minute: int = Field(
        60, ge=1, description="Connect-one requests an office may make per minute (API)."
    )
    api_verify_per_minute: int = Field(
        120, ge=1, description="Code verifications an office may make per minute (API)."
    )
    api_auth_failures_per_minute: int = Field(
        10, ge=1, description="Failed API authentications allowed per client address per minute."
    )
    api_max_body_bytes: int = Field(
        2 * 2**20, ge=1024, description="Largest request body the central API accepts (bytes)."
    )
    api_max_document_bytes: int = Field(
        1 * 2**20, ge=1, description="Largest test document the central API delivers (bytes)."
    )
    web_session_idle_minutes: int = Field(
        30, ge=1, description="A web page session ends after this many minutes without a request."
    )
    web_session_absolute_hours: int = Field(
        12,
        ge=1,
        description="A web page session ends this many hours after its login, in use or not.",
    )
    web_login_failures_before_lock: int = Field(
        5,
        ge=1,
        description="Wrong web logins in a row that lock the user for web_login_lock_minutes.",
    )
    web_login_lock_minutes: int = Field(
        15, ge=1, description="Minutes a user stays locked after too many wrong web logins."
    )
    web_login_attempts_per_minute: int = Field(
        10, ge=1, description="Web login attempts allowed per client address per minute."
    )
    smtp_host: str = Field("127.0.0.1", description="SMTP relay the ministry replies through.")
    smtp_port: int = Field(25, description="Port of the SMTP relay.")
    smtp_starttls: bool = Field(False, description="Use STARTTLS with the relay.")
    smtp_ca_file: Path | None = Field(
        None, description="PEM file of the CA that signed the relay's TLS certificate, if private."
    )
    smtp_user: str | None = Field(None, description="SMTP user name, if the relay needs one.")
    smtp_password: str | None = Field(None, description="SMTP password, if the relay needs one.")
    ministry_address: str = Field(
        "ehr@bm.gov.hu",
        description="The ministry's own address: requests go to it, replies come from it.",
    )
    status_base_url: str = Field(
        "http://127.0.0.1:8001",
        description="Public base URL of the ministry console (kkod ministry serve); the status "
        "link in each acknowledgement is this URL + /allapot/<token>.",
    )
    status_views_per_minute: int = Field(
        30, ge=1, description="Status page views one client address may make per minute."
    )
    retention_days: int = Field(
        30, description="Days a stored request table is kept before the worker deletes it."
    )
    ministry_contact_name: str = Field(
        "a Belügyminisztérium kapcsolati kód ügyintézője",
        description="The person (or desk) the ministry's letters name as the contact.",
    )
    ministry_contact_phone: str | None = Field(
        None, description="The contact's telephone number in the letters, if any."
    )
    auto_rejections_per_hour: int = Field(
        5,
        description="Automatic rejections sent to one sender in an hour at most; "
        "beyond it a message waits for the operator.",
    )
    container_max_files: int = Field(
        20,
        description="Files taken from containers (zip, winmail.dat, forwarded mail) per message.",
    )
    container_max_bytes: int = Field(
        64 * 1024 * 1024,
        description="Bytes unpacked from containers per message, in total.",
    )
    declaration_max_bytes: int = Field(
        20 * 1024 * 1024, description="Largest declaration PDF checked (bytes)."
    )
    avdh_seals: list[str] = Field(
        default_factory=list,
        description="organizationIdentifier (or CN) of the AVDH service's seal certificates "
        "(JSON list); a declaration sealed by one is an AVDH-authenticated declaration.",
    )
    retry_delay: float = Field(
        2.0,
        gt=0,
        description="Seconds the worker waits before trying a failed request or reply again; "
        "doubled after each failure, up to retry_max_delay.",
    )
    retry_max_delay: float = Field(
        300.0, gt=0, description="The longest wait between two tries (seconds)."
    )
    # Limits on a table file from outside, checked before anything expensive is done with it
    # (kkod.table.limits); each refusal names the limit and its variable.
    table_max_file_bytes: int = Field(
        64 * 2**20, description="Largest table file accepted (bytes, as stored)."
    )
    table_max_members: int = Field(1000, description="Most zip members a table file may hold.")
    table_max_member_bytes: int = Field(
        160 * 2**20, description="Largest uncompressed size of one zip member of a table (bytes)."
    )
    table_max_total_bytes: int = Field(
        320 * 2**20, description="Largest uncompressed size of all members of a table (bytes)."
    )
    table_max_ratio: int = Field(
        100, description="Highest compression ratio of a table's zip member of 1 MiB or more."
    )
    table_max_shared_strings: int = Field(
        2_000_000, description="Most shared strings a table's workbook may hold."
    )
    table_max_cell_chars: int = Field(
        32_767, description="Longest text of one cell or shared string (Excel's own limit)."
    )
    table_max_rows: int = Field(
        200_000, description="Most data rows a table may hold (trailing empty rows do not count)."
    )
    table_max_cells: int = Field(
        10_000_000,
        description="Largest used area of the table's sheet (rows × columns) and most cells in it.",
    )
    # kkod.logs reads these two from the environment itself: logging must work even when
    # another setting is invalid. They are here to be documented and typed like the rest.
    log_dir: Path | None = Field(
        None, description="Folder of the log file kkod.log; default: data_dir/logs."
    )
    debug: bool = Field(
        False,
        description="Show library warnings, debug log lines and tracebacks on the terminal.",
    )

    def database_url(self, part: Part) -> str:
        """The URL of ``part``'s database: the configured one, else a SQLite file in data_dir."""
        configured = getattr(self, f"{part}_database_url")
        if configured:
            return configured
        return f"sqlite:///{(self.data_dir / f'{part}.sqlite3').resolve()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process (read once). A variable that cannot be read raises
    :class:`~kkod.errors.ConfigurationError` naming it and what it wants — never its value,
    which may be a secret."""
    try:
        return Settings()
    except SettingsError as error:  # a list or mapping that is not JSON
        field = re.search(r'field "(\w+)"', str(error))
        raise _bad_setting(field.group(1) if field else None, _LIST_WANTED) from None
    except ValidationError as error:
        first = error.errors()[0]
        raise _bad_setting(str(first["loc"][0]) if first["loc"] else None, _wanted(first)) from None


_LIST_WANTED = 'JSON-listát vár, pl. ["/etc/kkod/ca.pem"] (idézőjelekkel, szögletes zárójelben)'
_WANTED = {
    "int_parsing": "egész számot vár",
    "int_from_float": "egész számot vár",
    "float_parsing": "számot vár",
    "bool_parsing": "igen/nem értéket vár (true vagy false)",
    "greater_than": "nagyobb számot vár",
    "greater_than_equal": "nagyobb számot vár",
    "less_than_equal": "kisebb számot vár",
    "json_invalid": _LIST_WANTED,
    "list_type": _LIST_WANTED,
}


def _wanted(error: dict) -> str:
    if error["type"] == "literal_error":
        return f"ezek egyikét várja: {error.get('ctx', {}).get('expected', '')}"
    return _WANTED.get(error["type"], "más értéket vár")


def _bad_setting(field: str | None, wanted: str) -> ConfigurationError:
    variable = f"KKOD_{field.upper()}" if field else "egy KKOD_ kezdetű"
    return ConfigurationError(
        f"{article(variable).capitalize()} {variable} beállítás (környezeti változó) értéke nem megfelelő: {wanted}. "
        "Javítsa a változó értékét, és indítsa újra a parancsot."
    )
