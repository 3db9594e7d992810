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
    direct_key_rows,
    fetch_key_rows,
    issue_codes,
    join_keys,
    load_keys,
    match_one,
    result_of_counts,
)
from kkod.central.models import Office
from kkod.central.registry import audit, office_info
from kkod.config import Settings, get_settings

_PLAIN = {result: Outcome(result) for result in MatchResult}


class InProcessCentral:
    """The central system in this process, on its own database (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine, secret: bytes, key_id: int = 1) -> None:
        self.engine = engine
        self._secret = secret
        self.key_id = key_id
        scans = engine.dialect.name == "postgresql"
        self.chunk_rows = SCANNING_CHUNK_ROWS if scans else CHUNK_ROWS

    def office(self, krid: str) -> OfficeInfo | None:
        with self.engine.connect() as conn:
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
        """One outcome per key, in order; codes issued for every KOD key in one transaction."""
        with closing(
            self.match_and_issue_chunks(krid, [keys], via=via, reference=reference, actor=actor)
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
        """
        krid = str(krid).strip()
        with (
            self.engine.connect() as conn,
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="kkod-join") as pool,
        ):
            office_id = conn.scalar(select(Office.id).where(Office.krid == krid))
            conn.rollback()
            if office_id is None:
                raise UnknownOffice(krid)
            upcoming = iter(chunks)
            keys = next(upcoming, None)
            joining = _Join(conn, pool, office_id, keys) if keys is not None else None
            while keys is not None and joining is not None:
                try:
                    following = next(upcoming, None)  # the caller computes it meanwhile
                    outcomes = self._finish_chunk(
                        conn, joining, office_id, krid, keys, via, reference, actor
                    )
                except BaseException:
                    joining.settle()  # the connection is ours again
                    conn.rollback()
                    raise
                if following is not None:
                    joining = _Join(conn, pool, office_id, following)
                yield outcomes
                keys = following

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
        unknown, invalid = _PLAIN[MatchResult.NINCS_TALALAT], _PLAIN[MatchResult.HIBAS_SOR]
        outcomes = [invalid if key is None else by_key.get(key, unknown) for key in keys]
        counts = Counter(outcome.result for outcome in outcomes)
        audit(
            conn,
            actor,
            "match_and_issue",
            krid,
            f"via={via} reference={reference or '-'} rows={len(keys)} "
            + " ".join(f"{r.value}={counts[r]}" for r in MatchResult)
            + f" new_connections={created}",
        )
        conn.commit()
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
        by_key: dict[bytes, Outcome] = {}
        kod_keys: dict[bytes, int] = {}  # KOD key -> its account, where no code is stored yet
        format_code = code_format.format_code
        for key, people, accounts, account_id, code in key_rows:
            result = result_of_counts(people, accounts)
            if result is not MatchResult.KOD:
                by_key[key] = _PLAIN[result]
            elif code is not None:
                by_key[key] = Outcome(MatchResult.KOD, format_code(code))
            else:
                kod_keys[key] = account_id
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
        for key, account_id in kod_keys.items():
            by_key[key] = Outcome(MatchResult.KOD, format_code(new_codes[account_id]))
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

    def rows(self) -> list[KeyRow]:
        if self._joining is None:
            return direct_key_rows(self._conn, self._keys, self._office_id)
        self._joining.result()
        return fetch_key_rows(self._conn)

    def settle(self) -> None:
        """Wait until the pool no longer uses the connection (after an error)."""
        if self._joining is not None:
            wait([self._joining])


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
