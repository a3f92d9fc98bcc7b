#!/usr/bin/env python3
"""The Europass demo: a small portal that signs in through Limen with django-cas-ng."""

import os
import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "europass.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
