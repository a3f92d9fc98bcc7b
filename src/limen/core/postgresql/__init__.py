"""Limen's PostgreSQL database backend: Django's, with the connection health check skipped for
connections that just worked, and the loader that limen.core.prepared's binary results need (see
``base``). ``ENGINE = "limen.core.postgresql"``."""
