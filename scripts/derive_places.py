"""Derive kkod's committed place and name data files from the ``magyar`` package (MIT, PyPI).

Run once by a developer (``pip install magyar`` then ``python scripts/derive_places.py``);
the outputs are committed, so ``magyar`` is not a runtime dependency. Writes:

- ``src/kkod/places/data/settlements.txt``   every Hungarian settlement, one per line
- ``src/kkod/places/data/historic.tsv``      historic Hungarian name → today's name, country
  (from ``magyar.hatarontuli``, plus the 23 settlements merged into Budapest in 1950)
- ``src/kkod/fourt/data/given_names.txt``    common Hungarian given names (magyar + curated)
- ``src/kkod/fourt/data/family_names.txt``   common Hungarian family names (magyar + curated)
- a ``NOTICE.txt`` file beside each, with the source, author and licence.
"""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLACES = ROOT / "src" / "kkod" / "places" / "data"
NAMES = ROOT / "src" / "kkod" / "fourt" / "data"

# magyar's country codes; "YU" (Yugoslavia) there means Vojvodina, today Serbia.
COUNTRIES = {
    "A": "Ausztria",
    "HR": "Horvátország",
    "PL": "Lengyelország",
    "RO": "Románia",
    "SK": "Szlovákia",
    "SLO": "Szlovénia",
    "UA": "Ukrajna",
    "YU": "Szerbia",
}

# Settlements merged into Budapest on 1 January 1950, with their district today; people
# born there before 1950 may carry the old name as birth place.
MERGED_INTO_BUDAPEST = {
    "Albertfalva": 11, "Békásmegyer": 3, "Budafok": 22, "Budatétény": 22, "Cinkota": 16,
    "Csepel": 21, "Kispest": 19, "Mátyásföld": 16, "Nagytétény": 22, "Pesthidegkút": 2,
    "Pestszenterzsébet": 20, "Pestszentimre": 18, "Pestszentlőrinc": 18, "Pestújhely": 15,
    "Rákoscsaba": 17, "Rákoshegy": 17, "Rákoskeresztúr": 17, "Rákosliget": 17,
    "Rákospalota": 15, "Rákosszentmihály": 16, "Sashalom": 16, "Soroksár": 23, "Újpest": 4,
}  # fmt: skip

# Hand-curated common Hungarian given names (kkod authors, MIT), added to magyar's short lists.
CURATED_GIVEN = """
Ábel Ábris Ádám Adorján Ágoston Ákos Aladár Albert Alfréd Álmos Ambrus Andor András Antal
Áron Árpád Artúr Attila Aurél Balázs Bálint Barna Barnabás Béla Bence Benedek Bendegúz
Benjámin Bertalan Bonifác Botond Brúnó Bulcsú Csaba Csanád Csongor Dániel Dárius Dávid
Demeter Dénes Dezső Domonkos Dominik Donát Dömötör Ede Egon Elek Elemér Emil Endre Erik
Ernő Ervin Fábián Ferdinánd Ferenc Flórián Frigyes Fülöp Gábor Gáspár Gedeon Gellért
Gergely Gergő Gerő Géza Gusztáv Gyula György Győző Henrik Hubert Huba Hunor Ignác Imre
István Iván Jakab Jenő Jónás János Jeromos József Kálmán Károly Kázmér Kelemen Kolos
Konrád Kornél Kristóf Krisztián Lajos László Lázár Lénárd Levente Lóránd Lóránt Lőrinc
Lukács Marcell Márió Márk Márton Máté Mátyás Medárd Menyhért Mihály Miklós Milán Mór
Móric Mózes Nándor Nimród Noé Norbert Olivér Orbán Oszkár Ottó Ödön Örs Pál Patrik Péter
Pongrác Rajmund Rezső Richárd Róbert Rókus Roland Rudolf Sámuel Sándor Sebestyén Simon
Soma Szabolcs Szilárd Szilveszter Tamás Tibor Tihamér Tivadar Tódor Tóbiás Valér Vazul
Vendel Viktor Vilmos Vince Zalán Zénó Zétény Zoárd Zoltán Zsigmond Zsolt Zsombor Ármin
Benedek Bertold Kristóf Ottokár Pál René Tas Gyárfás Jácint Kadosa Kopány Szervác Teodór Valentin
Ágnes Ágota Adél Adrienn Alexandra Alíz Alma Amália Andrea Anett Angéla Anikó Anita Anna
Annamária Antónia Aranka Beáta Bella Bernadett Berta Bettina Bianka Bíborka Blanka
Boglárka Borbála Boróka Brigitta Cecília Cintia Csenge Csilla Dalma Daniella Debóra Diána
Dóra Dorina Dorottya Edina Edit Elvira Eleonóra Elza Emese Emília Emma Emőke Enikő Erika
Erzsébet Eszter Etelka Éva Evelin Fanni Flóra Franciska Gabriella Gizella Gréta Gyöngyi
Gyöngyvér Hajnalka Hanna Hedvig Helga Henrietta Hermina Ibolya Ida Ildikó Ilona Ilonka
Irén Irma Írisz Izabella Janka Jázmin Jolán Judit Júlia Julianna Jusztina Kamilla Kata
Katalin Katinka Kincső Kinga Klára Klaudia Klotild Kornélia Krisztina Laura Lenke Léna
Lili Lilla Liliána Linda Lívia Luca Lúcia Lujza Magdaléna Magdolna Malvin Margit Margaréta
Mária Marianna Mariann Márta Matild Melinda Mercédesz Mónika Natália Nelli Nikolett
Nikoletta Noémi Nóra Olga Olívia Orsolya Ottília Panna Patrícia Paula Petra Petronella
Piroska Rebeka Regina Réka Renáta Rita Rozália Róza Rózsa Sára Sarolta Stefánia Szabina
Szende Szidónia Szilvia Szonja Tamara Tekla Teréz Terézia Tímea Tünde Ünige Valéria
Vanda Veronika Vera Viktória Vilma Viola Virág Vivien Zita Zoé Zorka Zsanett Zsófia
Zsuzsa Zsuzsanna Erzsi Jutka Kati Marika Rozi Boriska Etel Friderika Fruzsina Georgina
Hortenzia Jozefa Jozefin Karolina Krisztiána Lenke Mirella Médea Nikol Rozina Szeréna
Tícia Valentina Vilhelmina Zelma Zsófi Gréta Lídia Ágota Aglája Alida Anasztázia Annabella
Borka Dézi Eugénia Izolda Jolánka Kármen Kinga Lőrinca Mirtill Orsika Rózsi Tünde Zsóka
"""

# Hand-curated common Hungarian family names (kkod authors, MIT), added to magyar's list.
CURATED_FAMILY = """
Nagy Kovács Tóth Szabó Horváth Varga Kiss Molnár Németh Farkas Balogh Papp Takács Juhász
Lakatos Mészáros Oláh Simon Rácz Fekete Szilágyi Török Fehér Balázs Gál Kis Szűcs Kocsis
Orsós Pintér Fodor Szalai Sipos Magyar Lukács Gulyás Bíró Király Katona László Jakab
Bogdán Balog Sándor Boros Fazekas Kelemen Antal Orosz Somogyi Fülöp Veres Budai Vincze
Hegedűs Deák Pap Bálint Illés Pál Vass Szőke Fábián Vörös Lengyel Bognár Jónás Hajdu
Halász Máté Székely Gáspár Kozma Pásztor Bakos Dudás Major Virág Orbán Barta Kun Péter
Csonka Pálfi Szekeres Borbély Ács Erdős Kántor Sárközi Szénási Kálmán Bencze Csizmadia
Bozsó Csordás Dobos Dombi Erdélyi Fejes Fenyvesi Gergely Győri Hajdú Hegyi Hollósi Hudák
Jakus Jávor Kardos Kása Kecskés Kerekes Kertész Kónya Kulcsár Lovas Madár Márkus
Medve Mohácsi Nyitrai Ónodi Pálinkás Pataki Pető Rigó Rózsa Salamon Sárosi Sebők Sütő
Szakács Szekeres Szénás Szollár Takó Tamás Tímár Tornyos Turi Ujvári Vadász Vajda Vámos
Vida Vígh Vörös Zsigmond Zsoldos Ábrahám Ambrus Bárány Bartók Berényi Bódis Bordás Bozó
Czakó Dénes Dósa Együd Egyed Garai Gombár Gyenes Gyurkó Hámori Hódi Jenei Kalmár
Kárpáti Kékesi Keszthelyi Kollár Kósa Lévai Lőrinc Maróti Mátyás Mózes Nádasdi Pásztori
Pongrác Révész Rostás Sallai Sárközy Somodi Szabados Szalay Szarka Szécsi Szemes Szép
Tar Tihanyi Tompa Ujhelyi Vágó Várady Vereb Zámbó Zentai Zsidó
"""


def main() -> int:
    try:
        import magyar
    except ImportError:
        print("pip install magyar  (only needed to regenerate the data files)", file=sys.stderr)
        return 1
    version = _version()
    PLACES.mkdir(parents=True, exist_ok=True)
    NAMES.mkdir(parents=True, exist_ok=True)

    settlements = sorted(
        {_nfc(s) for s in magyar.telepules if s and s != "Település név"}, key=_sort_key
    )
    _write(PLACES / "settlements.txt", settlements)

    historic = {}
    for old, info in magyar.hatarontuli[0].items():
        old = _nfc(old)
        if old in settlements:
            continue  # a current Hungarian settlement of the same name wins
        historic[old] = (
            _nfc(info["mai_hivatalos_nev"]),
            COUNTRIES.get(info["orszag"], info["orszag"]),
        )
    for old, district in MERGED_INTO_BUDAPEST.items():
        historic[old] = (f"Budapest {district:02d}", "Magyarország")
    _write(
        PLACES / "historic.tsv",
        ["# historic Hungarian name\ttoday's official name\tcountry (Hungarian)"]
        + [
            f"{old}\t{today}\t{country}"
            for old, (today, country) in sorted(historic.items(), key=lambda kv: _sort_key(kv[0]))
        ],
    )

    given = _unique(
        [*magyar.keresztnev_n, *magyar.keresztnev_f, *magyar.keresztnev_v, *CURATED_GIVEN.split()]
    )
    family = _unique([*magyar.vezeteknev, *CURATED_FAMILY.split()])
    _write(NAMES / "given_names.txt", given)
    _write(NAMES / "family_names.txt", family)

    notice = NOTICE.format(version=version)
    (PLACES / "NOTICE.txt").write_text(notice, encoding="utf-8")
    (NAMES / "NOTICE.txt").write_text(notice, encoding="utf-8")
    print(
        f"{len(settlements)} settlements, {len(historic)} historic names, "
        f"{len(given)} given names, {len(family)} family names (magyar {version})"
    )
    return 0


NOTICE = """Data files in this folder are derived from the Python package "magyar" {version}
(https://pypi.org/project/magyar/, https://github.com/kobanya/nevek),
Copyright (c) Nagy Béla <nagy.belabudapest@gmail.com>, licensed under the MIT License:

  Permission is hereby granted, free of charge, to any person obtaining a copy of this
  software and associated documentation files (the "Software"), to deal in the Software
  without restriction, including without limitation the rights to use, copy, modify, merge,
  publish, distribute, sublicense, and/or sell copies of the Software, and to permit persons
  to whom the Software is furnished to do so, subject to the following conditions:

  The above copyright notice and this permission notice shall be included in all copies or
  substantial portions of the Software.

  THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED.

Derived by kkod's scripts/derive_places.py: settlements.txt from magyar.telepules;
historic.tsv from magyar.hatarontuli (country codes spelled out in Hungarian) plus the 23
settlements merged into Budapest in 1950; given_names.txt and family_names.txt from
magyar.keresztnev_n/_f/_v and magyar.vezeteknev, extended with lists curated by the kkod
authors (MIT, like kkod).
"""


def _version() -> str:
    from importlib.metadata import version

    return version("magyar")


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text.strip())


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for name in names:
        for part in _nfc(name).split("-"):
            if part:
                seen.setdefault(part, None)
    return list(seen)


def _sort_key(text: str) -> str:
    return text.casefold()


def _write(path: Path, lines: list[str]) -> None:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
