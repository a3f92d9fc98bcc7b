"""Test helpers that run real servers: PostgreSQL, SMTP, Limen itself, and axe-core checks."""
