"""Name lists for the missing-accent check (see NOTICE.txt); a package so the files ship in the wheel."""
