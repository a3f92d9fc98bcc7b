"""`make run` installs what limen-authenticator needs to read a QR image and keep a PIN (the authenticator extra)."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib

import pytest

from tests.support.limen_server import ROOT


def _requirement_names(requirements: list[str]) -> set[str]:
    return {re.split(r"[\s;<>=!~\[]", req, maxsplit=1)[0].lower() for req in requirements}


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_installs_the_authenticator_extra():
    # What `make run` would do on a fresh machine (-B: as if nothing were installed; -n: only print it).
    plan = subprocess.run(["make", "-n", "-B", "install"], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          check=True).stdout
    (install,) = [line for line in plan.splitlines() if "pip install" in line and " -e " in line]
    extras = re.search(r'-e "?\.\[([^\]]*)\]', install).group(1).split(",")
    optional = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    installed = _requirement_names([req for extra in extras for req in optional[extra.strip()]])
    assert {"zxing-cpp", "keyring", "django-cas-ng"} <= installed, install
