"""What the central API's requests share, opened once per server process: databases, secrets, limits."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from kkod.central.ratelimit import Rate
from kkod.central.service import InProcessCentral
from kkod.config import Settings
from kkod.logins.store import Logins


@dataclass(frozen=True)
class CentralContext:
    settings: Settings
    engine: Engine  # writes: on SQLite every transaction is BEGIN IMMEDIATE, one at a time
    # Reads that write nothing (SQLite: without taking the write lock). On PostgreSQL the same
    # pool in autocommit: each statement sees its own snapshot there anyway (READ COMMITTED),
    # and a read saves the BEGIN and ROLLBACK round trips; single-statement writes that need
    # no transaction around them (the rate-limit counts) use it too.
    reader: Engine
    central: InProcessCentral  # on ``engine``
    pepper: bytes  # the API key secret
    connect_rate: Rate
    verify_rate: Rate
    auth_failure_rate: Rate
    logins: Logins  # the office staff's logins to the Hivatali kapu pages

    @classmethod
    def open(cls, settings: Settings) -> CentralContext:
        """The registry (migrated), its secrets and the configured rate limits."""
        from kkod.central.secret import load_api_key_secret, load_secret
        from kkod.central.staff import staff_logins
        from kkod.db import make_engine, open_part, serialize_writes

        reader = open_part("central", settings)
        engine = serialize_writes(make_engine(settings.database_url("central")))
        if engine.dialect.name != "sqlite":
            engine.dispose()
            engine = reader
            reader = engine.execution_options(isolation_level="AUTOCOMMIT")
        return cls(
            settings=settings,
            engine=engine,
            reader=reader,
            central=InProcessCentral(engine, load_secret(settings), settings.code_key_id),
            pepper=load_api_key_secret(settings),
            connect_rate=Rate(settings.api_connect_per_minute),
            verify_rate=Rate(settings.api_verify_per_minute),
            auth_failure_rate=Rate(settings.api_auth_failures_per_minute),
            logins=staff_logins(engine, settings),
        )

    def close(self) -> None:
        self.engine.dispose()
        self.reader.dispose()
