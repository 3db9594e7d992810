#!/usr/bin/env bash
# Regenerate the LibreOffice-saved table fixtures in tests/table/fixtures/ (committed; tests never run soffice).
#   lo_filled.xlsx   our template, filled with openpyxl (text, an Excel date cell, numbers, a formula),
#                    then opened and saved as .xlsx by LibreOffice Calc (shared strings, its own styles)
#   lo_from_csv.xlsx a UTF-8 CSV of the same layout converted to .xlsx by Calc
#   lo_filled.ods / lo_filled.xls  the same table in formats the reader must refuse
#   lo_template.xlsx a 3-row template with 5 people (two pasted below the numbered rows), saved
#                    by Calc: protection, open columns, filter and print settings must survive
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="$ROOT/tests/table/fixtures"
PY="$ROOT/.venv/bin/python"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"

soffice_convert() {  # soffice_convert FORMAT OUTDIR FILE [INFILTER]; each call its own profile
  local profile
  profile="$(mktemp -d)"
  soffice -env:UserInstallation="file://$profile" --headless ${4:+--infilter="$4"} \
    --convert-to "$1" --outdir "$2" "$3" >/dev/null 2>&1
  rm -rf "$profile"
}

"$PY" - "$WORK/lo_filled.xlsx" <<'EOF'
import sys
from datetime import date
from pathlib import Path

import openpyxl

from kkod.table.template import build_template

path = Path(sys.argv[1])
build_template(path, rows=12)
wb = openpyxl.load_workbook(path)
ws = wb.worksheets[0]
rows = [
    ("T-001", "", "Kovács János", "Kovács János", "Szabó Mária", "Budapest 11", "1985.03.12"),
    ("T-002", "áthelyezve", "Kovácsné Szabó Éva", "Szabó Éva Mária", "Nagy Ilona", "Debrecen", date(1979, 11, 2)),
    (4512, "", "Őri Ünige", "Őri Ünige", "Űrös Zsófia", "Győr", "1990.01.31"),
    ("T-004", "", "Tóth Péter", "Tóth Péter", "Kiss Erzsébet", "Budapest 01", 19850312),
    ("T-005", "", '=CONCATENATE("Varga ","Béla")', "Varga Béla", "Fekete Anna", "Pécs", "1961.07.04"),
]
for offset, values in enumerate(rows):
    for letter, value in zip("BCDFGHI", values, strict=True):
        if value != "":
            ws[f"{letter}{2 + offset}"] = value
ws["I3"].number_format = "yyyy.mm.dd"
ws.column_dimensions["C"].hidden = True
wb.create_sheet("Jegyzetek")["A1"] = "belső jegyzet"
wb.save(path)
EOF
soffice_convert xlsx "$OUT" "$WORK/lo_filled.xlsx"
soffice_convert ods "$OUT" "$WORK/lo_filled.xlsx"
soffice_convert "xls:MS Excel 97" "$OUT" "$WORK/lo_filled.xlsx"

"$PY" - "$WORK/lo_template.xlsx" <<'EOF'
import sys
from pathlib import Path

from kkod.table.template import build_template
from kkod.table.writer import patch_cells

path = Path(sys.argv[1])
build_template(path, rows=3)
people = [
    ("Kovács János", "Kovács János", "Szabó Mária", "Budapest 11", "1985.03.12"),
    ("Tóth Éva", "Tóth Éva", "Kiss Ilona", "Debrecen", "1979.11.02"),
    ("Őri Ünige", "Őri Ünige", "Űrös Zsófia", "Győr", "1990.01.31"),
    ("Varga Béla", "Varga Béla", "Fekete Anna", "Pécs", "1961.07.04"),
    ("Nagy Péter", "Nagy Péter", "Molnár Erzsébet", "Szeged", "2001.02.28"),
]
values = {
    (2 + offset, letter): text
    for offset, person in enumerate(people)
    for letter, text in zip("DFGHI", person, strict=True)
}
patch_cells(path, path, values)
EOF
soffice_convert xlsx "$OUT" "$WORK/lo_template.xlsx"

cat >"$WORK/lo_from_csv.csv" <<'EOF'
Sorszám,Belső azonosító,Megjegyzés,Viselt név,Kapcsolati kód,Születési név,Anyja születési neve,Születési hely,Születési idő
1,004512,,Kovács János,,Kovács János,Szabó Mária,Budapest 11,1985.03.12
2,T-002,"vesszővel, idézőjelben",Kovácsné Szabó Éva,,Szabó Éva Mária,Nagy Ilona,Debrecen,1979.11.02
3,T-003,,Őri Ünige,,Őri Ünige,Űrös Zsófia,Győr,1990-01-31
4,,,,,,,,
EOF
soffice_convert xlsx "$OUT" "$WORK/lo_from_csv.csv" "CSV:44,34,76,1"
ls -l "$OUT"
