"""The request store's queries: record once (dedupe), claim with a lease, finish with the reply.

Every state change that must happen together happens in one transaction: a request is
recorded with its rejection reply; a request is marked ``kész`` in the same transaction
that puts its reply into the outbox (one reply per request, enforced by a UNIQUE key). Every
change of the status the employer sees is also written to the status history in the same
transaction (:mod:`kkod.ministry.status` reads it). On PostgreSQL each such transaction is one
statement (data-modifying CTEs, in autocommit: one round trip); SQLite keeps the transactions.
Claims are one atomic ``UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED)`` on
PostgreSQL; on SQLite the same conditional UPDATE takes the database's write lock first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, undefer
from sqlalchemy.orm.attributes import set_committed_value

from kkod.config import Settings
from kkod.db import is_postgresql, open_part, session_factory, single_statements
from kkod.ministry.models import (
    AuditEvent,
    OutboxStatus,
    Reply,
    ReplyKind,
    Request,
    RequestStatus,
    StatusChange,
    utcnow,
)
from kkod.ministry.store_statements import (
    CLAIM_ACTION,
    ID_BY_DEDUPE_KEY,
    INSERT_AUDIT,
    INSERT_HISTORY,
    INSERT_REPLY,
    MARK_SENT,
    NEXT_REQUEST_ID,
    WITH_TABLE,
    claim_reply_statement,
    claim_request_statement,
    claimed_whole,
    close_statement,
    closed_whole,
    held_by,
    mark_sent_audited,
    recorded_whole,
    sent_action,
)
from kkod.ministry.wakeup import Arrivals, notify_queued

DEFAULT_LEASE = timedelta(minutes=5)
DEFAULT_SEND_LEASE = timedelta(minutes=2)


@dataclass(frozen=True, slots=True)
class OutgoingReply:
    """A reply, built once and stored byte-exact so every (re)send is the same message."""

    kind: ReplyKind
    recipient: str
    message_id: str
    raw: bytes


@dataclass(slots=True)
class NewRequest:
    """What intake learned about a request (the checks have already run)."""

    dedupe_key: str
    channel: str
    sender: str
    status: RequestStatus
    reason: str | None = None
    message_id: str | None = None
    subject: str | None = None
    organisation: str | None = None
    short_name: str | None = None
    krid: str | None = None
    signer_name: str | None = None
    table_filename: str | None = None
    table_sha256: str | None = None
    table_xlsx: bytes | None = None
    table_columns: bytes | None = None  # what the intake read from it (columns_codec)
    declaration_filename: str | None = None
    declaration_pdf: bytes | None = None
    rows: int | None = None
    operator_note: str | None = None
    signature_kind: str | None = None
    status_token_sha256: str | None = None
    audit_detail: str | None = field(default=None)


@dataclass(frozen=True, slots=True)
class SentBefore:
    """An earlier request that carried the same table (see :meth:`RequestStore.with_table`)."""

    reference: str | None
    sender: str


@dataclass(frozen=True, slots=True)
class ClaimedReply:
    """A reply of the outbox claimed for sending, as the claim returned it."""

    id: int
    request_id: int
    kind: str
    recipient: str
    message_id: str
    raw: bytes | None = field(repr=False)
    attempts: int


@dataclass(frozen=True, slots=True)
class Counts:
    rows: int
    coded: int
    no_match: int
    multiple: int
    invalid: int


_WAITING = (RequestStatus.ATTEKINTESRE_VAR, RequestStatus.ALAIRAS_ELLENORZESRE_VAR)
_HELD = (RequestStatus.ELUTASITVA, *_WAITING)


def reference_for(request_id: int, received_at: datetime) -> str:
    """The public reference of a request, e.g. ``KK-2026-000123``."""
    return f"KK-{received_at.year}-{request_id:06d}"


class RequestStore:
    """The ministry's request store on one engine (SQLite file or PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = session_factory(engine)
        self._single = single_statements(engine)
        self._single_sessions = session_factory(self._single)
        self._pg = is_postgresql(engine)
        self.arrivals = Arrivals()  # told when this store queues a request (wakes a worker)

    @classmethod
    def open(cls, settings: Settings | None = None, url: str | None = None) -> RequestStore:
        """The store at ``url`` (default: the configured ministry database), migrated."""
        return cls(open_part("ministry", settings, url))

    def session(self) -> Session:
        return self._sessions()

    # -- intake ---------------------------------------------------------------------------

    def record(
        self,
        new: NewRequest,
        reply: Callable[[Request], OutgoingReply] | None = None,
        *,
        actor: str = "intake",
    ) -> tuple[Request, bool]:
        """Store ``new`` (and its reply, if any: a rejection or the acknowledgement) unless
        its dedupe key is known.

        Returns the request and whether it was created now; a second delivery of the same
        message returns the first request unchanged (and audits the repeat).
        """
        now = utcnow()
        queued = new.status == RequestStatus.BEERKEZETT
        try:
            if self._pg:
                request = self._record_whole(new, reply, actor, now, queued)
            else:
                request = self._record_in_transaction(new, reply, actor, now, queued)
        except IntegrityError:
            existing = self.get_by_dedupe_key(new.dedupe_key)
            if existing is None:  # pragma: no cover - a different constraint failed
                raise
            with self._sessions.begin() as session:
                _audit(session, existing.id, actor, "ismételt kézbesítés", "ugyanaz az üzenet", now)
            return existing, False
        if queued:
            self.arrivals.announce()
        return request, True

    def _record_in_transaction(
        self, new, reply, actor: str, now: datetime, queued: bool
    ) -> Request:
        with self._sessions.begin() as session:
            request = Request(**_request_fields(new, now))
            session.add(request)
            session.flush()
            request.reference = reference_for(request.id, now)
            session.flush()
            for action, detail in _recorded_events(new):
                _audit(session, request.id, actor, action, detail, now)
            _history(session, request.id, new.status, new.reason, now)
            if reply is not None:
                _add_reply(session, request.id, reply(request), now)
            if queued:
                notify_queued(session.connection())
        return request

    def _record_whole(self, new, reply, actor: str, now: datetime, queued: bool) -> Request:
        """PostgreSQL: the request's id drawn first, then the request with its audit events,
        history step, reply and (when queued) the workers' notification as one statement
        (see :func:`recorded_whole`): two round trips where a transaction took nine."""
        fields = _request_fields(new, now)
        events = _recorded_events(new)
        with self._single.connect() as connection:
            request_id = connection.execute(NEXT_REQUEST_ID).scalar_one()
            fields.update(id=request_id, reference=reference_for(request_id, now))
            request = Request(**fields)
            outgoing = reply(request) if reply is not None else None
            parameters = dict(fields)
            parameters.update(
                now=now,
                actor=actor,
                history_status=str(new.status),
                history_reason=_history_reason(new.status, new.reason),
            )
            for index, (action, detail) in enumerate(events):
                parameters.update({f"action_{index}": action, f"detail_{index}": detail})
            if outgoing is not None:
                parameters.update(_reply_parameters(outgoing))
            statement = recorded_whole(tuple(fields), len(events), outgoing is not None, queued)
            connection.execute(statement, parameters)
        return request

    def get_by_dedupe_key(self, key: str) -> Request | None:
        # Nearly always none (each message is new): its id is looked up on a connection, and
        # the request is loaded only for a repeat (the session's query cost 0.3 ms more).
        with self._single.connect() as connection:
            found = connection.execute(ID_BY_DEDUPE_KEY, {"key": key}).scalar()
        if found is None:
            return None
        with self._sessions() as session:
            return session.get(Request, found)

    def rejections_sent_to(self, sender: str, since: datetime) -> int:
        """How many rejection replies were queued for ``sender`` since ``since``."""
        with self._sessions() as session:
            return len(
                session.scalars(
                    select(Reply.id).where(
                        Reply.kind == str(ReplyKind.REJECTION),
                        Reply.recipient == sender,
                        Reply.created_at >= since,
                    )
                ).all()
            )

    def with_table(self, table_sha256: str) -> list[SentBefore]:
        """Earlier requests carrying the table with this SHA-256 that were not rejected, oldest
        first: their references and senders."""
        with self._single.connect() as connection:
            rows = connection.execute(WITH_TABLE, {"sha256": table_sha256})
            return [SentBefore(*row) for row in rows]

    def is_our_reply(self, message_ids: Sequence[str]) -> bool:
        """Whether any of ``message_ids`` is the Message-ID of a reply in the outbox."""
        ids = [m for m in message_ids if m]
        if not ids:
            return False
        with self._sessions() as session:
            return session.scalar(select(Reply.id).where(Reply.message_id.in_(ids))) is not None

    # -- the operator ---------------------------------------------------------------------

    def approve(
        self, request_id: int, actor: str, changes: dict[str, object], detail: str
    ) -> Request | None:
        """Queue a request whose signature the operator confirmed; ``None`` if it no longer waits.

        ``changes`` are the declaration's fields the operator gave (for a scan).
        """
        now = utcnow()
        with self._sessions.begin() as session:
            result = session.execute(
                update(Request)
                .where(
                    Request.id == request_id,
                    Request.status == str(RequestStatus.ALAIRAS_ELLENORZESRE_VAR),
                )
                .values(**changes, status=str(RequestStatus.BEERKEZETT))
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:
                return None
            _audit(session, request_id, actor, "aláírás jóváhagyva", detail, now)
            _history(session, request_id, RequestStatus.BEERKEZETT, None, now)
            notify_queued(session.connection())
        self.arrivals.announce()
        return self.get(request_id)

    def reject_held(
        self,
        request_id: int,
        actor: str,
        reason: str,
        reply: Callable[[Request], OutgoingReply] | None,
    ) -> Request | None:
        """Reject a request waiting for the operator, with ``reply`` (or none); ``None`` if it no longer waits."""
        now = utcnow()
        with self._sessions.begin() as session:
            result = session.execute(
                update(Request)
                .where(Request.id == request_id, Request.status.in_([str(s) for s in _WAITING]))
                .values(status=str(RequestStatus.ELUTASITVA), reason=reason, finished_at=now)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:
                return None
            request = session.get(Request, request_id)
            detail = reason if reply is not None else f"{reason} (válasz nélkül)"
            _audit(session, request_id, actor, "elutasítva", detail, now)
            _history(session, request_id, RequestStatus.ELUTASITVA, reason, now)
            if reply is not None:
                _add_reply(session, request_id, reply(request), now)
        return self.get(request_id)

    # -- worker: requests -----------------------------------------------------------------

    def claim_next(
        self, worker_id: str, lease: timedelta = DEFAULT_LEASE, now: datetime | None = None
    ) -> Request | None:
        """Claim the oldest claimable request for ``worker_id``, or ``None``; its table and
        what the intake read from it come loaded (``table_xlsx``, ``table_columns``).

        Claimable: queued (and not waiting for a retry), or being processed under a lease
        that has expired, or already claimed by this same worker id (a restarted worker
        takes its own back at once).
        """
        now = now or utcnow()
        parameters = {"now": now, "worker_id": worker_id, "until": now + lease}
        if self._pg:  # the claim, its audit event and history step: one statement
            with self._single_sessions() as session:
                claimed = session.execute(claimed_whole(), parameters).first()
            return _loaded(*claimed) if claimed else None
        with self._sessions.begin() as session:
            claimed = session.execute(claim_request_statement(), parameters).first()
            if claimed is None:
                return None
            request = _loaded(*claimed)
            attempt = request.attempts
            _audit(session, request.id, worker_id, CLAIM_ACTION, f"{attempt}. kísérlet", now)
            # A first attempt follows no processing step; a later one may (a released request
            # stays „feldolgozás alatt” to the employer): no step twice.
            _history(
                session, request.id, RequestStatus.FELDOLGOZAS_ALATT, None, now, repeat=attempt == 1
            )
        return request

    def renew_lease(
        self,
        request_id: int,
        worker_id: str,
        lease: timedelta = DEFAULT_LEASE,
        now: datetime | None = None,
    ) -> bool:
        """Extend this worker's lease; false when the request is no longer this worker's."""
        now = now or utcnow()
        with self.engine.begin() as connection:
            result = connection.execute(
                update(Request)
                .where(*held_by(request_id, worker_id))
                .values(lease_until=now + lease)
            )
        return result.rowcount == 1

    def finish(
        self,
        request_id: int,
        worker_id: str,
        counts: Counts,
        reply: OutgoingReply,
        now: datetime | None = None,
    ) -> bool:
        """Mark the request ``kész`` and put its reply in the outbox, in one transaction.

        False (and nothing changed) when the request is no longer this worker's or already
        has a reply.
        """
        return self._close(
            request_id,
            worker_id,
            reply,
            now,
            values={
                "status": str(RequestStatus.KESZ),
                "rows": counts.rows,
                "coded": counts.coded,
                "no_match": counts.no_match,
                "multiple": counts.multiple,
                "invalid": counts.invalid,
            },
            status=RequestStatus.KESZ,
            action="kész",
            detail=(
                f"sorok: {counts.rows}, kód: {counts.coded}, nincs találat: {counts.no_match}, "
                f"több találat: {counts.multiple}, hibás: {counts.invalid}"
            ),
        )

    def reject_claimed(
        self,
        request_id: int,
        worker_id: str,
        reason: str,
        reply: OutgoingReply,
        now: datetime | None = None,
    ) -> bool:
        """Mark a claimed request ``elutasítva`` (a problem found only while generating)."""
        return self._close(
            request_id,
            worker_id,
            reply,
            now,
            values={"status": str(RequestStatus.ELUTASITVA), "reason": reason},
            status=RequestStatus.ELUTASITVA,
            action="elutasítva",
            detail=reason,
        )

    def _close(self, request_id, worker_id, reply, now, *, values, status, action, detail) -> bool:
        now = now or utcnow()
        reason = values.get("reason")
        parameters = {f"new_{name}": value for name, value in values.items()}
        parameters.update(request_id=request_id, worker_id=worker_id, now=now)
        try:
            if self._pg:  # the whole close in one statement: one round trip (see closed_whole)
                parameters.update(
                    _reply_parameters(reply),
                    action=action,
                    detail=detail,
                    history_status=str(status),
                    history_reason=_history_reason(status, reason),
                )
                with self._single.connect() as connection:
                    statement = closed_whole(tuple(values))
                    return connection.execute(statement, parameters).scalar() == 1
            with self._sessions.begin() as session:
                result = _core(session, close_statement(tuple(values)), parameters)
                if result.rowcount != 1:
                    raise _NotOurs
                _add_reply(session, request_id, reply, now)
                _audit(session, request_id, worker_id, action, detail, now)
                _history(session, request_id, status, reason, now)
        except (_NotOurs, IntegrityError):
            return False
        return True

    def release(
        self,
        request_id: int,
        worker_id: str,
        retry_at: datetime,
        note: str,
        now: datetime | None = None,
    ) -> bool:
        """Give a claimed request back to the queue, to be tried again from ``retry_at``.

        Not a step of the status history: to the employer the request stays ``feldolgozás
        alatt`` (the operator reads the reason in the audit trail).
        """
        now = now or utcnow()
        with self._sessions.begin() as session:
            result = session.execute(
                update(Request)
                .where(*held_by(request_id, worker_id))
                .values(status=str(RequestStatus.BEERKEZETT), claimed_by=None, lease_until=retry_at)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount == 1:
                _audit(session, request_id, worker_id, "visszaadva a sorba", note, now)
        return result.rowcount == 1

    # -- worker: outbox -------------------------------------------------------------------

    def claim_reply(
        self, worker_id: str, lease: timedelta = DEFAULT_SEND_LEASE, now: datetime | None = None
    ) -> ClaimedReply | None:
        """Claim the oldest pending reply that is due, with its raw message loaded."""
        return self.claim_reply_and_more(worker_id, lease, now)[0]

    def claim_reply_and_more(
        self, worker_id: str, lease: timedelta = DEFAULT_SEND_LEASE, now: datetime | None = None
    ) -> tuple[ClaimedReply | None, bool]:
        """:meth:`claim_reply`, and whether another reply was due when it was claimed (false
        with ``None``): a sender told that none is stops without asking again for nothing. A
        reply queued after the claim is found by the next round, as it was by the next ask."""
        now = now or utcnow()
        parameters = {"now": now, "worker_id": worker_id, "until": now + lease}
        with self._single.begin() as connection:
            claimed = connection.execute(claim_reply_statement(self._pg), parameters).first()
        if claimed is None:
            return None, False
        *reply, more = claimed
        return ClaimedReply(*reply), bool(more)

    def mark_sent(self, reply_id: int, worker_id: str, now: datetime | None = None) -> bool:
        """Record that the relay accepted the reply (call right after its 250).

        An acknowledgement's stored copy is blanked then: it carries the status link's token,
        which is kept nowhere else (only its hash).
        """
        now = now or utcnow()
        parameters = {"reply_id": reply_id, "now": now, "worker_id": worker_id}
        if self._pg:  # the mark and its audit event in one statement: one round trip
            with self._single.connect() as connection:
                return connection.execute(mark_sent_audited(), parameters).first() is not None
        with self._sessions.begin() as session:
            sent = _core(session, MARK_SENT, parameters).first()
            if sent is not None:
                kind, request_id, message_id = sent
                _audit(session, request_id, worker_id, sent_action(kind), message_id, now)
        return sent is not None

    def mark_failed(
        self,
        reply_id: int,
        worker_id: str,
        error: str,
        retry_at: datetime,
        now: datetime | None = None,
    ) -> None:
        """Record a failed send; the reply is due again at ``retry_at``."""
        now = now or utcnow()
        with self._sessions.begin() as session:
            reply = session.get(Reply, reply_id)
            session.execute(
                update(Reply)
                .where(Reply.id == reply_id, Reply.status == str(OutboxStatus.PENDING))
                .values(next_attempt_at=retry_at, sending_until=None, last_error=error[:500])
                .execution_options(synchronize_session=False)
            )
            _audit(session, reply.request_id, worker_id, "küldés sikertelen", error[:500], now)

    def send_again(self, reply_id: int, actor: str, now: datetime | None = None) -> None:
        """Queue a stored answer to be sent again (the same bytes and Message-ID); audited."""
        now = now or utcnow()
        with self._sessions.begin() as session:
            reply = session.get(Reply, reply_id)
            previous = "elküldve" if reply.status == str(OutboxStatus.SENT) else "küldésre várt"
            session.execute(
                update(Reply)
                .where(Reply.id == reply_id)
                .values(
                    status=str(OutboxStatus.PENDING),
                    next_attempt_at=now,
                    sending_by=None,
                    sending_until=None,
                    attempts=0,
                )
                .execution_options(synchronize_session=False)
            )
            detail = f"{reply.message_id} → {reply.recipient} (előtte: {previous})"
            _audit(session, reply.request_id, actor, "válasz újraküldése", detail, now)

    # -- retention --------------------------------------------------------------------------

    def purge_expired(
        self, retention_days: int, now: datetime | None = None, actor: str = "worker"
    ) -> int:
        """Delete stored tables (and sent replies carrying them) older than the retention limit.

        Only finished requests are purged; a queued request is never dropped.
        """
        now = now or utcnow()
        limit = now - timedelta(days=retention_days)
        with self._sessions.begin() as session:
            ids = list(
                session.scalars(
                    select(Request.id).where(
                        Request.received_at < limit,
                        Request.purged_at.is_(None),
                        Request.status.in_(
                            [str(RequestStatus.KESZ), str(RequestStatus.ELUTASITVA)]
                        ),
                        ~Request.id.in_(
                            select(Reply.request_id).where(
                                Reply.status == str(OutboxStatus.PENDING)
                            )
                        ),
                    )
                )
            )
            if not ids:
                return 0
            session.execute(
                update(Request)
                .where(Request.id.in_(ids))
                .values(table_xlsx=None, table_columns=None, purged_at=now)
                .execution_options(synchronize_session=False)
            )
            session.execute(
                update(Reply)
                .where(Reply.request_id.in_(ids), Reply.status == str(OutboxStatus.SENT))
                .values(raw=None)
                .execution_options(synchronize_session=False)
            )
            for request_id in ids:
                _audit(
                    session,
                    request_id,
                    actor,
                    "tábla törölve",
                    f"megőrzési idő: {retention_days} nap",
                    now,
                )
        return len(ids)

    # -- reading ----------------------------------------------------------------------------

    def get(self, ident: str | int) -> Request | None:
        """A request by its reference (``KK-2026-000123``) or its numeric id."""
        with self._sessions() as session:
            if isinstance(ident, int) or str(ident).isdigit():
                return session.get(Request, int(ident))
            return session.scalar(select(Request).where(Request.reference == str(ident).upper()))

    def list(self, status: RequestStatus | None = None, limit: int | None = None) -> list[Request]:
        with self._sessions() as session:
            query = select(Request).order_by(Request.id.desc())
            if status is not None:
                query = query.where(Request.status == str(status))
            if limit:
                query = query.limit(limit)
            return list(session.scalars(query))

    def table_of(self, request_id: int) -> bytes | None:
        return self.table_and_columns_of(request_id)[0]

    def table_and_columns_of(self, request_id: int) -> tuple[bytes | None, bytes | None]:
        """The request's table and what the intake read from it (either may be ``None``: purged,
        or stored by an older version)."""
        with self._sessions() as session:
            row = session.execute(
                select(Request.table_xlsx, Request.table_columns).where(Request.id == request_id)
            ).first()
        return (row[0], row[1]) if row is not None else (None, None)

    def declaration_of(self, request_id: int) -> bytes | None:
        with self._sessions() as session:
            return session.scalar(select(Request.declaration_pdf).where(Request.id == request_id))

    def reply_of(self, request_id: int, kind: ReplyKind | None = None) -> Reply | None:
        """The request's answer (codes or rejection), or its message of ``kind``."""
        wanted = (
            Reply.kind == str(kind)
            if kind is not None
            else Reply.kind != str(ReplyKind.ACKNOWLEDGEMENT)
        )
        with self._sessions() as session:
            return session.scalar(
                select(Reply)
                .options(undefer(Reply.raw))
                .where(Reply.request_id == request_id, wanted)
            )

    def by_status_token(self, token_sha256: str) -> Request | None:
        """The request whose status link's token has this SHA-256."""
        with self._sessions() as session:
            return session.scalar(
                select(Request).where(Request.status_token_sha256 == token_sha256)
            )

    def status_history(self, request_id: int) -> list[StatusChange]:
        """The statuses the request passed through, oldest first."""
        with self._sessions() as session:
            return list(
                session.scalars(
                    select(StatusChange)
                    .where(StatusChange.request_id == request_id)
                    .order_by(StatusChange.at, StatusChange.id)
                )
            )

    def audit_of(self, request_id: int) -> list[AuditEvent]:
        with self._sessions() as session:
            return list(
                session.scalars(
                    select(AuditEvent)
                    .where(AuditEvent.request_id == request_id)
                    .order_by(AuditEvent.at, AuditEvent.id)
                )
            )

    def pending_replies(self) -> int:
        with self._sessions() as session:
            return len(
                session.scalars(
                    select(Reply.id).where(Reply.status == str(OutboxStatus.PENDING))
                ).all()
            )

    def audit(
        self, request_id: int | None, actor: str, action: str, detail: str | None = None
    ) -> None:
        with self._sessions.begin() as session:
            _audit(session, request_id, actor, action, detail, utcnow())


class _NotOurs(Exception):
    """Aborts a transaction whose conditional update found the request no longer ours."""


def _loaded(request: Request, table: bytes | None, columns: bytes | None) -> Request:
    """The claimed request with its deferred table and columns set as loaded."""
    set_committed_value(request, "table_xlsx", table)
    set_committed_value(request, "table_columns", columns)
    return request


def _core(session: Session, statement, parameters: dict):
    """Run an ``UPDATE`` of a mapped class that loads no object on the session's connection:
    the ORM's handling of it (``Session.execute``) cost a third more than the statement."""
    return session.connection().execute(statement, parameters)


def _audit(session: Session, request_id: int | None, actor: str, action: str, detail, now) -> None:
    # A plain insert into the table: nothing reads the event back in the transaction, and
    # the unit of work's flush cost half as much again (docs/benchmarks.md).
    session.execute(
        INSERT_AUDIT,
        {"request_id": request_id, "at": now, "actor": actor, "action": action, "detail": detail},
    )


def _history(
    session: Session,
    request_id: int,
    status: RequestStatus,
    reason: str | None,
    now: datetime,
    *,
    repeat: bool = True,
) -> None:
    """Add a step to the status history (unless ``repeat`` is false and it is the last step)."""
    if not repeat:
        last = session.scalar(
            select(StatusChange.status)
            .where(StatusChange.request_id == request_id)
            .order_by(StatusChange.at.desc(), StatusChange.id.desc())
            .limit(1)
        )
        if last == str(status):
            return
    session.execute(
        INSERT_HISTORY,
        {
            "request_id": request_id,
            "at": now,
            "status": str(status),
            "reason": _history_reason(status, reason),
        },
    )


def _history_reason(status: RequestStatus, reason: str | None) -> str | None:
    """The reason a history step shows the employer: a rejection's only."""
    return reason if status == RequestStatus.ELUTASITVA else None


def _add_reply(session: Session, request_id: int, reply: OutgoingReply, now: datetime) -> None:
    # A plain insert, as the audit's: the unit of work's flush of a new Reply cost half as
    # much again, and nothing reads the reply back in the transaction.
    session.execute(
        INSERT_REPLY,
        {
            "request_id": request_id,
            "kind": str(reply.kind),
            "recipient": reply.recipient,
            "message_id": reply.message_id,
            "raw": reply.raw,
            "status": str(OutboxStatus.PENDING),
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        },
    )


def _reply_parameters(reply: OutgoingReply) -> dict[str, object]:
    """The parameters :func:`closed_whole` takes for ``reply``."""
    return {
        "reply_kind": str(reply.kind),
        "reply_recipient": reply.recipient,
        "reply_message_id": reply.message_id,
        "reply_raw": reply.raw,
    }


def _request_fields(new: NewRequest, now: datetime) -> dict[str, object]:
    """The columns of the request ``new`` describes, received ``now`` (no id nor reference yet)."""
    return dict(
        dedupe_key=new.dedupe_key,
        channel=new.channel,
        status=str(new.status),
        reason=new.reason,
        sender=new.sender,
        message_id=new.message_id,
        subject=new.subject,
        organisation=new.organisation,
        short_name=new.short_name,
        krid=new.krid,
        signer_name=new.signer_name,
        table_filename=new.table_filename,
        table_sha256=new.table_sha256,
        table_xlsx=new.table_xlsx,
        table_columns=new.table_columns,
        declaration_filename=new.declaration_filename,
        declaration_pdf=new.declaration_pdf,
        rows=new.rows,
        operator_note=new.operator_note,
        signature_kind=new.signature_kind,
        status_token_sha256=new.status_token_sha256,
        attempts=0,
        received_at=now,
    )


def _recorded_events(new: NewRequest) -> list[tuple[str, str | None]]:
    """The audit events (action, detail) of recording ``new``."""
    events = [("beérkezett", new.audit_detail)]
    if new.status in _HELD:
        events.append((str(new.status), new.reason))
    if new.operator_note:
        events.append(("megjegyzés a kezelőnek", new.operator_note))
    return events
