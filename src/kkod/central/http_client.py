"""The :class:`~kkod.central.interface.Central` protocol over the central system's HTTP API.

``KKOD_CENTRAL_URL`` and ``KKOD_CENTRAL_API_KEY`` make :func:`kkod.central.service.
open_central` return one, so ``kkod generate``, the ministry's worker and ``kkod employer
connect`` reach a registry on another machine with no other change. Only match keys travel,
never 4T. One pooled keep-alive connection (httpx); connection errors and 5xx answers are
retried with a growing pause: issuing is idempotent, so a repeated request gets the same codes.
Bulk chunks are pipelined like the in-process ones: while the server matches one chunk, the
caller computes the next.
"""

from __future__ import annotations

import base64
import ssl
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import httpx

from kkod.central.codes import format_code
from kkod.central.interface import (
    CHUNK_ROWS,
    CodeLookup,
    MatchResult,
    OfficeInfo,
    Outcome,
    UnknownOffice,
    Via,
)
from kkod.central.models import MATCH_KEY_BYTES
from kkod.errors import ConfigurationError, KkodError

API = "/api/v1"
NO_KEY = bytes(MATCH_KEY_BYTES)  # an unreadable row, as the bulk endpoint takes it
RETRY_PAUSES = (0.2, 0.5, 1.0, 2.0, 4.0)  # seconds before each retry
TIMEOUT = httpx.Timeout(120.0, connect=10.0)
_PLAIN = {result.value.encode(): Outcome(result) for result in MatchResult}


class CentralUnavailable(KkodError):
    """The central system did not answer (after the retries) or answered with a server error."""


class CentralRefused(KkodError):
    """The central system refused the request (key, rights, limits, input)."""

    exit_code = 2


class HttpCentral:
    """The central system at ``base_url``, called with ``api_key`` (an office's or the ministry's)."""

    chunk_rows = CHUNK_ROWS  # one request each (320 KB of keys; the body limit is 2 MiB)

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        ca_file: Path | None = None,
        retry_pauses: Sequence[float] = RETRY_PAUSES,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._retry_pauses = tuple(retry_pauses)
        self._client = httpx.Client(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {api_key}", "User-Agent": "kkod-http-central"},
            timeout=TIMEOUT,
            verify=ssl.create_default_context(cafile=str(ca_file)) if ca_file else True,
            transport=transport,
            limits=httpx.Limits(max_keepalive_connections=4),
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpCentral:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- the Central protocol ---------------------------------------------------------------

    def office(self, krid: str) -> OfficeInfo | None:
        response = self._request("GET", f"{API}/offices/{_krid(krid)}", allow=(404,))
        if response.status_code == 404:
            return None
        data = response.json()
        return OfficeInfo(
            krid=data["krid"],
            short_name=data["short_name"],
            name=data["name"],
            email_domains=tuple(data["email_domains"]),
            organisation_id=data["organisation_id"],
        )

    def match_and_issue(
        self,
        krid: str,
        keys: Sequence[bytes | None],
        *,
        via: Via = Via.BULK,
        reference: str | None = None,
        actor: str = "system",
    ) -> list[Outcome]:
        return self._match_chunk(_krid(krid), keys, reference)

    def match_and_issue_chunks(
        self,
        krid: str,
        chunks: Iterable[Sequence[bytes | None]],
        *,
        via: Via = Via.BULK,
        reference: str | None = None,
        actor: str = "system",
    ) -> Iterator[list[Outcome]]:
        """Each chunk one request; the next chunk is taken from ``chunks`` while the server
        answers the one before. A wrong KRID is refused before any chunk is taken."""
        krid = _krid(krid)
        if self.office(krid) is None:
            raise UnknownOffice(krid)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kkod-http") as pool:
            upcoming = iter(chunks)
            keys = next(upcoming, None)
            pending: Future[list[Outcome]] | None = None
            if keys is not None:
                pending = pool.submit(self._match_chunk, krid, keys, reference)
            while pending is not None:
                following = next(upcoming, None)  # the caller computes it meanwhile
                outcomes = pending.result()
                pending = (
                    pool.submit(self._match_chunk, krid, following, reference)
                    if following is not None
                    else None
                )
                yield outcomes

    def connect_one(
        self, krid: str, key: bytes | None, *, via: Via = Via.MANUAL, actor: str = "system"
    ) -> Outcome:
        body = {"match_key": base64.b64encode(key).decode("ascii") if key is not None else None}
        response = self._request(
            "POST", f"{API}/offices/{_krid(krid)}/connections/by-match-key", json=body
        )
        data = response.json()
        return Outcome(MatchResult(data["result"]), data["code"])

    def lookup_code(self, krid: str, code: str) -> CodeLookup:
        response = self._request(
            "POST", f"{API}/offices/{_krid(krid)}/codes/verify", json={"code": code}
        )
        data = response.json()
        return CodeLookup(valid=data["valid"], connected=data["connected"])

    # -- wire ---------------------------------------------------------------------------------

    def _match_chunk(
        self, krid: str, keys: Sequence[bytes | None], reference: str | None
    ) -> list[Outcome]:
        if not keys:
            return []
        body = b"".join(NO_KEY if key is None else key for key in keys)
        response = self._request(
            "POST",
            f"{API}/offices/{krid}/matches",
            content=body,
            headers={"Content-Type": "application/octet-stream"},
            params={"reference": reference} if reference else None,
        )
        lines = response.content.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        if len(lines) != len(keys):
            raise CentralUnavailable(
                f"A központi rendszer {len(keys)} kulcsra {len(lines)} eredményt adott; "
                "a válasz hiányos, semmi nem készült belőle."
            )
        plain = _PLAIN
        return [
            plain[line] if line in plain else Outcome(MatchResult.KOD, format_code(line.decode()))
            for line in lines
        ]

    def _request(
        self, method: str, url: str, *, allow: tuple[int, ...] = (), **kwargs
    ) -> httpx.Response:
        """The answer, after retrying connection errors and 5xx; a refusal as a Hungarian error."""
        pauses = iter(self._retry_pauses)
        while True:
            try:
                response = self._client.request(method, url, **kwargs)
            except httpx.TransportError as error:
                pause = next(pauses, None)
                if pause is None:
                    raise CentralUnavailable(
                        f"A központi rendszer ({self.base_url}) nem érhető el: "
                        f"{type(error).__name__}. Ellenőrizze a KKOD_CENTRAL_URL beállítást és "
                        "a hálózatot, majd próbálja újra."
                    ) from None
                time.sleep(pause)
                continue
            if response.status_code >= 500:
                pause = next(pauses, None)
                if pause is not None:
                    time.sleep(pause)
                    continue
                raise CentralUnavailable(
                    f"A központi rendszer hibát jelzett ({response.status_code}): "
                    f"{_detail(response)}"
                )
            if response.status_code < 400 or response.status_code in allow:
                return response
            raise self._refusal(response, url)

    def _refusal(self, response: httpx.Response, url: str) -> KkodError:
        status, detail = response.status_code, _detail(response)
        if status == 401:
            return ConfigurationError(
                "A központi rendszer nem fogadta el az API-kulcsot (KKOD_CENTRAL_API_KEY): "
                f"{detail}"
            )
        if status == 404 and _problem_type(response).endswith("/unknown-office"):
            return UnknownOffice(url.split("/offices/", 1)[1].split("/", 1)[0])
        if status == 429:
            wait = response.headers.get("Retry-After", "")
            return CentralRefused(
                f"A központi rendszer kéréskorlátja betelt; próbálja újra {wait} másodperc múlva."
                if wait.isdigit()
                else f"A központi rendszer kéréskorlátja betelt: {detail}"
            )
        return CentralRefused(f"A központi rendszer elutasította a kérést ({status}): {detail}")


def _krid(krid: str) -> str:
    krid = str(krid).strip()
    if not krid.isdigit():
        raise UnknownOffice(krid)
    return krid


def _detail(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return response.reason_phrase or str(response.status_code)
    detail = data.get("detail") if isinstance(data, dict) else None
    return str(detail) if detail else (response.reason_phrase or str(response.status_code))


def _problem_type(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return ""
    return str(data.get("type", "")) if isinstance(data, dict) else ""
