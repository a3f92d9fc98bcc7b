"""Limen's own date formats per language (settings.FORMAT_MODULE_PATH), where Django's differ from what we
show. A name not given here falls back to Django's format for the language."""
