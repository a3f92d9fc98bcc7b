"""Limen: central authentication service with two-factor authentication."""

__version__ = "0.1.0"
