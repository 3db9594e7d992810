"""The request store's statements, built once with bound parameters rather than on every call
(building one cost more client CPU than running it: docs/benchmarks.md).

SQLite's forms run in a transaction with the audit and history inserts beside them;
PostgreSQL's do all of a step in one statement (data-modifying CTEs, run in autocommit).
"""

from __future__ import annotations

import functools

from sqlalchemy import (
    String,
    and_,
    bindparam,
    case,
    cast,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    true,
    union_all,
    update,
)
from sqlalchemy.orm import aliased

from kkod.ministry.models import (
    AuditEvent,
    OutboxStatus,
    Reply,
    ReplyKind,
    Request,
    RequestStatus,
    StatusChange,
)
from kkod.ministry.wakeup import CHANNEL

# The statuses of a request that took its table (an earlier request with the same table).
_TAKEN = (
    RequestStatus.BEERKEZETT,
    RequestStatus.FELDOLGOZAS_ALATT,
    RequestStatus.KESZ,
    RequestStatus.ALAIRAS_ELLENORZESRE_VAR,
)


def _claimable_request(now, worker_id):
    """Where a request may be claimed by ``worker_id`` (see :meth:`RequestStore.claim_next`)."""
    return or_(
        and_(
            Request.status == str(RequestStatus.BEERKEZETT),
            or_(Request.lease_until.is_(None), Request.lease_until <= now),
        ),
        and_(
            Request.status == str(RequestStatus.FELDOLGOZAS_ALATT),
            or_(Request.lease_until <= now, Request.claimed_by == worker_id),
        ),
    )


def _claimed_values(now, worker_id) -> dict:
    """What a claim sets on the request."""
    return {
        "status": str(RequestStatus.FELDOLGOZAS_ALATT),
        "claimed_by": worker_id,
        "lease_until": bindparam("until"),
        "attempts": Request.attempts + 1,
        "started_at": now,
    }


# What a claim returns: the request, and its table and what the intake read (deferred: by name).
_CLAIM_RETURNS = (Request, Request.table_xlsx, Request.table_columns)
CLAIM_ACTION = "feldolgozás megkezdve"


@functools.cache
def claim_request_statement():
    """SQLite: :meth:`RequestStore.claim_next`'s ``UPDATE … RETURNING`` (parameters ``now``,
    ``worker_id``, ``until``), in the transaction that adds its audit event and history step."""
    now, worker_id = bindparam("now"), bindparam("worker_id")
    claimable = _claimable_request(now, worker_id)
    candidate = select(Request.id).where(claimable).order_by(Request.id).limit(1)
    return (
        update(Request)
        .where(Request.id == candidate.scalar_subquery(), claimable)
        .values(_claimed_values(now, worker_id))
        .returning(*_CLAIM_RETURNS)
        .execution_options(synchronize_session=False)
    )


@functools.cache
def claimed_whole():
    """PostgreSQL: :meth:`RequestStore.claim_next` as one statement (see :func:`closed_whole`;
    parameters as above). The candidate is locked, others' skipped, in a CTE; its audit event
    and, unless its last history step is already „feldolgozás alatt” (a request given back is
    claimed again), its history step are inserted from it; the update returns the request."""
    now = bindparam("now", type_=Request.started_at.type)
    worker_id = bindparam("worker_id", type_=Request.claimed_by.type)
    candidate = (
        select(Request.id, Request.attempts)
        .where(_claimable_request(now, worker_id))
        .order_by(Request.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .cte("candidate")
    )
    attempt = cast(candidate.c.attempts + 1, String) + ". kísérlet"
    audit = _audit_from(candidate, candidate.c.id, literal(CLAIM_ACTION), attempt)
    last_step = (
        select(StatusChange.status)
        .where(StatusChange.request_id == candidate.c.id)
        .order_by(StatusChange.at.desc(), StatusChange.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    history = _history_from(
        candidate,
        candidate.c.id,
        literal(str(RequestStatus.FELDOLGOZAS_ALATT)),
        literal(None),
        or_(
            candidate.c.attempts == 0,
            last_step.is_distinct_from(str(RequestStatus.FELDOLGOZAS_ALATT)),
        ),
    )  # fmt: skip
    return (
        update(Request)
        .where(Request.id == select(candidate.c.id).scalar_subquery())
        .values(_claimed_values(now, worker_id))
        .returning(*_CLAIM_RETURNS)
        .add_cte(audit.cte("audit"), history.cte("history"))
        .execution_options(synchronize_session=False)
    )


def _claimable_reply(reply, now, worker_id):
    """Where ``reply`` (the outbox or an alias of it) is pending, due and not being sent by
    another worker under a lease still running."""
    return and_(
        reply.status == str(OutboxStatus.PENDING),
        reply.next_attempt_at <= now,
        or_(
            reply.sending_until.is_(None), reply.sending_until <= now, reply.sending_by == worker_id
        ),
    )


@functools.cache
def claim_reply_statement(pg: bool):
    """:meth:`RequestStore.claim_reply_and_more`'s ``UPDATE … RETURNING`` (parameters as
    above); it returns the reply, its raw message and whether another one is due."""
    now, worker_id = bindparam("now"), bindparam("worker_id")
    claimable = _claimable_reply(Reply, now, worker_id)
    candidate = select(Reply.id).where(claimable).order_by(Reply.id).limit(1)
    if pg:
        candidate = candidate.with_for_update(skip_locked=True)
        other = aliased(Reply)
        more = exists().where(_claimable_reply(other, now, worker_id), other.id != Reply.id)
    else:  # SQLite writes RETURNING's columns unqualified, the alias's too: ask again instead
        more = true()
    return (
        update(Reply)
        .where(Reply.id == candidate.scalar_subquery(), claimable)
        .values(sending_by=worker_id, sending_until=bindparam("until"), attempts=Reply.attempts + 1)
        .returning(*_CLAIMED_COLUMNS, more)
        .execution_options(synchronize_session=False)
    )


# ClaimedReply's fields, in its order.
_CLAIMED_COLUMNS = (
    Reply.id,
    Reply.request_id,
    Reply.kind,
    Reply.recipient,
    Reply.message_id,
    Reply.raw,
    Reply.attempts,
)


@functools.cache
def close_statement(names: tuple[str, ...]):
    """:meth:`RequestStore._close`'s ``UPDATE``: the request still held by the worker gets
    ``new_<name>`` for each of ``names`` (parameters ``request_id``, ``worker_id``, ``now``)."""
    return (
        update(Request)
        .where(*held_by(bindparam("request_id"), bindparam("worker_id")))
        .values(
            {name: bindparam(f"new_{name}") for name in names}
            | {"finished_at": bindparam("now"), "lease_until": None}
        )
        .execution_options(synchronize_session=False)
    )


ID_BY_DEDUPE_KEY = select(Request.id).where(Request.dedupe_key == bindparam("key"))
WITH_TABLE = (
    select(Request.reference, Request.sender)
    .where(
        Request.table_sha256 == bindparam("sha256"),
        Request.status.in_([str(s) for s in _TAKEN]),
    )
    .order_by(Request.id)
)
MARK_SENT = (
    update(Reply)
    .where(Reply.id == bindparam("reply_id"), Reply.status == str(OutboxStatus.PENDING))
    .values(
        status=str(OutboxStatus.SENT),
        sent_at=bindparam("now"),
        sending_until=None,
        last_error=None,
        raw=case((Reply.kind == str(ReplyKind.ACKNOWLEDGEMENT), None), else_=Reply.raw),
    )
    .returning(Reply.kind, Reply.request_id, Reply.message_id)
    .execution_options(synchronize_session=False)
)


@functools.cache
def mark_sent_audited():
    """PostgreSQL: :data:`MARK_SENT` and its audit event as one statement (see
    :func:`closed_whole`); it returns a row when the reply was marked."""
    sent = MARK_SENT.cte("sent")
    action = case(
        (sent.c.kind == str(ReplyKind.ACKNOWLEDGEMENT), sent_action(ReplyKind.ACKNOWLEDGEMENT)),
        else_=sent_action(ReplyKind.CODES),
    )
    return _audit_from(sent, sent.c.request_id, action, sent.c.message_id).returning(AuditEvent.id)


INSERT_AUDIT = insert(AuditEvent.__table__)
INSERT_HISTORY = insert(StatusChange.__table__)
INSERT_REPLY = insert(Reply.__table__)
NEXT_REQUEST_ID = select(func.nextval(func.pg_get_serial_sequence(Request.__tablename__, "id")))


@functools.cache
def recorded_whole(columns: tuple[str, ...], events: int, replied: bool, queued: bool):
    """PostgreSQL: :meth:`RequestStore.record` as one statement (see :func:`closed_whole`):
    the request's ``columns`` (each a parameter of its name; also ``now``, ``actor``) inserted
    in a CTE, its ``events`` audit events (``action_<i>``, ``detail_<i>``), its history step
    and, when ``replied``, its reply inserted from it; when ``queued``, the statement notifies
    the workers, who hear of it once it is committed. A known dedupe key fails it whole."""
    table = Request.__table__
    inserted = (
        insert(table)
        .values({name: bindparam(name, type_=table.c[name].type) for name in columns})
        .returning(table.c.id)
        .cte("request")
    )
    request_id = inserted.c.id
    audit = AuditEvent.__table__
    # One insert of the events in their order (their ids tell it: they share their time).
    listed = union_all(
        *(
            select(
                literal(index).label("n"),
                bindparam(f"action_{index}", type_=audit.c.action.type).label("action"),
                bindparam(f"detail_{index}", type_=audit.c.detail.type).label("detail"),
            )
            for index in range(events)
        )
    ).subquery("events")
    rows = (
        select(request_id, bindparam("now", type_=audit.c.at.type),
               bindparam("actor", type_=audit.c.actor.type), listed.c.action, listed.c.detail)
        .select_from(inserted)
        .join(listed, true())
        .order_by(listed.c.n)
    )  # fmt: skip
    parts = [
        insert(audit).from_select(_AUDIT_COLUMNS, rows).cte("audit"),
        _history_from(inserted, request_id, "history_status", "history_reason").cte("history"),
    ]
    if replied:
        parts.append(_reply_inserted_from(inserted, request_id).cte("reply"))
    told = func.pg_notify(CHANNEL, "") if queued else literal(None)
    return select(request_id, told).select_from(inserted).add_cte(*parts)


def sent_action(kind: str) -> str:
    """The audit event's action when a reply of ``kind`` was sent."""
    return (
        "visszaigazolás elküldve" if kind == str(ReplyKind.ACKNOWLEDGEMENT) else "válasz elküldve"
    )


# PostgreSQL runs what must happen together as one statement where it can: the changes as
# data-modifying CTEs of one statement, in autocommit. A transaction of its own around each
# statement cost two more round trips (BEGIN, COMMIT) and every statement one: about 0.25 ms
# of the client's and the server's CPU each time (docs/benchmarks.md).


def _inserted_from(table, source, values: dict[str, object], *where):
    """``INSERT INTO table … SELECT`` one row for each row of ``source`` (a CTE) that meets
    ``where``: ``values`` maps each column to an expression, or to the name of a parameter of
    the column's type."""
    columns = [
        bindparam(value, type_=table.c[name].type) if isinstance(value, str) else value
        for name, value in values.items()
    ]
    rows = select(*columns).select_from(source).where(*where)
    return insert(table).from_select(list(values), rows)


_AUDIT_COLUMNS = ["request_id", "at", "actor", "action", "detail"]


def _audit_from(source, request_id, action, detail):
    """The audit event (by the ``worker_id`` parameter, at ``now``) of each row of ``source``;
    ``action`` and ``detail`` as :func:`_inserted_from`'s values."""
    values = dict(
        zip(_AUDIT_COLUMNS, (request_id, "now", "worker_id", action, detail), strict=True)
    )
    return _inserted_from(AuditEvent.__table__, source, values)


def _history_from(source, request_id, status, reason, *where):
    """The history step (at ``now``) of each row of ``source`` that meets ``where``."""
    values = {"request_id": request_id, "at": "now", "status": status, "reason": reason}
    return _inserted_from(StatusChange.__table__, source, values, *where)


def _reply_inserted_from(source, request_id):
    """The outbox's insert of a reply (:func:`_reply_parameters`, sent from ``now``) for each
    row of ``source``."""
    return _inserted_from(
        Reply.__table__,
        source,
        {
            "request_id": request_id,
            "kind": "reply_kind",
            "recipient": "reply_recipient",
            "message_id": "reply_message_id",
            "raw": "reply_raw",
            "status": literal(str(OutboxStatus.PENDING)),
            "attempts": literal(0),
            "next_attempt_at": "now",
            "created_at": "now",
        },
    )


@functools.cache
def closed_whole(names: tuple[str, ...]):
    """PostgreSQL: :meth:`RequestStore._close` as one statement. The request's update and, only
    when it was still held (else the CTEs below insert nothing), its reply, audit event and
    history step; it returns the number of requests closed (1, or 0). A second reply of the
    same kind breaks the outbox's unique key: the statement fails, and nothing of it stays."""
    closed = close_statement(names).returning(Request.id).cte("closed")
    request_id = closed.c.id
    reply = _reply_inserted_from(closed, request_id)
    audit = _audit_from(closed, request_id, "action", "detail")
    history = _history_from(closed, request_id, "history_status", "history_reason")
    return (
        select(func.count())
        .select_from(closed)
        .add_cte(reply.cte("reply"), audit.cte("audit"), history.cte("history"))
    )


def held_by(request_id: object, worker_id: object) -> tuple:
    """The conditions under which ``worker_id`` still holds the claim on a request."""
    return (
        Request.id == request_id,
        Request.claimed_by == worker_id,
        Request.status == str(RequestStatus.FELDOLGOZAS_ALATT),
    )
