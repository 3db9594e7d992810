"""The table from an HR system's export: recognised headers, the mapping, the conversion (pure),
the export read as hostile input, and the template written (``kkod employer from-export``)."""
