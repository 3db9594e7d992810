"""How PostgreSQL compresses the large byte columns (tables, PDFs, e-mails): lz4 where it can.

PostgreSQL compresses a value of more than about 2 KB before storing it out of line; its
default, pglz, cost 3.7 ms of the server's CPU to store a 100-row request's table, declaration
and a reply-sized e-mail, lz4 0.8 ms, and lz4's rows came out smaller (docs/benchmarks.md).
lz4 is there from PostgreSQL 14 on, when the server was built with it (Debian's and the
official images are); elsewhere the columns keep pglz. SQLite does not compress.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, text

LZ4 = "lz4"
DEFAULT = "default"  # the server's default_toast_compression, pglz unless configured


def lz4_available(conn: Connection) -> bool:
    """Whether this PostgreSQL server can compress columns with lz4."""
    if conn.dialect.name != "postgresql":
        return False
    choices = conn.execute(
        text("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")
    ).scalar()
    return bool(choices) and LZ4 in choices


def set_compression(conn: Connection, columns: Iterable[tuple[str, str]], method: str) -> bool:
    """Compress new values of ``(table, column)`` with ``method`` (``lz4`` or ``default``);
    values stored before keep theirs. ``False``, and nothing changed, where lz4 is missing."""
    if not lz4_available(conn):
        return False
    for table, column in columns:
        conn.exec_driver_sql(
            f'ALTER TABLE "{table}" ALTER COLUMN "{column}" SET COMPRESSION {method}'
        )
    return True
