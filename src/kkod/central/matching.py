"""Set-based 4T matching and code issue on the registry: the request's keys, one grouped join.

Never a query per row: a bulk request of 100,000 keys is one COPY/executemany into a
temporary table and one grouped join against the indexed match keys; a small request's keys
go into the join statement itself (a temporary table's create, analyse and drop would cost
more than the join). Codes are issued the same way (one lookup of existing connections, one
insert of the new ones).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select, text

from kkod.central.bulkio import analyze, copy_fixed_width, copy_rows, drop_temp_table, temp_table
from kkod.central.codes import derive_codes
from kkod.central.interface import CodesChanged, CodeTaken, MatchResult
from kkod.central.models import Connection as ConnectionRow
from kkod.central.models import utcnow

_KEYS = "kkod_tmp_match_keys"
_ROWS = "kkod_tmp_match_rows"
_INSERT_COLUMNS = ("office_id", "account_id", "code", "key_id", "via", "reference", "created_at")
_ACCOUNTS = "kkod_tmp_accounts"
_NEW = "kkod_tmp_new_connections"


@dataclass(frozen=True, slots=True)
class KeyMatch:
    """What the registry holds for one match key."""

    people: int  # people with this key
    active_accounts: int  # their active accounts, together
    account_id: int | None  # the account, when there is exactly one
    code: str | None = None  # its stored code for the office asked about, if connected already

    @property
    def result(self) -> MatchResult:
        return result_of(self)


NO_MATCH = KeyMatch(0, 0, None)


def result_of(match: KeyMatch | None) -> MatchResult:
    """SPEC §4: exactly one active account of exactly one person → KOD; none → NINCS_TALALAT;
    several accounts, or several people with identical 4T → TOBB_TALALAT."""
    if match is None:
        return MatchResult.NINCS_TALALAT
    return result_of_counts(match.people, match.active_accounts)


def result_of_counts(people: int, active_accounts: int) -> MatchResult:
    """:func:`result_of` from the counts: ``people`` with the key, their ``active_accounts``."""
    if active_accounts == 0:
        return MatchResult.NINCS_TALALAT
    if people > 1 or active_accounts > 1:
        return MatchResult.TOBB_TALALAT
    return MatchResult.KOD


def classify_keys(
    conn: Connection, keys: Iterable[bytes], office_id: int | None = None
) -> dict[bytes, KeyMatch]:
    """Every given key that the registry holds, with its people and active accounts (one join).

    With ``office_id``, the same join also brings the stored code of an account already
    connected to that office.
    """
    return {
        k: (
            KeyMatch(people, accounts, account_id, code)
            if accounts == 1
            else KeyMatch(people, accounts, None)
        )
        for k, people, accounts, account_id, code in key_rows(conn, keys, office_id)
    }


KeyRow = tuple[bytes, int, int, int | None, str | None]

# Up to this many distinct keys are joined by one statement that carries them (a small
# request, or the end of a big one); more go through a temporary table.
DIRECT_KEYS_AT_MOST = 2_000


def key_rows(conn: Connection, keys: Iterable[bytes], office_id: int | None = None) -> list[KeyRow]:
    """:func:`classify_keys` as plain rows, the bulk path's shape: (key, people, active
    accounts, smallest active account id, that account's code for ``office_id`` if stored)."""
    distinct = list(dict.fromkeys(keys))
    if len(distinct) <= DIRECT_KEYS_AT_MOST:
        return direct_key_rows(conn, distinct, office_id)
    load_keys(conn, distinct)
    join_keys(conn, office_id)
    return fetch_key_rows(conn)


def direct_key_rows(
    conn: Connection, distinct: Sequence[bytes], office_id: int | None = None
) -> list[KeyRow]:
    """:func:`key_rows` of ``distinct`` keys (each once) by one statement that carries them as
    its parameters (no temporary table): for a few thousand keys at most."""
    if not distinct:
        return []
    if _pg(conn):
        # %b: a binary array; in text every key is escaped, 1.1 ms of CPU for 500 keys, 0.15 here
        source, parameters = "unnest(%b::bytea[]) AS r(k)", (distinct,)
    else:
        values = ", ".join(["(?)"] * len(distinct))
        source, parameters = f"(SELECT column1 AS k FROM (VALUES {values})) r", tuple(distinct)
    return _plain_rows(conn, _joined(source, office_id, pg=_pg(conn)), parameters)


# One key, one statement: what connect-one asks (no temporary tables for a single key).
_ONE_KEY = text(
    "SELECT COUNT(DISTINCT p.id), COUNT(a.id), MIN(a.id), MIN(c.code) "
    "FROM central_people p "
    "LEFT JOIN central_accounts a ON a.person_id = p.id AND a.active "
    "LEFT JOIN central_connections c ON c.account_id = a.id AND c.office_id = :office "
    "WHERE p.match_key = :key"
)


def match_one(conn: Connection, key: bytes, office_id: int) -> KeyMatch:
    """What the registry holds for one key, with the account's stored code for the office."""
    people, accounts, account_id, code = conn.execute(
        _ONE_KEY, {"key": key, "office": office_id}
    ).one()
    if accounts == 1:
        return KeyMatch(people, accounts, account_id, code)
    return KeyMatch(people, accounts, None)


# key_rows() in three steps, for callers that do other work while the join runs.


def load_keys(conn: Connection, keys: Iterable[bytes]) -> bool:
    """The distinct ``keys`` into a temporary table; ``False`` (and no table) if there are none."""
    distinct = list(dict.fromkeys(keys))
    if not distinct:
        return False
    temp_table(conn, _KEYS, "k BYTEA PRIMARY KEY" if _pg(conn) else "k BLOB PRIMARY KEY")
    try:
        copy_fixed_width(conn, _KEYS, "k", distinct)
        if _pg(conn):
            analyze(conn, _KEYS)
    except BaseException:
        drop_temp_table(conn, _KEYS)
        raise
    return True


def join_keys(conn: Connection, office_id: int | None = None) -> None:
    """The loaded keys joined with the registry, into a second temporary table.

    One statement: the database driver lets go of the GIL once for the whole join, so
    another thread of the caller can work meanwhile (reading the join's rows directly
    would take the GIL back for every row).
    """
    drop_temp_table(conn, _ROWS)
    conn.exec_driver_sql(
        f"CREATE TEMPORARY TABLE {_ROWS} AS {_joined(f'{_KEYS} r', office_id, pg=_pg(conn))}"
    )


def fetch_key_rows(conn: Connection) -> list[KeyRow]:
    """The joined rows (see :func:`key_rows`); both temporary tables are dropped."""
    try:
        return _plain_rows(conn, f"SELECT k, people, accounts, account_id, code FROM {_ROWS}")
    finally:
        drop_temp_table(conn, _ROWS)
        drop_temp_table(conn, _KEYS)


def _joined(source: str, office_id: int | None, *, pg: bool) -> str:
    """The grouped join of the keys in ``source`` (an alias ``r`` with a column ``k``) with
    the registry, and with the office's stored codes when ``office_id`` is given."""
    if pg:
        return _joined_by_person(source, office_id)
    code_column, code_join = "NULL", ""
    if office_id is not None:
        code_column, code_join = "MIN(c.code)", " " + _stored_code_join("a.id", office_id)
    # CROSS JOIN pins SQLite's join order (request keys outside, the indexed registry
    # inside); without it the planner may scan every person of a big registry.
    return (
        f"SELECT r.k AS k, COUNT(DISTINCT p.id) AS people, COUNT(a.id) AS accounts, "
        f"MIN(a.id) AS account_id, {code_column} AS code "
        f"FROM {source} "
        f"CROSS JOIN central_people p ON p.match_key = r.k "
        f"LEFT JOIN central_accounts a ON a.person_id = p.id AND a.active"
        f"{code_join} GROUP BY r.k"
    )


def _joined_by_person(source: str, office_id: int | None) -> str:
    """:func:`_joined` on PostgreSQL: each person's active accounts counted first (one row a
    person, so no ``COUNT(DISTINCT …)`` and its sort), the stored code looked up once a key
    for its smallest account. 50,000 keys against 1,000,000 people: 369–405 ms against
    454–474 ms for SQLite's form of the statement (above), with the same rows."""
    code_column, code_join = "NULL", ""
    if office_id is not None:
        code_column, code_join = "c.code", " " + _stored_code_join("g.account_id", office_id)
    return (
        f"SELECT g.k AS k, g.people AS people, g.accounts AS accounts, "
        f"g.account_id AS account_id, {code_column} AS code "
        f"FROM (SELECT r.k AS k, COUNT(*) AS people, SUM(acc.n)::bigint AS accounts, "
        f"MIN(acc.first) AS account_id "
        f"FROM {source} "
        f"JOIN central_people p ON p.match_key = r.k "
        f"LEFT JOIN LATERAL (SELECT COUNT(*) AS n, MIN(a.id) AS first FROM central_accounts a "
        f"WHERE a.person_id = p.id AND a.active) acc ON true "
        f"GROUP BY r.k) g"
        f"{code_join}"
    )


def _stored_code_join(account: str, office_id: int) -> str:
    """The join with the office's stored connection (alias ``c``) of the account ``account``."""
    return (
        f"LEFT JOIN central_connections c ON c.account_id = {account} "
        f"AND c.office_id = {int(office_id)}"
    )


def _plain_rows(conn: Connection, statement: str, parameters: tuple = ()) -> list[KeyRow]:
    """The statement's rows as plain tuples (no Row objects), keys as ``bytes``."""
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute(statement, parameters)
        rows = cursor.fetchall()
    finally:
        cursor.close()
    if rows and rows[0][0].__class__ is not bytes:  # PostgreSQL gives memoryview
        rows = [(bytes(k), *rest) for k, *rest in rows]
    return rows


# A connection already stored is skipped, on either unique constraint: the pair (office,
# account), or the office's code. Naming only the pair let PostgreSQL raise on the code when
# two transactions inserted the same pair at the same moment (both looked before either
# inserted: the pair's index notes the conflict, the code's raises it). A code another account
# holds is found after (CodeTaken): never skipped in silence.
_SKIP_STORED = "ON CONFLICT DO NOTHING"
# Up to DIRECT_KEYS_AT_MOST new connections go to PostgreSQL by this; more by COPY. The arrays
# go in binary (%b): as text, 428 rows took 2.4 ms of the client's CPU to write, 0.66 ms so.
_INSERT_ARRAYS = (
    f"INSERT INTO central_connections ({', '.join(_INSERT_COLUMNS)}) "
    "SELECT * FROM unnest(%b::bigint[], %b::bigint[], %b::varchar[], %b::integer[], "
    f"%b::varchar[], %b::varchar[], %b::timestamptz[]) {_SKIP_STORED} "
    "RETURNING account_id, code"
)
# From this many new connections, their table's statistics may need refreshing at once.
_ANALYZE_FROM = 1_000
# What the joins on the connections look them up by.
_JOINED_BY = ("office_id", "account_id")


def issue_codes(
    conn: Connection,
    *,
    office_id: int,
    krid: str,
    account_ids: Iterable[int],
    secret: bytes,
    key_id: int,
    via: str,
    reference: str | None,
    known_missing: bool = False,
) -> tuple[dict[int, str], int]:
    """The compact code of each account for this office, creating the connections that are
    missing. Existing connections keep their stored code. Returns (codes, number created).

    ``known_missing`` skips looking for existing connections (the caller just did). A derived
    code another account of the office holds raises :class:`CodeTaken`.
    """
    wanted = list(dict.fromkeys(account_ids))
    if not wanted:
        return {}, 0
    codes = {} if known_missing else _existing_codes(conn, office_id, wanted)
    missing = [a for a in wanted if a not in codes]
    if not missing:
        return codes, 0
    rows = new_connections(
        office_id=office_id, krid=krid, account_ids=missing, secret=secret, key_id=key_id,
        via=via, reference=reference,
    )  # fmt: skip
    created, count = insert_connections(conn, rows)
    codes.update(created)
    lost = [a for a in missing if a not in created]
    if lost:
        # Another worker connected some of these pairs at the same moment: theirs stand.
        codes.update(_codes_of_skipped(conn, office_id, lost))
    return codes, count


# A connection to be made: (office id, account id, compact code, key id, via, reference).
NewConnection = tuple[int, int, str, int, str, str | None]


def new_connections(
    *,
    office_id: int,
    krid: str,
    account_ids: Sequence[int],
    secret: bytes,
    key_id: int,
    via: str,
    reference: str | None,
) -> list[NewConnection]:
    """The connections of ``account_ids`` to the office with their derived codes (no I/O)."""
    codes = derive_codes(secret, key_id, krid, account_ids)
    return [
        (office_id, account_id, code, key_id, via, reference)
        for account_id, code in zip(account_ids, codes, strict=True)
    ]


def store_given_codes(conn: Connection, office_id: int, rows: Sequence[NewConnection]) -> int:
    """Store connections whose codes were already handed out; the number created.

    A pair another worker connected meanwhile is left as stored: with the same code (the
    codes are derived, so it is, unless that worker held another key), all is well; with
    another, :class:`~kkod.central.interface.CodesChanged` is raised, for the codes handed out
    are then not the stored ones. A code another account holds: :class:`CodeTaken`.
    """
    if not rows:
        return 0
    created, count = insert_connections(conn, rows)
    lost = [row for row in rows if row[1] not in created]
    if lost:
        stored = _codes_of_skipped(conn, office_id, [row[1] for row in lost])
        changed = sum(1 for row in lost if stored[row[1]] != row[2])
        if changed:
            raise CodesChanged(changed)
    return count


def insert_connections(
    conn: Connection, rows: Sequence[NewConnection]
) -> tuple[dict[int, str], int]:
    """Create the connections of ``rows`` that are not stored yet, in the caller's transaction.

    Returns (the codes of those created, by account; their number). On SQLite, when some
    were stored already, the codes are left out (which were created is not known there).
    """
    now = utcnow()
    if _pg(conn) and len(rows) <= DIRECT_KEYS_AT_MOST:
        # A small request's (connect-one: one): one INSERT with a column of values in each of
        # its parameters — one round trip, and one statement text whatever the number of rows,
        # which the driver prepares once per connection. The temporary table below cost
        # PostgreSQL 1.7 ms of CPU per connect-one.
        columns = (*(list(column) for column in zip(*rows, strict=True)), [now] * len(rows))
        created = dict(conn.exec_driver_sql(_INSERT_ARRAYS, columns).all())
        _refresh_statistics(conn, len(created))
        return created, len(created)
    if _pg(conn):
        # COPY straight into the connections, in a savepoint. If another worker connected one
        # of the pairs meanwhile, the COPY is undone and the pairs go through a temporary table
        # into an insert that skips those already there. (COPY into a temporary table and
        # INSERT … SELECT every time cost a third more: 0.54 / 0.40 s for 85,000 connections.)
        from psycopg import IntegrityError as CopyIntegrityError

        try:
            with conn.begin_nested():
                copy_rows(conn, "central_connections", _INSERT_COLUMNS, [(*r, now) for r in rows])
            created = {row[1]: row[2] for row in rows}
        except CopyIntegrityError:
            created = _insert_skipping_stored(conn, rows, now)
        _refresh_statistics(conn, len(created))
        return created, len(created)
    # The driver's executemany straight away; created_at stored as SQLAlchemy stores it.
    column_type = ConnectionRow.__table__.c.created_at.type.dialect_impl(conn.dialect)
    process = column_type.bind_processor(conn.dialect)
    stamp = process(now) if process else now
    count = conn.exec_driver_sql(
        f"INSERT INTO central_connections ({', '.join(_INSERT_COLUMNS)}) "
        f"VALUES (?, ?, ?, ?, ?, ?, ?) {_SKIP_STORED}",
        [(*row, stamp) for row in rows],
    ).rowcount
    # All inserted: the codes are ours. Else some were there already: the caller reads back.
    return ({row[1]: row[2] for row in rows} if count == len(rows) else {}), count


def _insert_skipping_stored(
    conn: Connection, rows: Sequence[NewConnection], now: datetime
) -> dict[int, str]:
    """PostgreSQL: the connections of ``rows`` that no one stored yet, created through a
    temporary table; their codes by account."""
    temp_table(
        conn,
        _NEW,
        "office_id BIGINT, account_id BIGINT, code VARCHAR(17), key_id INTEGER, "
        "via VARCHAR(10), reference VARCHAR(200), created_at TIMESTAMPTZ",
    )
    try:
        copy_rows(conn, _NEW, _INSERT_COLUMNS, [(*row, now) for row in rows])
        return dict(
            conn.exec_driver_sql(
                f"INSERT INTO central_connections ({', '.join(_INSERT_COLUMNS)}) "
                f"SELECT {', '.join(_INSERT_COLUMNS)} FROM {_NEW} {_SKIP_STORED} "
                "RETURNING account_id, code"
            ).all()
        )
    finally:
        drop_temp_table(conn, _NEW)


def _refresh_statistics(conn: Connection, inserted: int) -> None:
    """ANALYZE the connections when ``inserted`` rows grew them by a tenth or more.

    The next chunk's join reads them, and autovacuum's statistics come later: a table the
    planner still thinks empty (a new system, or an office's first big request in a young
    one) got a nested loop that scanned the whole table for each key of a small last chunk
    (50 s instead of 0.1 s for 6,857 keys after 200,000 connections were made).

    Only the columns the joins look up by are sampled (autovacuum's ANALYZE later does the
    rest): 43–50 ms instead of 115–130 ms at 200,000 connections."""
    if inserted >= _ANALYZE_FROM and outdates_statistics(inserted, connections_known(conn)):
        analyze(conn, "central_connections", _JOINED_BY)


def connections_known(conn: Connection) -> float:
    """How many connections PostgreSQL's statistics know of (0 if never counted)."""
    known = conn.exec_driver_sql(
        "SELECT reltuples FROM pg_class WHERE oid = 'central_connections'::regclass"
    ).scalar()
    return max(known or 0, 0)


def outdates_statistics(inserted: int, known: float) -> bool:
    """Whether ``inserted`` new connections make statistics that know of ``known`` misleading
    (a tenth or more, from 1,000): a join planned with them may scan the table per key."""
    return inserted >= _ANALYZE_FROM and inserted * 10 >= known


def _codes_of_skipped(conn: Connection, office_id: int, account_ids: list[int]) -> dict[int, str]:
    """The stored codes of accounts whose new connections the insert skipped: each must have
    one, or its derived code was skipped for being another account's (:class:`CodeTaken`)."""
    stored = _existing_codes(conn, office_id, account_ids)
    if len(stored) < len(account_ids):
        raise CodeTaken(len(account_ids) - len(stored))
    return stored


def _existing_codes(conn: Connection, office_id: int, account_ids: list[int]) -> dict[int, str]:
    if len(account_ids) <= 500:
        rows = conn.execute(
            select(ConnectionRow.account_id, ConnectionRow.code).where(
                ConnectionRow.office_id == office_id, ConnectionRow.account_id.in_(account_ids)
            )
        ).all()
        return dict(rows)
    temp_table(conn, _ACCOUNTS, "a BIGINT PRIMARY KEY" if _pg(conn) else "a INTEGER PRIMARY KEY")
    try:
        copy_rows(conn, _ACCOUNTS, ["a"], [(a,) for a in account_ids])
        if _pg(conn):
            analyze(conn, _ACCOUNTS)
        rows = conn.exec_driver_sql(
            f"SELECT c.account_id, c.code FROM {_ACCOUNTS} t "
            f"JOIN central_connections c ON c.account_id = t.a AND c.office_id = {int(office_id)}"
        ).all()
    finally:
        drop_temp_table(conn, _ACCOUNTS)
    return dict(rows)


def _pg(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"
