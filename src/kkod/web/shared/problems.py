"""Errors of every kkod web app as RFC 9457 problem details (``application/problem+json``).

Each kind of problem has a stable ``type`` (``/problems/<slug>``, a page describing it), an
HTTP status and a Hungarian ``title``; each occurrence has a Hungarian ``detail`` and, for
bad input, ``errors``: one entry per field, naming the field and the rule it broke. Input
values are never echoed: they may be personal data. An unexpected error is filed in the log
under a reference (:func:`kkod.logs.file_unexpected`) and answered with that reference only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "/problems/"


@dataclass(frozen=True, slots=True)
class ProblemKind:
    slug: str
    status: int
    title: str  # Hungarian, the same for every occurrence
    description: str  # Hungarian: what it means and what to do (the type's page)

    @property
    def type(self) -> str:
        return TYPE_BASE + self.slug


KINDS: dict[str, ProblemKind] = {}


def problem_kind(slug: str, status: int, title: str, description: str) -> ProblemKind:
    """Register a kind of problem (its slug is its stable identity)."""
    if slug in KINDS:
        raise ValueError(f"problem kind {slug!r} registered twice")
    kind = KINDS[slug] = ProblemKind(slug, status, title, description)
    return kind


VALIDATION = problem_kind(
    "validation",
    422,
    "Hibás adatok a kérésben",
    "A kérés egy vagy több mezője hiányzik vagy nem felel meg a szabályának. Az `errors` "
    "lista mezőnként megnevezi a mezőt, a megsértett szabályt és a teendőt.",
)
UNAUTHORIZED = problem_kind(
    "unauthorized",
    401,
    "Hiányzó vagy érvénytelen API-kulcs",
    "A kérés nem hordoz érvényes API-kulcsot (`Authorization: Bearer <kulcs>`): a kulcs "
    "hiányzik, hibás alakú, ismeretlen vagy visszavonták.",
)
FORBIDDEN = problem_kind(
    "forbidden",
    403,
    "A kulcs ehhez nem jogosít",
    "Az API-kulcs érvényes, de ehhez a művelethez vagy ennek a hivatali kapunak az adataihoz "
    "nem ad hozzáférést.",
)
NOT_FOUND = problem_kind("not-found", 404, "Nincs ilyen erőforrás", "A kért cím nem létezik.")
METHOD_NOT_ALLOWED = problem_kind(
    "method-not-allowed",
    405,
    "Nem támogatott HTTP-metódus",
    "Ezen a címen ez a HTTP-metódus nem használható; az API leírása megadja a helyeset.",
)
TOO_LARGE = problem_kind(
    "payload-too-large",
    413,
    "Túl nagy kérés",
    "A kérés törzse nagyobb a szerveren beállított legnagyobb méretnél.",
)
UNSUPPORTED_MEDIA_TYPE = problem_kind(
    "unsupported-media-type",
    415,
    "Nem támogatott tartalomtípus",
    "A kérés törzsének tartalomtípusa (Content-Type) nem az, amit ez a végpont vár.",
)
TOO_MANY_REQUESTS = problem_kind(
    "too-many-requests",
    429,
    "Túl sok kérés",
    "A hivatali kapu (vagy a hívó címe) elérte a percenkénti kéréskorlátot. A `Retry-After` "
    "fejléc megmondja, hány másodperc múlva lehet újra próbálni.",
)
INTERNAL = problem_kind(
    "internal",
    500,
    "Váratlan hiba",
    "Váratlan hiba történt a szerveren. A hiba részletei a szerver naplójában vannak a "
    "válaszban megadott hivatkozási szám alatt; az üzemeltető ez alapján megtalálja.",
)
NOT_READY = problem_kind(
    "not-ready",
    503,
    "A szolgáltatás nem kész",
    "Az adatbázis nem érhető el, vagy a sémája nem a legfrissebb változat.",
)


@dataclass(frozen=True, slots=True)
class FieldError:
    """One field of the input and the rule it broke."""

    field: str
    rule: str
    message: str  # Hungarian


class Problem(Exception):
    """Raise it anywhere in a request to answer with a problem document."""

    def __init__(
        self,
        kind: ProblemKind,
        detail: str,
        *,
        errors: Iterable[FieldError] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.errors = list(errors)
        self.headers = dict(headers or {})


class FieldErrorModel(BaseModel):
    field: str = Field(description="A hibás mező neve (beágyazott mezőnél pontokkal).")
    rule: str = Field(description="A megsértett szabály azonosítója, pl. `E02` vagy `missing`.")
    message: str = Field(description="A hiba magyarul, a teendővel.")


class ProblemModel(BaseModel):
    """RFC 9457 problem details."""

    type: str = Field(description="A hiba fajtájának állandó azonosítója (URI-hivatkozás).")
    title: str = Field(description="A hiba fajtájának rövid magyar neve.")
    status: int = Field(description="A HTTP-állapotkód.")
    detail: str = Field(description="Ez az eset magyarul.")
    errors: list[FieldErrorModel] = Field(
        default_factory=list, description="Mezőnkénti hibák (érvénytelen adatoknál)."
    )
    reference: str | None = Field(
        None, description="Váratlan hibánál a naplóbejegyzés hivatkozási száma."
    )


def problem_body(
    kind: ProblemKind,
    detail: str,
    errors: Iterable[FieldError] = (),
    reference: str | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": kind.type,
        "title": kind.title,
        "status": kind.status,
        "detail": detail,
        "errors": [{"field": e.field, "rule": e.rule, "message": e.message} for e in errors],
    }
    if reference is not None:
        body["reference"] = reference
    return body


def problem_response(
    kind: ProblemKind,
    detail: str,
    errors: Iterable[FieldError] = (),
    *,
    headers: Mapping[str, str] | None = None,
    reference: str | None = None,
) -> JSONResponse:
    return JSONResponse(
        problem_body(kind, detail, errors, reference),
        status_code=kind.status,
        headers=dict(headers or {}),
        media_type=PROBLEM_JSON,
    )


# What pydantic's error types mean, in Hungarian (the rest: a generic message).
_PYDANTIC_MESSAGES = {
    "missing": "Kötelező mező, de hiányzik.",
    "extra_forbidden": "Ismeretlen mező; az API leírása megadja a mezőket.",
    "string_type": "Szöveget kell megadni.",
    "string_too_short": "Túl rövid.",
    "string_too_long": "Túl hosszú.",
    "string_pattern_mismatch": "Nem a megengedett formájú.",
    "int_parsing": "Egész számot kell megadni.",
    "int_type": "Egész számot kell megadni.",
    "greater_than_equal": "Túl kicsi szám.",
    "less_than_equal": "Túl nagy szám.",
    "model_type": "JSON-objektumot kell megadni.",
    "dict_type": "JSON-objektumot kell megadni.",
    "json_invalid": "A kérés törzse nem érvényes JSON.",
    "bytes_type": "Bájtsorozatot kell megadni.",
    "base64_decode": "Nem érvényes base64 kódolás.",
    "literal_error": "Nem a megengedett értékek egyike.",
    "enum": "Nem a megengedett értékek egyike.",
    "value_error": "Érvénytelen érték.",
    "bool_parsing": "Logikai értéket (true/false) kell megadni.",
}


def field_errors_of(error: RequestValidationError) -> list[FieldError]:
    """Pydantic's errors as field errors, without the input values."""
    found = []
    for item in error.errors():
        location = [str(part) for part in item.get("loc", ())]
        if location and location[0] in {"body", "query", "path", "header"}:
            location = location[1:]
        kind = str(item.get("type", "value_error"))
        message = _PYDANTIC_MESSAGES.get(kind, "Érvénytelen érték.")
        found.append(FieldError(".".join(location) or "body", kind, message))
    return found


def install_problem_handlers(app: FastAPI) -> None:
    """Every error of ``app`` answered as a problem document, unexpected ones filed in the log."""

    @app.exception_handler(Problem)
    async def _problem(_request: Request, problem: Problem) -> JSONResponse:
        return problem_response(
            problem.kind, problem.detail, problem.errors, headers=problem.headers
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, error: RequestValidationError) -> JSONResponse:
        return validation_problem(error)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        return http_problem(error)

    app.add_middleware(UnexpectedErrors)


def validation_problem(error: RequestValidationError) -> JSONResponse:
    """Invalid input as a 422 problem document naming each field."""
    errors = field_errors_of(error)
    return problem_response(VALIDATION, _count_detail(len(errors)), errors)


def http_problem(error: StarletteHTTPException) -> JSONResponse:
    """A routing error (404, 405, …) as the problem document of its status."""
    kind = _BY_STATUS.get(error.status_code, NOT_FOUND)
    return problem_response(kind, kind.title + ".", headers=error.headers)


def _count_detail(count: int) -> str:
    return f"A kérésben {count} hibás mező van; az `errors` lista sorolja fel őket."


# The generic kind of each status (kinds registered later by an app are more specific).
_BY_STATUS = {kind.status: kind for kind in KINDS.values()}


class UnexpectedErrors:
    """Any other exception: filed in the log under a reference (type and stack, never the
    message), answered with a 500 problem naming the reference. Nothing reaches the server's
    own error log, which would print the exception's message."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def sending(message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as error:
            from kkod.logs import file_unexpected

            reference, _ = file_unexpected(error, "web request")
            if not started:
                response = problem_response(
                    INTERNAL,
                    f"Váratlan hiba történt; hivatkozási szám: {reference}.",
                    reference=reference,
                )
                await response(scope, receive, send)


def problem_openapi(schema: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI document with every error response described as a problem document."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    components["Problem"] = _problem_schema(components)
    reference = {"$ref": "#/components/schemas/Problem"}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                if response.get("description") == "Successful Response":
                    response["description"] = "Sikeres válasz"
                if status.isdigit() and int(status) >= 400:
                    response["content"] = {PROBLEM_JSON: {"schema": reference}}
                    kind = _BY_STATUS.get(int(status))
                    if kind is not None and response.get("description") in {
                        None,
                        "",
                        "Validation Error",
                    }:
                        response["description"] = kind.title
    return schema


def _problem_schema(components: dict[str, Any]) -> dict[str, Any]:
    generated = ProblemModel.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in generated.pop("$defs", {}).items():
        components[name] = definition
    return generated


def problems(*answers: int | ProblemKind) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route that may answer with these problems (a status stands for
    its generic kind)."""
    titles: dict[int, list[str]] = {}
    for answer in answers:
        kind = answer if isinstance(answer, ProblemKind) else _BY_STATUS[answer]
        titles.setdefault(kind.status, []).append(kind.title)
    return {status: {"description": " / ".join(names)} for status, names in titles.items()}
