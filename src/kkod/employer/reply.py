"""Reading the ministry's reply: the returned table (column E filled) and its reason report.

A reply arrives as the ``.eml`` the ministry sent or as the bare returned ``.xlsx``; the reason
report comes attached to the ``.eml`` or is given as a file. Only codes the report's list of
issued codes confirms are taken as the ministry's (issue 18: column E may hold a code the
employer typed); without such a list a code in column E is a candidate the register may
confirm (:func:`kkod.employer.register.apply_reply_rows`). What is not a reply — the
officer's own request, a table never sent — is refused with the reason.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from kkod.central.interface import MatchResult
from kkod.employer.register import ReplyRow
from kkod.errors import KkodError
from kkod.exchange.reason_report import ReasonReport, read_reason_report
from kkod.hungarian import article
from kkod.table.layout import CODE_COLUMN

MAX_LISTED_ERRORS = 20


class NotAReply(KkodError):
    """The file is not the ministry's reply, or its parts do not belong together (exit code 2)."""

    exit_code = 2


@dataclass(frozen=True, slots=True)
class Reply:
    """A reply ready for import."""

    file_name: str  # the file the user gave
    table_name: str  # the table's own name (the attachment's, for an .eml)
    table_sha256: str  # of the returned table's bytes
    reference: str | None  # the request's Message-ID (In-Reply-To) or the reply's own
    rows: list[ReplyRow]
    report_name: str | None = None  # the reason report read with it, if any
    codes_confirmed: bool = False  # the report lists every code issued: only those are stored
    message_id: str | None = None  # the .eml's own Message-ID

    @property
    def report_found(self) -> bool:
        return self.report_name is not None


def read_reply(path: Path, report: Path | None = None) -> Reply:
    """Read ``path`` (``.xlsx`` or ``.eml``) and, given, the reason report at ``report`` (it
    then takes the place of one attached). Raises :class:`KkodError` with a Hungarian message."""
    path = Path(path)
    if not path.is_file():
        raise KkodError(f"A fájl nem található: {path}")
    given = _read_report_file(report) if report is not None else None
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return _reply_from_table(path.name, path.name, path.read_bytes(), None, given, None)
    if suffix == ".eml":
        return _reply_from_eml(path, given)
    raise NotAReply(
        f"A válasz formátuma nem ismert: {path.name} (lehet .xlsx táblázat vagy .eml levél)."
    )


def _read_report_file(path: Path) -> tuple[str, ReasonReport]:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        from kkod.oserrors import explain

        raise KkodError(f"A jelentés nem olvasható: {explain(error, path)}.") from None
    found = read_reason_report(path.name, data)
    if found is None:
        raise NotAReply(
            f"{article(path.name).capitalize()} „{path.name}” nem a minisztérium indoklása (jelentése): nincs benne "
            "„Eredmény” oszlop. A válaszlevél „…-jelentes.xlsx” mellékletét adja meg."
        )
    return path.name, found


def _reply_from_eml(path: Path, given: tuple[str, ReasonReport] | None) -> Reply:
    from kkod.exchange.declaration import read_declaration
    from kkod.mail.message import parse_message

    message = parse_message(path.read_bytes())
    for attachment in message.attachments:
        if attachment.is_pdf and _reads(read_declaration, attachment.data):
            raise NotAReply(
                f"{article(path.name).capitalize()} „{path.name}” levél egy kérelem (munkáltatói nyilatkozat van mellékelve), "
                "nem a minisztérium válasza: a kódokat a minisztérium válaszlevele hozza. "
                f"Tárgy: „{message.subject}”."
            )
    reasons = given
    table = None
    for attachment in message.attachments:
        if attachment.is_pdf:
            continue
        found = read_reason_report(attachment.filename, attachment.data)
        if found is not None:
            reasons = reasons or (attachment.filename, found)
        elif table is None and attachment.is_xlsx and _is_data_table(attachment.data):
            table = attachment
    if table is None:
        raise NotAReply(
            f"A levélben ({path.name}) nincs visszaküldött kapcsolati kód adattáblázat (.xlsx). "
            f"Tárgy: „{message.subject}” — lehet, hogy elutasítás; olvassa el a levél szövegét."
        )
    reference = message.in_reply_to or message.message_id
    return _reply_from_table(
        path.name,
        table.filename or "tablazat.xlsx",
        table.data,
        reference,
        reasons,
        message.message_id,
    )


def _reply_from_table(
    file_name: str,
    table_name: str,
    data: bytes,
    reference: str | None,
    report: tuple[str, ReasonReport] | None,
    message_id: str | None,
) -> Reply:
    table = _read_table_bytes(table_name, data)
    reasons = report[1] if report else None
    if reasons is not None:
        _check_report_matches(file_name, report[0], table, reasons)
    confirmed = reasons.codes if reasons is not None else None
    rows: list[ReplyRow] = []
    problems: list[str] = []
    for table_row in table.rows:
        raw = (table_row.kapcsolati_kod or "").strip()
        typed = _code_or_none(raw)
        reason = reasons.reasons.get(table_row.row) if reasons else None
        row = ReplyRow(
            row=table_row.row,
            belso_azonosito=table_row.belso_azonosito,
            person=table_row.person,
            sorszam=table_row.text("A").strip(),
            result=reason.result if reason else None,
            explanation=reason.explanation if reason else None,
        )
        if confirmed is not None:
            code = confirmed.get(table_row.row)
            if code is not None:
                shown = _code_or_none(code)
                if shown is None:
                    problems.append(f"{table_row.row}. sor: a jelentés kódja („{code}”) hibás")
                    continue
                if raw and typed != shown:
                    problems.append(
                        f"{table_row.row}. sor: a jelentés kódja („{code}”) nem egyezik az "
                        f"{CODE_COLUMN} oszloppal („{raw}”)"
                    )
                    continue
                row = replace(row, code=shown, result=MatchResult.KOD, explanation=None)
            elif raw:
                row = replace(row, unconfirmed_code=typed or raw)
        elif raw and typed is None:
            problems.append(
                f"{table_row.row}. sor, {CODE_COLUMN} oszlop (Kapcsolati kód): „{raw}” — "
                f"{_code_error(raw)}"
            )
            continue
        elif raw:
            row = replace(row, unconfirmed_code=typed)
        rows.append(row)
    if problems:
        _refuse(file_name, problems)
    if reasons is None and not any(row.unconfirmed_code for row in rows):
        raise NotAReply(
            f"{article(file_name).capitalize()} „{file_name}” nem a minisztérium válaszának látszik: egyetlen sorában sincs "
            "kapcsolati kód, és nincs mellette a minisztérium jelentése — ez a beküldendő vagy "
            "beküldött táblázat lehet. Ha mégis a válasz, és egy sor sem kapott kódot, adja meg a "
            "jelentést is (--report …-jelentes.xlsx), vagy importálja a válaszlevelet (.eml)."
        )
    _check_unique_ids(file_name, rows)
    return Reply(
        file_name=file_name,
        table_name=table_name,
        table_sha256=hashlib.sha256(data).hexdigest(),
        reference=reference,
        rows=rows,
        report_name=report[0] if report else None,
        codes_confirmed=confirmed is not None,
        message_id=message_id,
    )


def _code_or_none(text: str) -> str | None:
    """The displayed form of ``text`` if it is a well-formed code, else ``None``."""
    from kkod.central.codes import CodeError, parse_code

    if not text:
        return None
    try:
        return parse_code(text)
    except CodeError:
        return None


def _code_error(text: str) -> str:
    from kkod.central.codes import CodeError, parse_code

    try:
        parse_code(text)
    except CodeError as error:
        return error.message
    return ""


def _refuse(file_name: str, problems: list[str]) -> None:
    shown = problems[:MAX_LISTED_ERRORS]
    more = len(problems) - len(shown)
    tail = f"\n… és még {more} hibás kód." if more else ""
    raise KkodError(
        f"A válaszban ({file_name}) hibás kapcsolati kód van, semmit sem importáltam:\n"
        + "\n".join(shown)
        + tail
    )


def _check_report_matches(file_name: str, report_name: str, table, report: ReasonReport) -> None:
    """Refuse a report that describes another table: every row it names must be there with
    the same Sorszám and Belső azonosító."""
    by_row = {r.row: r for r in table.rows}
    wrong = []
    for number, (sorszam, belso) in sorted(report.identities.items()):
        mine = by_row.get(number)
        if mine is None:
            wrong.append(f"{article(number)} {number}. Excel-sor üres a táblázatban")
        elif _plain_number(mine.text("A")) != _plain_number(sorszam) or (
            _words(mine.belso_azonosito) != _words(belso)
        ):
            wrong.append(
                f"{article(number)} {number}. Excel-sorban a jelentés szerint Sorszám „{sorszam}”, belső "
                f"azonosító „{belso}”, a táblázatban „{mine.text('A')}” és "
                f"„{mine.belso_azonosito}”"
            )
    if wrong:
        shown = "; ".join(wrong[:5]) + (
            f"; … és még {len(wrong) - 5} sor" if len(wrong) > 5 else ""
        )
        raise NotAReply(
            f"A jelentés ({report_name}) nem ehhez a táblázathoz ({file_name}) tartozik: {shown}. "
            "Semmit sem importáltam; a válaszlevél két mellékletét együtt adja meg."
        )


def _words(text: str) -> str:
    """``text`` with its whitespace collapsed, as the report writes it."""
    return " ".join(text.split())


def _plain_number(text: str) -> str:
    """``"4.0"`` → ``"4"``: a Sorszám re-saved as a number still compares equal."""
    text = _words(text)
    try:
        number = float(text)
    except ValueError:
        return text
    return str(int(number)) if number.is_integer() else text


def _check_unique_ids(file_name: str, rows: list[ReplyRow]) -> None:
    seen: dict[str, int] = {}
    for row in rows:
        key = (row.belso_azonosito or "").strip()
        if not key:
            continue
        if key in seen:
            raise KkodError(
                f"A válaszban ({file_name}) {article(key)} „{key}” belső azonosító kétszer szerepel "
                f"({seen[key]}. és {row.row}. sor); így nem dönthető el, melyik sor kié. "
                "Semmit sem importáltam."
            )
        seen[key] = row.row


def _reads(read: Callable[[bytes], object], data: bytes) -> bool:
    try:
        read(data)
    except KkodError:
        return False
    return True


def _with_temp_file(name: str, data: bytes, read: Callable[[Path], object]) -> object:
    """``read`` a copy named like the attachment (so messages name the user's file), made in
    a private work folder under the data folder (:mod:`kkod.workspace`)."""
    from kkod.workspace import work_folder

    safe = Path(name.replace("\\", "/")).name.strip() or "valasz.xlsx"
    with work_folder("reply") as folder:
        path = folder / safe
        path.write_bytes(data)
        return read(path)


def _read_table_bytes(name: str, data: bytes):
    from kkod.table.reader import read_table

    return _with_temp_file(name, data, read_table)


def _is_data_table(data: bytes) -> bool:
    from kkod.table.reader import read_table

    return _reads(lambda raw: _with_temp_file("t.xlsx", raw, read_table), data)
