"""LibreOffice Calc, headless, as a second spreadsheet program no one here wrote: how it reads
a CSV report (formulas evaluated, as a user opening the file would have them)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

from kkod.table.sheet_xml import formula_cells

# CSV import options: ';' separated, '"' quoted, UTF-8, from line 1, …, evaluate formulas.
CSV_FILTER = "CSV:59,34,76,1,,1033,false,true,false,false,false,-1,true"


def soffice() -> str:
    found = shutil.which("soffice")
    assert found, "LibreOffice Calc is missing: scripts/test-tools.sh installs it"
    return found


def csv_as_workbook(csv_path: Path, folder: Path) -> Path:
    """The CSV as LibreOffice Calc opens it, saved as .xlsx in ``folder``."""
    with tempfile.TemporaryDirectory(prefix="kkod-lo-") as profile:
        subprocess.run(
            [
                soffice(),
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--norestore",
                "--convert-to",
                "xlsx",
                f"--infilter={CSV_FILTER}",
                "--outdir",
                str(folder),
                str(csv_path),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    return folder / f"{csv_path.stem}.xlsx"


def formulas_in(workbook: Path) -> frozenset[tuple[int, str]]:
    """(row, column) of every formula cell of the workbook's first sheet."""
    with zipfile.ZipFile(workbook) as archive:
        return formula_cells(archive.read("xl/worksheets/sheet1.xml"))
