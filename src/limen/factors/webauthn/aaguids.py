"""Names of well-known authenticator models by AAGUID (aaguids.json, from public vendor documentation)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

ZERO = "00000000-0000-0000-0000-000000000000"


@lru_cache(maxsize=1)
def table() -> dict[str, str]:
    data = json.loads((Path(__file__).with_name("aaguids.json")).read_text(encoding="utf-8"))
    return {key.lower(): value for key, value in data["models"].items()}


def model_name(aaguid: str) -> str:
    """'YubiKey 5 Series with NFC', or '' when unknown (or hidden by the browser: all zeros)."""
    if not aaguid or aaguid == ZERO:
        return ""
    return table().get(aaguid.lower(), "")
