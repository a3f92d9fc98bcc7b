"""The web app's files that come from elsewhere are what scripts/webapp-build makes: jsQR as npm ships it
(with its header), and the icons."""

from __future__ import annotations

import importlib.machinery
import importlib.util
from pathlib import Path

import pytest
from PIL import Image, ImageChops

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "src" / "limen" / "webapp" / "static" / "webapp"


def _build():
    loader = importlib.machinery.SourceFileLoader("webapp_build", str(ROOT / "scripts" / "webapp-build"))
    spec = importlib.util.spec_from_loader("webapp_build", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def test_vendored_jsqr_is_the_npm_package():
    build = _build()
    if not build.JSQR.exists():
        pytest.fail("node_modules/jsqr is missing: run `npm ci` (make install-test does)", pytrace=False)
    assert (STATIC / "vendor" / "jsQR.js").read_bytes() == build.vendored_jsqr(), "run scripts/webapp-build"


def test_icons_are_the_built_ones():
    for name, image in _build().icons().items():
        committed = Image.open(STATIC / "icons" / name).convert("RGBA")
        assert committed.size == image.size, name
        assert ImageChops.difference(committed, image.convert("RGBA")).getbbox() is None, f"{name}: run scripts/webapp-build"
