"""The central API's JSON bodies, with Hungarian descriptions and examples for its OpenAPI document."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from kkod.central.interface import MatchResult

_FIELD = {"max_length": 200}


class Person4TIn(BaseModel):
    """Egy személy 4T adatai, ahogy a hivatal nyilvántartja (a „Kapcsolati kód adattáblázat”
    D, F, G, H, I oszlopa)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "viselt_nev": "Kovács Péter",
                    "szuletesi_nev": "Kovács Péter",
                    "anyja_szuletesi_neve": "Szabó Mária",
                    "szuletesi_hely": "Budapest 11",
                    "szuletesi_ido": "1985.03.12",
                }
            ]
        },
    )

    viselt_nev: str = Field(description="Viselt név: a teljes jelenlegi név.", **_FIELD)
    szuletesi_nev: str = Field(description="Születési név: a teljes születési név.", **_FIELD)
    anyja_szuletesi_neve: str = Field(
        description="Anyja születési neve (nem házassági névformában).", **_FIELD
    )
    szuletesi_hely: str = Field(
        description="Születési hely: település; Budapestnél a kerület arab számmal, "
        "pl. „Budapest 01”.",
        **_FIELD,
    )
    szuletesi_ido: str = Field(description="Születési idő éééé.hh.nn formában.", **_FIELD)


class MatchKeyIn(BaseModel):
    """A személy egyeztetési kulcsa a 4T adatok helyett (a kkod saját kliensei ezt küldik)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"match_key": "q83vEjRWeJCrze8SNFZ4kA=="}]},
    )

    match_key: str | None = Field(
        description="A kanonikus 4T 16 bájtos egyeztetési kulcsa base64-ben; `null`, ha a 4T "
        "nem olvasható (az eredmény ekkor HIBAS_SOR).",
        max_length=64,
    )


class FindingOut(BaseModel):
    field: str = Field(description="A 4T mező neve, pl. `szuletesi_hely`.")
    rule: str = Field(description="A szabály azonosítója (docs/table-format.md), pl. `W06`.")
    message: str = Field(description="A figyelmeztetés magyarul.")


class ConnectOut(BaseModel):
    """Egy személy kapcsolásának eredménye: kód, vagy az ok, amiért nincs (közeli találat soha)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "result": "KOD",
                    "code": "7K3M-9XQ2-HT5W-R8P1-Z",
                    "explanation": "A kapcsolati kód elkészült.",
                    "next_step": "",
                    "warnings": [],
                }
            ]
        }
    )

    result: MatchResult = Field(
        description="KOD: pontosan egy aktív fiók, a kód elkészült; NINCS_TALALAT: nincs aktív "
        "fiók; TOBB_TALALAT: több fiók vagy több azonos 4T-jű személy; HIBAS_SOR: a 4T nem "
        "olvasható."
    )
    code: str | None = Field(
        description="A kapcsolati kód (csak KOD eredménynél), pl. 7K3M-9XQ2-HT5W-R8P1-Z."
    )
    explanation: str = Field(description="Az eredmény magyarázata.")
    next_step: str = Field(description="A teendő, ha nincs kód.")
    warnings: list[FindingOut] = Field(
        default_factory=list,
        description="Figyelmeztetések a 4T adatokra (nem akadályozzák az egyeztetést).",
    )


class CodeIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"code": "7K3M-9XQ2-HT5W-R8P1-Z"}]}
    )

    code: str = Field(
        description="A kapcsolati kód, ahogy beírták (kisbetű, kötőjel nélkül is).", max_length=64
    )


class CodeOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"valid": True, "connected": True, "code": "7K3M-9XQ2-HT5W-R8P1-Z"}]
        }
    )

    valid: bool = Field(description="Jól formált kód, helyes ellenőrző jellel.")
    connected: bool = Field(
        description="A kódot ennek a hivatali kapunak adták ki, és a fiók még aktív. Más "
        "hivatali kapu kódja ugyanúgy false, mint egy ismeretlen kód."
    )
    code: str | None = Field(description="A kód szabványos alakja, ha jól formált.")


class ConnectionOut(BaseModel):
    cursor: int = Field(description="A következő lap kéréséhez: `after=<cursor>`.")
    code: str = Field(description="A kapcsolati kód.")
    created_at: datetime = Field(description="A kapcsolat létrejötte (UTC).")
    via: str = Field(
        description="Hogyan jött létre: bulk (tömeges), manual (egyenként), api, web (a webes felületen)."
    )
    reference: str | None = Field(description="A tömeges kérelem hivatkozása, ha van.")
    active: bool = Field(description="A fiók még aktív.")


class ConnectionPage(BaseModel):
    items: list[ConnectionOut]
    next_after: int | None = Field(
        description="A következő lap `after` értéke; null, ha ez volt az utolsó lap."
    )


class DocumentIn(BaseModel):
    """Próbadokumentum egy kapcsolati kódhoz tartozó fiók tárhelyére."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "code": "7K3M-9XQ2-HT5W-R8P1-Z",
                    "filename": "probadokumentum.txt",
                    "content_type": "text/plain",
                    "content_base64": "UHLDs2JhZG9rdW1lbnR1bS4=",
                }
            ]
        },
    )

    code: str = Field(description="A címzett kapcsolati kódja.", max_length=64)
    filename: str = Field(description="A fájl neve (mappajel nélkül).", max_length=200)
    content_type: str = Field(
        description="application/pdf vagy text/plain (UTF-8).", max_length=100
    )
    content_base64: str = Field(description="A fájl tartalma base64-ben.")


class DocumentOut(BaseModel):
    document_id: int = Field(description="A dokumentum azonosítója a tárhelyen.")
    size: int = Field(description="Méret bájtban.")
    sha256: str = Field(description="A tartalom SHA-256 lenyomata (hex).")
    delivered_at: datetime = Field(description="A kézbesítés ideje (UTC).")


class OfficeOut(BaseModel):
    krid: str
    short_name: str = Field(description="A hivatali kapu rövid neve.")
    name: str = Field(description="A szervezet teljes neve.")
    email_domains: list[str] = Field(description="A szervezet e-mail tartományai.")
    organisation_id: str | None = Field(
        description="A szervezet azonosítója az aláíró tanúsítványokban (pl. VATHU-15000000)."
    )


class KeyOut(BaseModel):
    key_id: str = Field(description="A kulcs nyilvános azonosítója.")
    kind: str = Field(description="office (egy hivatali kapué) vagy ministry (a minisztériumé).")
    office: OfficeOut | None = Field(description="Hivatali kapu kulcsánál a hivatali kapu.")


class HealthOut(BaseModel):
    status: str = Field(description="ok (él) vagy ready (kész).")
