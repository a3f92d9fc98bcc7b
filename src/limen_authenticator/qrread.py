"""Read a QR code from an image file: the one module importing zxing-cpp (and Pillow)."""

from __future__ import annotations

from pathlib import Path


class QrError(Exception):
    pass


def read(path: str | Path) -> str:
    try:
        import zxingcpp
        from PIL import Image, UnidentifiedImageError
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise QrError(f"reading QR images needs zxing-cpp and Pillow ({exc.name} is missing)") from None
    try:
        with Image.open(path) as image:
            image.load()
            results = zxingcpp.read_barcodes(image.convert("RGB"), formats=zxingcpp.BarcodeFormat.QRCode)
    except FileNotFoundError:
        raise QrError(f"no such file: {path}") from None
    except (UnidentifiedImageError, OSError) as exc:
        raise QrError(f"cannot read {path} as an image: {exc}") from None
    texts = [r.text for r in results if r.valid and r.text]
    if not texts:
        raise QrError(f"no QR code found in {path}")
    return texts[0]
