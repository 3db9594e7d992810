"""kkod — bulk generation of *kapcsolati kód*s (Hivatali kapu ↔ Ügyfélkapu connection codes)."""

__version__ = "0.1.0"
