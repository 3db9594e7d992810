"""The "Kapcsolati kód adattáblázat": layout, template, reader and format-preserving result writer."""
