"""A realistic synthetic registry: Hungarian names and places with real frequencies, accounts, twins.

Generation is pure (a seeded ``random.Random``, curated tables in ``central/data``);
:func:`seed_registry` loads batches in bulk (executemany on SQLite, COPY on PostgreSQL)
with the lookup indexes dropped during the load and built after it.
"""

from __future__ import annotations

import hashlib
import time
import unicodedata
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib.resources import files
from random import Random

from sqlalchemy import Engine

from kkod.bulk import cyclic_gc_paused
from kkod.central.bulkio import analyze, copy_rows
from kkod.central.models import BULK_INDEXES
from kkod.central.registry import audit
from kkod.fourt.canonical import canonical_place
from kkod.fourt.dates import format_date

BATCH = 50_000
EXPANDED_SLOTS = 100_000  # resolution of the weighted draws
FIRST_BIRTH = date(1945, 1, 1).toordinal()
LAST_BIRTH = date(2008, 12, 31).toordinal()
# Every Hungarian settlement not in towns.tsv stands for about this many people.
OTHER_SETTLEMENT_WEIGHT = 1_700
ABROAD_SHARE = 0.015  # born in a place now abroad (historic Hungarian name)
SECOND_GIVEN_NAME = 0.08
# Accounts: ~80% one active, 3% two or more active, 2% only a closed one, the rest none.
ONE_ACCOUNT, SEVERAL_ACCOUNTS, CLOSED_ONLY = 0.80, 0.03, 0.02
OLD_CLOSED_ACCOUNT = 0.03  # of people with one active account, also an old closed one
TWIN_EVERY = 20_000  # one pair of people with identical 4T per this many people (at least one)
MAIL_DOMAIN = "ugyfelkapu.example.hu"

Progress = Callable[[int, int], None]  # (people done, people total)


@dataclass(frozen=True, slots=True)
class Pool:
    """Names (or places) as written, in canonical form, ASCII-folded, and cumulative weights."""

    text: tuple[str, ...]
    canon: tuple[str, ...]
    ascii: tuple[str, ...]
    # Each index repeated in proportion to its weight: an unweighted draw from it is a weighted
    # draw, and several times faster than ``choices(cum_weights=…)``'s bisection.
    expanded: tuple[int, ...]

    @classmethod
    def of(cls, weighted: list[tuple[str, float]], *, place: bool = False) -> Pool:
        texts = tuple(t for t, _ in weighted)
        total = sum(w for _, w in weighted)
        slots = max(EXPANDED_SLOTS, 4 * len(weighted))
        expanded = [
            i for i, (_, w) in enumerate(weighted) for _ in range(max(1, round(w / total * slots)))
        ]
        return cls(
            text=texts,
            canon=tuple(canonical_place(t) if place else t.casefold() for t in texts),
            ascii=tuple(_ascii(t) for t in texts),
            expanded=tuple(expanded),
        )

    def draw(self, rng: Random, k: int) -> list[int]:
        return rng.choices(self.expanded, k=k)


@dataclass(frozen=True, slots=True)
class Tables:
    families: Pool
    female: Pool
    male: Pool
    places: Pool


@dataclass(slots=True)
class Batch:
    """People rows ``(id, viselt, születési, anyja, hely, idő ISO text, match_key)`` and account rows
    ``(id, person_id, username, email, active)``."""

    people: list[tuple] = field(default_factory=list)
    accounts: list[tuple] = field(default_factory=list)
    twins: int = 0


@dataclass(frozen=True, slots=True)
class SeedResult:
    people: int
    accounts: int
    twins: int
    seconds: float

    @property
    def people_per_second(self) -> float:
        return self.people / self.seconds if self.seconds else 0.0


@cache
def tables() -> Tables:
    """The curated frequency tables, and every other settlement with a small weight."""
    from kkod.places.settlements import settlements

    towns = _tsv("towns.tsv")
    listed = {name for name, _ in towns} | {"Budapest"}
    others = [(s, OTHER_SETTLEMENT_WEIGHT) for s in sorted(settlements()) if s not in listed]
    home = towns + others
    home_total = sum(w for _, w in home)
    abroad = _tsv("abroad.tsv")
    abroad_total = sum(w for _, w in abroad)
    scale = home_total * ABROAD_SHARE / (1 - ABROAD_SHARE) / abroad_total
    places = home + [(name, w * scale) for name, w in abroad]
    return Tables(
        families=Pool.of(_tsv("family_names.tsv")),
        female=Pool.of(_tsv("given_names_female.tsv")),
        male=Pool.of(_tsv("given_names_male.tsv")),
        places=Pool.of(places, place=True),
    )


def synthesize(rng: Random, n: int, first_person_id: int, first_account_id: int) -> Batch:
    """``n`` people with ids from ``first_person_id`` and their accounts (pure, seeded).

    People rows hold the birth date as ISO text (what both backends store) and the match
    key computed exactly as :func:`kkod.fourt.canonical.match_key_of` does.
    """
    t = tables()
    fam, fem, male, places = t.families, t.female, t.male, t.places
    own_family = fam.draw(rng, n)
    husband_family = fam.draw(rng, n)
    mother_family = fam.draw(rng, n)
    female_given = fem.draw(rng, n)
    second_female = fem.draw(rng, n)
    male_given = male.draw(rng, n)
    second_male = male.draw(rng, n)
    husband_given = male.draw(rng, n)
    mother_given = fem.draw(rng, n)
    place = places.draw(rng, n)
    born = rng.choices(_birth_dates(), k=n)
    randoms = [rng.random() for _ in range(4 * n)]

    batch = Batch()
    people, accounts = batch.people, batch.accounts
    append_person, append_account = people.append, accounts.append
    account_id = first_account_id
    twin_every = max(2, min(TWIN_EVERY, n))
    ftext, fcanon, fascii = fam.text, fam.canon, fam.ascii
    ptext, pcanon = places.text, places.canon
    mtext, mcanon = fem.text, fem.canon
    blake2b = hashlib.blake2b
    for i in range(n):
        r_sex, r_married, r_second, r_account = randoms[4 * i : 4 * i + 4]
        f = own_family[i]
        woman = r_sex < 0.5
        if woman:
            g, g_pool, g2 = female_given[i], fem, second_female[i]
        else:
            g, g_pool, g2 = male_given[i], male, second_male[i]
        given_text = g_pool.text[g]
        given_canon = g_pool.canon[g]
        if r_second < SECOND_GIVEN_NAME and g2 != g:
            given_text = f"{given_text} {g_pool.text[g2]}"
            given_canon = f"{given_canon} {g_pool.canon[g2]}"
        birth_text = f"{ftext[f]} {given_text}"
        birth_canon = f"{fcanon[f]} {given_canon}"
        current_text, current_canon = birth_text, birth_canon
        year, iso = born[i]
        if woman:
            married_share = 0.7 if year < 1990 else 0.3
            if r_married < married_share:
                current_text, current_canon = _married(
                    r_married / married_share, fam, male, husband_family[i], husband_given[i],
                    given_text, given_canon, birth_text, birth_canon,
                )  # fmt: skip
        mf, mg = mother_family[i], mother_given[i]
        person_id = first_person_id + i
        if i % twin_every == twin_every - 1:
            # A person whose 4T equals the previous one's: the registry cannot tell them apart.
            row = people[-1]
            append_person((person_id, *row[1:]))
            batch.twins += 1
        else:
            p = place[i]
            key = blake2b(
                f"{current_canon}\x1f{birth_canon}\x1f{fcanon[mf]} {mcanon[mg]}\x1f{pcanon[p]}\x1f{iso}".encode(),
                digest_size=16,
            ).digest()
            append_person(
                (
                    person_id,
                    current_text,
                    birth_text,
                    f"{ftext[mf]} {mtext[mg]}",
                    ptext[p],
                    iso,
                    key,
                )
            )
        if r_account < ONE_ACCOUNT + SEVERAL_ACCOUNTS:
            count = 1 if r_account < ONE_ACCOUNT else (2 if r_account < 0.827 else 3)
            login = f"{fascii[f]}.{g_pool.ascii[g]}"
            for _ in range(count):
                name = f"{login}.{account_id}"
                append_account((account_id, person_id, name, f"{name}@{MAIL_DOMAIN}", True))
                account_id += 1
            if count == 1 and r_account < ONE_ACCOUNT * OLD_CLOSED_ACCOUNT:
                name = f"{login}.{account_id}"
                append_account((account_id, person_id, name, f"{name}@{MAIL_DOMAIN}", False))
                account_id += 1
        elif r_account < ONE_ACCOUNT + SEVERAL_ACCOUNTS + CLOSED_ONLY:
            name = f"{fascii[f]}.{g_pool.ascii[g]}.{account_id}"
            append_account((account_id, person_id, name, f"{name}@{MAIL_DOMAIN}", False))
            account_id += 1
    return batch


@cache
def _birth_dates() -> tuple[tuple[int, str], ...]:
    """(year, ISO text) of every day from 1945 to 2008."""
    days = (date.fromordinal(o) for o in range(FIRST_BIRTH, LAST_BIRTH + 1))
    return tuple((d.year, d.isoformat()) for d in days)


def _married(
    choice: float, fam: Pool, male: Pool, hf: int, hg: int, given_text: str, given_canon: str,
    birth_text: str, birth_canon: str,
) -> tuple[str, str]:  # fmt: skip
    """A married woman's current name in one of the Civil Code's forms (``choice`` in [0, 1))."""
    husband_family_text, husband_family_canon = fam.text[hf], fam.canon[hf]
    if choice < 0.20:  # Kovács Péterné
        return (
            f"{husband_family_text} {male.text[hg]}né",
            f"{husband_family_canon} {male.canon[hg]}né",
        )
    if choice < 0.25:  # Kovács Péterné Szabó Éva
        return (
            f"{husband_family_text} {male.text[hg]}né {birth_text}",
            f"{husband_family_canon} {male.canon[hg]}né {birth_canon}",
        )
    if choice < 0.60:  # Kovácsné Szabó Éva
        return f"{husband_family_text}né {birth_text}", f"{husband_family_canon}né {birth_canon}"
    if choice < 0.95:  # Kovács Éva
        return f"{husband_family_text} {given_text}", f"{husband_family_canon} {given_canon}"
    return birth_text, birth_canon  # kept her birth name


def seed_registry(
    engine: Engine,
    people: int,
    *,
    seed: int | None = None,
    progress: Progress | None = None,
    actor: str = "system",
) -> SeedResult:
    """Add ``people`` synthetic people (and their accounts) to the registry in bulk."""
    if people < 1:
        raise ValueError("people must be at least 1")
    with cyclic_gc_paused():
        return _seed(engine, people, Random(seed), progress, actor)


def _seed(
    engine: Engine, people: int, rng: Random, progress: Progress | None, actor: str
) -> SeedResult:
    started = time.perf_counter()
    pg = engine.dialect.name == "postgresql"
    total_accounts = twins = 0
    with engine.begin() as conn:
        if not pg:
            for pragma in (
                "synchronous=OFF",
                "cache_size=-262144",
                "temp_store=MEMORY",
                "threads=2",
            ):
                conn.exec_driver_sql(f"PRAGMA {pragma}")
        next_person = (conn.exec_driver_sql("SELECT MAX(id) FROM central_people").scalar() or 0) + 1
        next_account = (
            conn.exec_driver_sql("SELECT MAX(id) FROM central_accounts").scalar() or 0
        ) + 1
        for name in BULK_INDEXES:
            conn.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")
        sizes = [min(BATCH, people - start) for start in range(0, people, BATCH)]
        firsts = [next_person + start for start in range(0, people, BATCH)]
        # One thread generates the next batch while this one loads the current: the database
        # driver releases the GIL while it writes, so the two overlap. Batches are generated
        # in order from one seeded generator, so a seed gives the same registry every time.
        with ThreadPoolExecutor(max_workers=1) as pool:
            state = {"account": next_account}

            def make(index: int) -> Batch:
                batch = synthesize(rng, sizes[index], firsts[index], state["account"])
                state["account"] += len(batch.accounts)
                return batch

            pending = pool.submit(make, 0)
            done = 0
            for index in range(len(sizes)):
                batch = pending.result()
                if index + 1 < len(sizes):
                    pending = pool.submit(make, index + 1)
                copy_rows(conn, "central_people", _PEOPLE_COLUMNS, batch.people)
                copy_rows(conn, "central_accounts", _ACCOUNT_COLUMNS, batch.accounts)
                total_accounts += len(batch.accounts)
                twins += batch.twins
                done += sizes[index]
                if progress:
                    progress(done, people)
        for name, (table, columns, unique, included) in BULK_INDEXES.items():
            kind = "UNIQUE INDEX" if unique else "INDEX"
            include = f" INCLUDE ({included})" if pg and included else ""
            conn.exec_driver_sql(f"CREATE {kind} {name} ON {table} ({columns}){include}")
        if pg:
            for table in ("central_people", "central_accounts"):
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT MAX(id) FROM {table}))"
                )
        for table in ("central_people", "central_accounts"):
            analyze(conn, table)
        audit(conn, actor, "seed", None, f"people={people} accounts={total_accounts} twins={twins}")
    return SeedResult(people, total_accounts, twins, time.perf_counter() - started)


_PEOPLE_COLUMNS = (
    "id", "viselt_nev", "szuletesi_nev", "anyja_szuletesi_neve", "szuletesi_hely",
    "szuletesi_ido", "match_key",
)  # fmt: skip
_ACCOUNT_COLUMNS = ("id", "person_id", "username", "email", "active")


def table_date(value: date) -> str:
    """A stored birth date as the table writes it (``éééé.hh.nn``)."""
    return format_date(value)


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in folded if c.isascii() and c.isalnum())


def _tsv(name: str) -> list[tuple[str, float]]:
    rows = []
    for line in files("kkod.central.data").joinpath(name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            text, weight = line.split("\t")
            rows.append((text, float(weight)))
    return rows
