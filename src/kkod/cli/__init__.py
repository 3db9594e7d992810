"""The ``kkod`` command line: thin Typer commands that parse input and render output."""
