"""Wrappers around third-party libraries: one module per library.

keys.py wraps ``cryptography`` (device public keys, signatures), qr.py wraps
``segno`` (QR codes as SVG), ocra.py wraps the shared RFC 6287 implementation
in ``limen_protocol.ocra`` for the server's checks.
"""
