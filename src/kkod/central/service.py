"""The in-process implementation of the :class:`kkod.central.interface.Central` protocol.

It owns the registry's engine and the code secret; the ministry and the employer hold it
only as a ``Central`` (match-and-issue in bulk, connect one, look up a code). The HTTP API
(:mod:`kkod.web.central`) serves it; :func:`open_central` gives the one configured: this,
or :class:`kkod.central.http_client.HttpCentral` when the registry is on another machine.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import closing

from sqlalchemy import Connection, Engine, select, text

from kkod.central import codes as code_format
from kkod.central.interface import (
    CHUNK_ROWS,
    SCANNING_CHUNK_ROWS,
    Central,
    CodeLookup,
    MatchResult,
    OfficeInfo,
    Outcome,
    UnknownOffice,
    Via,
)
from kkod.central.matching import (
    DIRECT_KEYS_AT_MOST,
    KeyRow,
    NewConnection,
    connections_known,
    direct_key_rows,
    fetch_key_rows,
    issue_codes,
    join_keys,
    load_keys,
    match_one,
    new_connections,
    outdates_statistics,
    result_of_counts,
    store_given_codes,
)
from kkod.central.models import Office
from kkod.central.registry import audit, office_info
from kkod.config import Settings, get_settings
from kkod.db import single_statements

_PLAIN = {result: Outcome(result) for result in MatchResult}


class InProcessCentral:
    """The central system in this process, on its own database (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine, secret: bytes, key_id: int = 1) -> None:
        self.engine = engine
        self._single = single_statements(engine)
        self._secret = secret
        self.key_id = key_id
        postgresql = engine.dialect.name == "postgresql"
        self.chunk_rows = SCANNING_CHUNK_ROWS if postgresql else CHUNK_ROWS
        # Storing a big chunk's new connections behind the run pays where the database server
        # does the work (PostgreSQL: a first run 5.2–5.9 → 4.4–4.8 s). SQLite's inserts are this
        # process's work under the GIL, on a second connection with a cold page cache: a first
        # run took 4.3–4.5 → 4.8–5.4 s that way, so there the chunk is issued in its own turn.
        self._stores_behind = postgresql

    def office(self, krid: str) -> OfficeInfo | None:
        with self._single.connect() as conn:
            row = conn.execute(select(Office).where(Office.krid == str(krid).strip())).first()
        return office_info(row) if row else None

    def match_and_issue(
        self,
        krid: str,
        keys: Sequence[bytes | None],
        *,
        via: Via = Via.BULK,
        reference: str | None = None,
        actor: str = "system",
    ) -> list[Outcome]:
        """One outcome per key, in order; codes issued for every KOD key in one transaction,
        committed before the outcomes are returned."""
        with closing(
            self._chunks(krid, [keys], via, reference, actor, issue_behind=False)
        ) as chunks:
            return next(chunks)

    def match_and_issue_chunks(
        self,
        krid: str,
        chunks: Iterable[Sequence[bytes | None]],
        *,
        via: Via = Via.BULK,
        reference: str | None = None,
        actor: str = "system",
    ) -> Iterator[list[Outcome]]:
        """Each chunk matched and issued in a transaction of its own, its outcomes yielded.

        Pipelined on one connection that one thread at a time uses: while a second thread
        runs a chunk's registry join (without the GIL), this one takes the next chunk from
        ``chunks`` (the caller computes its keys) and the caller handles the outcomes yielded.
        When the chunks are big (and the database a server), their new connections are stored
        behind (see :class:`_StoringBehind`): every chunk yielded is stored by the time the
        iterator ends, or it raises.
        """
        return self._chunks(krid, chunks, via, reference, actor, issue_behind=True)

    def _chunks(
        self,
        krid: str,
        chunks: Iterable[Sequence[bytes | None]],
        via: Via,
        reference: str | None,
        actor: str,
        *,
        issue_behind: bool,
    ) -> Iterator[list[Outcome]]:
        """:meth:`match_and_issue_chunks`; ``issue_behind`` allows storing behind the run."""
        krid = str(krid).strip()
        with self._single.connect() as reads:
            office_id = reads.scalar(select(Office.id).where(Office.krid == krid))
        if office_id is None:
            raise UnknownOffice(krid)
        with (
            self.engine.connect() as conn,
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="kkod-join") as pool,
        ):
            upcoming = iter(chunks)
            keys = next(upcoming, None)
            if keys is None:
                return
            joining: _Join | None = _Join(conn, pool, office_id, keys)
            behind = (
                _StoringBehind(self.engine, office_id, krid, via, reference, actor)
                if issue_behind and self._stores_behind and joining.in_pool
                else None
            )
            try:
                while keys is not None:
                    current = joining
                    try:
                        if current is None:  # after the connections stored before it
                            assert behind is not None
                            behind.settle()
                            current = joining = _Join(conn, pool, office_id, keys)
                        following = next(upcoming, None)  # the caller computes it meanwhile
                        if behind is None:
                            outcomes = self._finish_chunk(
                                conn, current, office_id, krid, keys, via, reference, actor
                            )
                            joining = _next_join(conn, pool, office_id, following)
                        else:
                            by_key, kod_keys = _settled(current.rows())
                            conn.commit()  # the join's transaction only read
                            missing = [
                                a for a in dict.fromkeys(kod_keys.values()) if a not in behind.given
                            ]
                            # The next join is planned with the connections' statistics: if
                            # this chunk's would make them misleading, it waits until they are
                            # stored and counted (see matching._refresh_statistics).
                            joining = (
                                None
                                if behind.outdates_statistics(len(missing))
                                else _next_join(conn, pool, office_id, following)
                            )
                            outcomes = self._hand_out(behind, by_key, kod_keys, missing, keys)
                    except BaseException:
                        for join in (current, joining):
                            if join is not None:
                                join.settle()  # the connection is ours again
                        conn.rollback()
                        raise
                    yield outcomes
                    keys = following
            except GeneratorExit:
                if behind is not None:
                    behind.close()  # the chunks yielded are stored, or this raises
                raise
            except BaseException:
                if behind is not None:
                    behind.close(quietly=True)
                raise
            if behind is not None:
                behind.close()

    def _finish_chunk(
        self,
        conn: Connection,
        joining: _Join,
        office_id: int,
        krid: str,
        keys: Sequence[bytes | None],
        via: Via,
        reference: str | None,
        actor: str,
    ) -> list[Outcome]:
        """The chunk's outcomes once its join is done: missing codes issued, audited, committed."""
        by_key, created = self._outcomes_by_key(
            conn, office_id, krid, joining.rows(), via, reference
        )
        outcomes = _in_order(by_key, keys)
        audit(
            conn, actor, "match_and_issue", krid, _audit_detail(outcomes, via, reference, created)
        )
        conn.commit()
        return outcomes

    def _hand_out(
        self,
        behind: _StoringBehind,
        by_key: dict[bytes, Outcome],
        kod_keys: dict[bytes, int],
        missing: list[int],
        keys: Sequence[bytes | None],
    ) -> list[Outcome]:
        """The chunk's outcomes at once (``by_key`` and ``kod_keys`` as :func:`_settled` gives
        them), the connections of the ``missing`` accounts (codes derived here) given to
        ``behind`` to store with the chunk's audit entry."""
        rows = new_connections(
            office_id=behind.office_id, krid=behind.krid, account_ids=missing,
            secret=self._secret, key_id=self.key_id, via=str(behind.via),
            reference=behind.reference,
        )  # fmt: skip
        given = behind.given
        given.update((row[1], row[2]) for row in rows)
        _add_codes(by_key, kod_keys, given)
        outcomes = _in_order(by_key, keys)
        behind.store(rows, outcomes)
        return outcomes

    def _outcomes_by_key(
        self,
        conn: Connection,
        office_id: int,
        krid: str,
        key_rows: list[KeyRow],
        via: Via,
        reference: str | None,
    ) -> tuple[dict[bytes, Outcome], int]:
        """The outcome of each key the registry holds (``key_rows``, as
        :func:`~kkod.central.matching.key_rows` gives them), issuing the codes still missing.

        Returns (outcome by key, number of connections created). One (immutable) Outcome per
        key, shared by the rows that carry it.
        """
        by_key, kod_keys = _settled(key_rows)
        new_codes, created = issue_codes(
            conn,
            office_id=office_id,
            krid=krid,
            account_ids=kod_keys.values(),
            secret=self._secret,
            key_id=self.key_id,
            via=str(via),
            reference=reference,
            known_missing=True,
        )
        _add_codes(by_key, kod_keys, new_codes)
        return by_key, created

    def connect_one(
        self, krid: str, key: bytes | None, *, via: Via = Via.MANUAL, actor: str = "system"
    ) -> Outcome:
        """One person's connection: a code, or the reason there is none (never a near-match)."""
        krid = str(krid).strip()
        with self.engine.begin() as conn:
            office_id = conn.scalar(select(Office.id).where(Office.krid == krid))
            if office_id is None:
                raise UnknownOffice(krid)
            outcome = self.connect_in(conn, office_id, krid, key, via=via)
            audit(conn, actor, "connect_one", krid, f"via={via} result={outcome.result.value}")
        return outcome

    def connect_in(
        self,
        conn: Connection,
        office_id: int,
        krid: str,
        key: bytes | None,
        *,
        via: Via,
        reference: str | None = None,
    ) -> Outcome:
        """:meth:`connect_one` inside the caller's transaction, which also audits it."""
        if key is None:
            return _PLAIN[MatchResult.HIBAS_SOR]
        match = match_one(conn, key, office_id)
        result = match.result
        if result is not MatchResult.KOD:
            return _PLAIN[result]
        code = match.code
        if code is None:
            codes, _ = issue_codes(
                conn,
                office_id=office_id,
                krid=krid,
                account_ids=[match.account_id],
                secret=self._secret,
                key_id=self.key_id,
                via=str(via),
                reference=reference,
                known_missing=True,
            )
            code = codes[match.account_id]
        return Outcome(MatchResult.KOD, code_format.format_code(code))

    def lookup_code(self, krid: str, code: str) -> CodeLookup:
        """Whether ``code`` is a well-formed code of this office's live connections.

        Another office's code looks exactly like an unknown one: not connected.
        """
        krid = str(krid).strip()
        with self.engine.connect() as conn:
            office_id = conn.scalar(select(Office.id).where(Office.krid == krid))
            if office_id is None:
                raise UnknownOffice(krid)
            return lookup_in(conn, office_id, code)


def _settled(key_rows: list[KeyRow]) -> tuple[dict[bytes, Outcome], dict[bytes, int]]:
    """The outcome of each key in ``key_rows`` that needs no new code, and the account of each
    KOD key whose code is not stored yet."""
    by_key: dict[bytes, Outcome] = {}
    kod_keys: dict[bytes, int] = {}
    format_code = code_format.format_code
    for key, people, accounts, account_id, code in key_rows:
        result = result_of_counts(people, accounts)
        if result is not MatchResult.KOD:
            by_key[key] = _PLAIN[result]
        elif code is not None:
            by_key[key] = Outcome(MatchResult.KOD, format_code(code))
        else:
            kod_keys[key] = account_id
    return by_key, kod_keys


def _add_codes(
    by_key: dict[bytes, Outcome], kod_keys: dict[bytes, int], codes: dict[int, str]
) -> None:
    """Each KOD key's outcome into ``by_key``, with its account's code from ``codes``."""
    format_code = code_format.format_code
    for key, account_id in kod_keys.items():
        by_key[key] = Outcome(MatchResult.KOD, format_code(codes[account_id]))


def _in_order(by_key: dict[bytes, Outcome], keys: Sequence[bytes | None]) -> list[Outcome]:
    """Each key's outcome, in the order of ``keys`` (a key the registry lacks: no match)."""
    unknown, invalid = _PLAIN[MatchResult.NINCS_TALALAT], _PLAIN[MatchResult.HIBAS_SOR]
    return [invalid if key is None else by_key.get(key, unknown) for key in keys]


def _audit_detail(outcomes: list[Outcome], via: Via, reference: str | None, created: int) -> str:
    """A chunk's audit entry: how it came, its counts by result, connections made (no 4T)."""
    counts = Counter(outcome.result for outcome in outcomes)
    return (
        f"via={via} reference={reference or '-'} rows={len(outcomes)} "
        + " ".join(f"{r.value}={counts[r]}" for r in MatchResult)
        + f" new_connections={created}"
    )


def lookup_in(conn: Connection, office_id: int, code: str) -> CodeLookup:
    """:meth:`InProcessCentral.lookup_code` on the caller's connection."""
    try:
        compact = code_format.normalize(code)
    except code_format.CodeError:
        return CodeLookup(valid=False, connected=False)
    active = conn.execute(_ACTIVE_BY_CODE, {"office": office_id, "code": compact}).scalar()
    return CodeLookup(valid=True, connected=bool(active))


_ACTIVE_BY_CODE = text(
    "SELECT a.active FROM central_connections c JOIN central_accounts a ON a.id = c.account_id "
    "WHERE c.office_id = :office AND c.code = :code"
)


class _Join:
    """A chunk's registry join, begun in the chunk's transaction (begun here).

    A big chunk's keys are loaded into a temporary table at once and joined in ``pool`` (a
    thread of its own, started at the first such chunk) while the caller goes on; a small
    chunk's join is one statement, run in this thread when its rows are asked for.
    """

    def __init__(
        self,
        conn: Connection,
        pool: ThreadPoolExecutor,
        office_id: int,
        keys: Sequence[bytes | None],
    ) -> None:
        conn.begin()
        self._conn, self._office_id = conn, office_id
        self._keys = list(dict.fromkeys(k for k in keys if k is not None))
        self._joining: Future[None] | None = None
        if len(self._keys) > DIRECT_KEYS_AT_MOST:
            load_keys(conn, self._keys)
            self._keys = []  # in the temporary table now
            self._joining = pool.submit(join_keys, conn, office_id)

    @property
    def in_pool(self) -> bool:
        """Whether the join runs in the pool (a big chunk)."""
        return self._joining is not None

    def rows(self) -> list[KeyRow]:
        if self._joining is None:
            return direct_key_rows(self._conn, self._keys, self._office_id)
        self._joining.result()
        return fetch_key_rows(self._conn)

    def settle(self) -> None:
        """Wait until the pool no longer uses the connection (after an error)."""
        if self._joining is not None:
            wait([self._joining])


def _next_join(
    conn: Connection, pool: ThreadPoolExecutor, office_id: int, keys: Sequence[bytes | None] | None
) -> _Join | None:
    return None if keys is None else _Join(conn, pool, office_id, keys)


class _StoringBehind:
    """A run's new connections stored on a connection and in a thread of their own, chunk by
    chunk in order, each chunk with its audit entry in one transaction, while the run goes on.

    The codes are derived, so they are known before they are stored: the chunk's outcomes go
    to the caller at once and its next join starts (on the run's own connection) while the
    connections of the one before are written — on PostgreSQL that ``COPY`` is mostly the
    server's work. Not when they would make the table's statistics misleading (a young
    table: see :meth:`outdates_statistics`): the next join then waits until they are stored
    and counted, and only the caller's work overlaps the storing. ``given`` keeps the codes
    handed out, so that a person in two chunks is stored once although the second chunk's
    join may not see the first's connections yet. If storing fails, nothing after it is
    stored and :meth:`settle` and :meth:`close` raise.
    """

    def __init__(
        self,
        engine: Engine,
        office_id: int,
        krid: str,
        via: Via,
        reference: str | None,
        actor: str,
    ) -> None:
        self.office_id, self.krid, self.via, self.reference = office_id, krid, via, reference
        self._actor = actor
        self.given: dict[int, str] = {}  # account -> the code handed out in this run
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kkod-store")
        self._stored: list[Future[None]] = []
        self._conn = engine.connect()
        self._known = connections_known(self._conn)  # by the statistics, and as stored here
        self._conn.rollback()
        self._failed = False

    def outdates_statistics(self, count: int) -> bool:
        """Whether storing ``count`` more connections makes the statistics misleading for a
        join planned before they are stored (they are refreshed as they are stored)."""
        outdated = outdates_statistics(count, self._known)
        self._known += count
        return outdated

    def store(self, rows: list[NewConnection], outcomes: list[Outcome]) -> None:
        """Store ``rows`` (the chunk's new connections) and audit the chunk, in order."""
        for done in self._stored:
            if done.done() and done.exception() is not None:
                done.result()  # a failure is told at once, before more is handed out
        self._stored.append(self._thread.submit(self._store, rows, outcomes))

    def _store(self, rows: list[NewConnection], outcomes: list[Outcome]) -> None:
        if self._failed:
            raise _NotStored
        try:
            with self._conn.begin():
                created = store_given_codes(self._conn, self.office_id, rows)
                detail = _audit_detail(outcomes, self.via, self.reference, created)
                audit(self._conn, self._actor, "match_and_issue", self.krid, detail)
        except BaseException:
            self._failed = True
            raise

    def settle(self) -> None:
        """Wait until every chunk given is stored; raise the first failure."""
        wait(self._stored)
        for done in self._stored:
            if not isinstance(done.exception(), _NotStored):
                done.result()

    def close(self, *, quietly: bool = False) -> None:
        """:meth:`settle`, and the thread and its connection closed; ``quietly`` raises no
        failure (another error is on its way already)."""
        try:
            self._thread.shutdown(wait=True)
        finally:
            self._conn.close()
        if not quietly:
            self.settle()


class _NotStored(Exception):
    """A chunk not stored because one before it failed."""


def open_central(settings: Settings | None = None, url: str | None = None) -> Central:
    """The central system configured by ``settings``: over HTTP when ``KKOD_CENTRAL_URL`` is
    set (with ``KKOD_CENTRAL_API_KEY``), else in this process on its migrated database, with
    its secret and current key id (``url`` overrides the database URL)."""
    from kkod.central.secret import load_secret
    from kkod.db import open_part

    settings = settings or get_settings()
    if settings.central_url and url is None:
        return _http_central(settings)
    engine = open_part("central", settings, url)
    return InProcessCentral(engine, load_secret(settings), settings.code_key_id)


def _http_central(settings: Settings) -> Central:
    from kkod.central.http_client import HttpCentral
    from kkod.errors import ConfigurationError

    if not settings.central_api_key:
        raise ConfigurationError(
            "A KKOD_CENTRAL_URL mellé a KKOD_CENTRAL_API_KEY is kell: a központi rendszer "
            "üzemeltetője adja ki (kkod central office key create)."
        )
    return HttpCentral(
        settings.central_url, settings.central_api_key, ca_file=settings.central_ca_file
    )
