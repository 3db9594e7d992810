"""Fast bulk row loading on the registry's connection: COPY on PostgreSQL, executemany on SQLite."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Connection


def copy_rows(
    conn: Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]
) -> None:
    """Append ``rows`` to ``table`` inside ``conn``'s transaction, as fast as the backend allows."""
    names = ", ".join(columns)
    if conn.dialect.name == "postgresql":
        driver = conn.connection.driver_connection
        with driver.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" * len(columns))
    rows = rows if isinstance(rows, list) else list(rows)
    if rows:
        conn.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


def copy_fixed_width(conn: Connection, table: str, column: str, values: list[bytes]) -> None:
    """Append ``values`` (all of one length) as rows of the single-column ``table``.

    On SQLite they travel as one concatenated blob that SQL cuts up: one statement instead
    of an ``executemany`` with a round trip through the driver per value.
    """
    if not values:
        return
    width = len(values[0])
    if width == 0 or any(len(v) != width for v in values):
        raise ValueError("values of one length expected")
    if conn.dialect.name == "postgresql":
        copy_rows(conn, table, [column], [(v,) for v in values])
        return
    conn.exec_driver_sql(
        f"INSERT INTO {table} ({column}) "
        "WITH RECURSIVE i(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM i WHERE n + 1 < ?) "
        "SELECT substr(?, n * ? + 1, ?) FROM i",
        (len(values), b"".join(values), width, width),
    )


def temp_table(conn: Connection, name: str, columns_sql: str) -> None:
    """A fresh, empty temporary table ``name`` private to this connection."""
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")
    conn.exec_driver_sql(f"CREATE TEMPORARY TABLE {name} ({columns_sql})")


def drop_temp_table(conn: Connection, name: str) -> None:
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")


def analyze(conn: Connection, table: str, columns: Sequence[str] = ()) -> None:
    """Give the planner fresh statistics (temporary tables are never auto-analysed on
    PostgreSQL); of ``columns`` only, when given (the table's size is counted either way)."""
    conn.exec_driver_sql(
        f"ANALYZE {table} ({', '.join(columns)})" if columns else f"ANALYZE {table}"
    )
