"""The catalogue of 4T validation rules: stable id, severity, Hungarian message and fix.

Ids never change meaning: ``E..`` errors block sending, ``W..`` warnings do not, ``I..``
notes only inform, ``X..`` compare the table with the employees' own declarations.
``docs/table-format.md`` documents every rule listed here (a test checks it).
"""

from __future__ import annotations

from dataclasses import dataclass

from kkod.fourt.model import Severity


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    severity: Severity
    title: str  # short Hungarian name, for summaries
    message: str  # Hungarian; may hold {placeholders} filled per finding
    fix: str  # Hungarian: what to do about it
    auto_fix: bool = False  # applied by ``--fix`` (safe by construction)
    changes_identity: bool = False  # the fix changes the canonical form (the match key)


HIBA, FIGY, INFO = Severity.HIBA, Severity.FIGYELMEZTETES, Severity.TAJEKOZTATAS

RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        Rule("E01", HIBA, "Üres kötelező mező", "{subject} kötelező, de üres.",
             "Töltse ki a dolgozó nyilatkozata alapján."),
        Rule("E02", HIBA, "Nem valós dátum",
             "A születési idő nem valós naptári dátum, vagy nem ismerhető fel dátumként.",
             "Írja be éééé.hh.nn formában, pl. 1985.03.12."),
        Rule("E03", HIBA, "Jövőbeli dátum", "A születési idő a jövőben van.",
             "Ellenőrizze az évszámot."),
        Rule("E04", HIBA, "1900 előtti dátum", "A születési idő 1900 előtti.",
             "Ellenőrizze az évszámot."),
        Rule("E05", HIBA, "Budapest kerület nélkül",
             "Budapesti születési helynél a kerület is kell (pl. Budapest 01).",
             "Írja be a kerületet arab számmal: Budapest 01 … Budapest 23."),
        Rule("E06", HIBA, "Nem létező kerület",
             "Budapestnek nincs {district}. kerülete (1–23 lehet).",
             "Írja be a helyes kerületet: Budapest 01 … Budapest 23."),
        Rule("E07", HIBA, "Házassági névforma",
             "{subject} házassági névformában van (pl. „Tóth Pálné”); ide a "
             "születési név kell.",
             "Írja be a születéskori teljes nevet (pl. „Szabó Éva”)."),
        Rule("E08", HIBA, "Nem megengedett karakter",
             "{subject} nem megengedett karaktert tartalmaz: {characters}.",
             "Törölje vagy javítsa a karaktert."),
        Rule("E09", HIBA, "Képlet a cellában",
             "A cella képletet tartalmaz; a táblázatba értéket kell írni.",
             "Másolja be a képlet eredményét értékként (Irányított beillesztés → Értékek)."),
        Rule("E10", HIBA, "Egyetlen szóból álló név",
             "{subject} egyetlen szó; a teljes név kell (családi és utónév).",
             "Írja be a teljes nevet."),
        Rule("E11", HIBA, "Ismétlődő 4T",
             "Ugyanez a 4T adat már szerepel {first_row}. sorban.",
             "Törölje az ismétlődő sort, vagy javítsa a hibás adatot."),
        Rule("E12", HIBA, "Excel-hibaérték a cellában",
             "A cellában Excel-hibaérték áll (pl. #HIÁNYZIK vagy #ÉRTÉK!), nem adat.",
             "Írja be a valódi értéket; ha képletből másolta, az eredeti adatot másolja be "
             "értékként."),
        Rule("E13", HIBA, "Excel-adattípus a cellában",
             "A cellában Excel-adattípus (pl. Földrajz vagy Részvények, esetleg kép) áll, nem "
             "szöveg: amit az Excel mutat, az nincs a cellában szövegként.",
             "Alakítsa vissza szöveggé (jobb gomb a cellán → Adattípus → Átalakítás szöveggé), "
             "majd ellenőrizze az értéket."),
        Rule("E14", HIBA, "Túl hosszú érték",
             "{subject} {length} karakter hosszú; ilyen hosszú név, helynév vagy dátum nincs.",
             "Írja be a valódi adatot (a cellába más is került, pl. egy egész bemásolt szöveg)."),
        Rule("W01", FIGY, "Más dátumformátum",
             "A születési idő nem éééé.hh.nn formában van.",
             "Írja át éééé.hh.nn formára.", auto_fix=True),
        Rule("W02", FIGY, "Felesleges vagy láthatatlan szóköz",
             "A cellában felesleges, nem törhető vagy láthatatlan szóköz van.",
             "Törölje a felesleges szóközöket.", auto_fix=True),
        Rule("W03", FIGY, "Kerület más írásmóddal",
             "A budapesti kerület nem „Budapest NN” formában van.",
             "Írja „Budapest NN” formában, arab számmal.", auto_fix=True),
        Rule("W04", FIGY, "Sérült ékezet (õ/û)",
             "A cellában „õ” vagy „û” van: az „ő” és „ű” sérült (Latin-1) alakja.",
             "Cserélje „ő”-re és „ű”-re. (A javítás megváltoztatja az egyeztetési kulcsot.)",
             auto_fix=True, changes_identity=True),
        Rule("W05", FIGY, "Cirill vagy görög betű",
             "A cellában latin betűnek látszó cirill vagy görög betű van.",
             "Cserélje a megfelelő latin betűre. (A javítás megváltoztatja az egyeztetési "
             "kulcsot.)", auto_fix=True, changes_identity=True),
        Rule("W06", FIGY, "Ismeretlen település",
             "A születési hely nem szerepel a magyar települések listájában.",
             "Ellenőrizze az írásmódot (javaslat, ha van); külföldi születési helyet a "
             "személyi okmány szerint írjon."),
        Rule("W07", FIGY, "Hiányzó ékezet?",
             "A név ékezet nélkül szerepel, bár a szokásos alakja ékezetes.",
             "Ellenőrizze a dolgozó nyilatkozatával; ha ott ékezetes, javítsa."),
        Rule("W08", FIGY, "Dr. cím a névben",
             "A névben „dr.” cím van; a 4T név nem tartalmaz címet.",
             "Törölje a címet. (Az egyeztetés figyelmen kívül hagyja.)", auto_fix=True),
        Rule("W09", FIGY, "Anyja neve a saját név",
             "Az anyja születési neve megegyezik a dolgozó saját nevével.",
             "Ellenőrizze: az anyja születési nevét kell ide írni."),
        Rule("W10", FIGY, "Szokatlan életkor",
             "A születési idő szerint a dolgozó {age} éves (16–100 év a szokásos).",
             "Ellenőrizze a születési időt."),
        Rule("W11", FIGY, "Tipográfiai változat",
             "A cellában felbontott ékezetes betű, gondolatjel vagy tipográfiai aposztróf van.",
             "Egyszerű kötőjelre, aposztrófra és egybeírt ékezetes betűre cserélendő.",
             auto_fix=True),
        Rule("W12", FIGY, "Település kis- és nagybetűi",
             "A település neve más kis- és nagybetűkkel szerepel, mint a hivatalos alakja.",
             "Írja a hivatalos alakban.", auto_fix=True),
        Rule("W13", FIGY, "Sortörés a cellában",
             "A cellában sortörés (Alt+Enter) van; a név egy sorba írandó.",
             "A sortörés helyére szóköz kerül.", auto_fix=True),
        Rule("W14", FIGY, "Kitöltött Kapcsolati kód oszlop",
             "A Kapcsolati kód (E) oszlopot a minisztérium tölti ki; a beküldött táblázatban "
             "üresnek kell lennie.",
             "Ürítse ki a cellát (a minisztérium a beírt értéket úgyis törli).", auto_fix=True),
        Rule("I01", INFO, "Történelmi helynév",
             "Történelmi magyar helynév; ma: {today} ({country}). Érvényes, ha a személyi "
             "okmányban így szerepel.",
             "Nincs teendő, ha a dolgozó okmánya szerint ez a születési hely."),
        Rule("X01", HIBA, "Eltérés a nyilatkozattól",
             "{subject} eltér a dolgozó nyilatkozatától (nyilatkozat: „{declared}”).",
             "Javítsa a nyilatkozat szerint, vagy tisztázza a dolgozóval."),
        Rule("X02", FIGY, "Nincs nyilatkozat",
             "A sorhoz nem található a dolgozó nyilatkozata (sem belső azonosító, sem név és "
             "születési idő alapján).",
             "Kérje be a dolgozó nyilatkozatát, és ellenőrizze a 4T adatokat."),
    )
}  # fmt: skip

AUTO_FIX_RULES = frozenset(r.id for r in RULES.values() if r.auto_fix)
