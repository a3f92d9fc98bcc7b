"""Limen's PostgreSQL database backend: Django's, with the connection health check skipped for
connections that just worked (see ``base``). ``ENGINE = "limen.core.postgresql"``."""
