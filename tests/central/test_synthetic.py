"""The synthetic registry: realistic names, places, dates and accounts, loaded in bulk on both backends."""

from __future__ import annotations

from collections import Counter
from datetime import date
from random import Random

from sqlalchemy import func, inspect, select

from kkod.central.interface import MatchResult
from kkod.central.matching import classify_keys, result_of
from kkod.central.models import Account, Person
from kkod.central.registry import NewAccount, add_person
from kkod.central.synthetic import seed_registry, synthesize, tables
from kkod.fourt.canonical import canonical
from kkod.fourt.model import Person4T
from kkod.fourt.names import is_married_form
from kkod.places.budapest import parse_budapest
from kkod.places.settlements import historic_place, is_settlement

PEOPLE = 4000


def test_generation_is_pure_and_seeded():
    a = synthesize(Random(5), 500, 1, 1)
    b = synthesize(Random(5), 500, 1, 1)
    c = synthesize(Random(6), 500, 1, 1)
    assert a.people == b.people and a.accounts == b.accounts
    assert a.people != c.people


def test_match_keys_are_those_of_the_canonical_form():
    batch = synthesize(Random(1), 3000, 1, 1)
    for row in batch.people:
        form = canonical(Person4T(*row[1:6]))
        assert form is not None and form.match_key() == row[6], row[1:6]


def test_names_places_and_dates_are_realistic():
    batch = synthesize(Random(2), 20_000, 1, 1)
    people = batch.people
    family = Counter(row[2].split(" ")[0] for row in people)
    top = {name for name, _ in family.most_common(8)}
    assert {"Nagy", "Kovács", "Tóth", "Szabó", "Horváth"} <= top
    married = [row for row in people if row[1] != row[2]]
    assert 0.15 < len(married) / len(people) < 0.40
    assert any(row[1].endswith("né") for row in married)  # Kovács Péterné
    assert any("né " in row[1] for row in married)  # Kovácsné Szabó Éva
    assert not any(is_married_form(row[2]) or is_married_form(row[3]) for row in people)
    places = Counter(row[4] for row in people)
    districts = {p for p in places if (b := parse_budapest(p)) and b.district}
    assert len(districts) == 23
    budapest = sum(n for p, n in places.items() if p in districts)
    assert 0.12 < budapest / len(people) < 0.25
    assert places["Debrecen"] > places["Sopron"] > 0
    assert all(p in districts or is_settlement(p) or historic_place(p) for p in places)
    years = [date.fromisoformat(row[5]).year for row in people]
    assert min(years) >= 1945 and max(years) <= 2008
    assert {"Budapest 11", "Debrecen"} <= set(tables().places.text)


def test_seed_loads_a_realistic_registry(engine):
    result = seed_registry(engine, PEOPLE, seed=11)
    assert result.people == PEOPLE and result.twins >= 1
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Person)) == PEOPLE
        assert conn.scalar(select(func.count()).select_from(Account)) == result.accounts
        with_active = conn.scalar(
            select(func.count(func.distinct(Account.person_id))).where(Account.active)
        )
        several = conn.scalar(
            select(func.count()).select_from(
                select(Account.person_id)
                .where(Account.active)
                .group_by(Account.person_id)
                .having(func.count() > 1)
                .subquery()
            )
        )
        keys = conn.scalars(select(Person.match_key)).all()
        matches = classify_keys(conn, keys)
        stored = conn.execute(select(Person).limit(200)).all()
    assert 0.78 < with_active / PEOPLE < 0.88  # ~80% one account + ~3% several
    assert 0.015 < several / PEOPLE < 0.05
    results = Counter(result_of(m) for m in matches.values())
    assert results[MatchResult.KOD] > 0.75 * PEOPLE
    assert results[MatchResult.TOBB_TALALAT] > 0 and results[MatchResult.NINCS_TALALAT] > 0
    twins = [k for k, m in matches.items() if m.people > 1]
    assert len(twins) == result.twins
    for row in stored:  # the stored 4T, read back through the ORM types, gives the same key
        form = canonical(
            Person4T(
                row.viselt_nev,
                row.szuletesi_nev,
                row.anyja_szuletesi_neve,
                row.szuletesi_hely,
                row.szuletesi_ido,
            )
        )
        assert form.match_key() == row.match_key
    indexes = {i["name"] for i in inspect(engine).get_indexes("central_people")}
    assert "ix_central_people_match_key" in indexes


def test_seeding_again_appends_with_new_ids(engine):
    seed_registry(engine, 300, seed=1)
    seed_registry(engine, 200, seed=2)
    added = add_person(
        engine,
        Person4T("Kovács Péter", "Kovács Péter", "Szabó Mária", "Budapest 11", "1985.03.12"),
        [NewAccount("kp.uj", "kp.uj@example.hu")],
    )
    assert added == 501  # the id sequences continue after a bulk load
    with engine.connect() as conn:
        ids = conn.scalars(select(Person.id).order_by(Person.id)).all()
        usernames = conn.scalars(select(Account.username)).all()
    assert ids == list(range(1, 502))
    assert len(set(usernames)) == len(usernames)
