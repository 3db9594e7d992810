"""Derived place data files (see NOTICE.txt); a package so the files ship in the wheel."""
