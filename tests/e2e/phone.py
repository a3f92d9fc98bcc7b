"""The web app on a phone, for the browser tests: a Chromium of its own whose camera is a video file.

Chromium's fake video capture plays a .y4m file (``--use-file-for-fake-video-capture``);
``show_camera(png)`` writes the file from an image (the QR code the computer's
page shows), so the app's camera "sees" the computer's screen. The phone's
pages are checked like the site's (tests/e2e/conftest.py): axe-core at 375 px,
no sideways scrolling, no CSP violation or failed file, and a screenshot.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

from PIL import Image
from playwright.sync_api import expect

from tests.support import a11y

from .conftest import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, _slug

PHONE = {"width": 375, "height": 812}
WIDTH, HEIGHT = 640, 480


def y4m_from_image(image: Image.Image, path: Path, frames: int = 5) -> None:
    """A short YUV 4:2:0 video of ``image`` centred on white (what the camera films)."""
    canvas = Image.new("L", (WIDTH, HEIGHT), 255)
    picture = image.convert("L")
    scale = min((HEIGHT - 40) / picture.height, (WIDTH - 40) / picture.width)
    picture = picture.resize((int(picture.width * scale), int(picture.height * scale)), Image.NEAREST)
    canvas.paste(picture, ((WIDTH - picture.width) // 2, (HEIGHT - picture.height) // 2))
    luma = canvas.tobytes()
    chroma = bytes([128]) * (WIDTH // 2 * HEIGHT // 2)
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + luma + chroma + chroma)


class PhoneBrowser:
    def __init__(self, playwright):
        self.dir = Path(tempfile.mkdtemp(prefix="limen-phone-"))
        self.video = self.dir / "camera.y4m"
        y4m_from_image(Image.new("L", (100, 100), 255), self.video)
        self.browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + [
            "--use-fake-device-for-media-stream", f"--use-file-for-fake-video-capture={self.video}"])

    def show_camera(self, image_path: Path) -> None:
        y4m_from_image(Image.open(image_path), self.video)

    def blank_camera(self) -> None:
        """The camera films a white wall (no QR code), whatever an earlier test showed it."""
        y4m_from_image(Image.new("L", (100, 100), 255), self.video)

    def close(self):
        self.browser.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class Phone:
    """One phone: a browser context at phone size, with touch, holding the web app."""

    def __init__(self, phone_browser: PhoneBrowser, server_url: str, shots: Path, *, camera: bool = True,
                 name: str = "phone"):
        self.server_url, self.shots, self.name = server_url, shots, name
        self.camera = phone_browser
        self.context = phone_browser.browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True,
                                                         locale="en-GB")
        self.context.set_default_timeout(15_000)
        a11y.serve_axe(self.context)
        if camera:
            self.context.grant_permissions(["camera"], origin=server_url)
        self.problems: list[str] = []
        self.page = self.new_page()
        self.checked = 0

    def new_page(self):
        page = self.context.new_page()
        page.on("console", lambda m: self.problems.append(f"console: {m.text}")
                if "Content Security Policy" in m.text or "Refused to" in m.text else None)
        page.on("pageerror", lambda error: self.problems.append(f"JavaScript error: {error}"))
        page.on("response", lambda r: self.problems.append(f"{r.status} for {r.url}")
                if r.status >= 400 and r.request.resource_type in {"stylesheet", "script", "image"} else None)
        return page

    def open(self, fragment: str = "") -> None:
        self.page.goto(f"{self.server_url}/app/{fragment}")
        expect(self.page.locator("h1")).to_be_visible()

    def heading(self, text: str):
        return self.page.get_by_role("heading", name=text, level=1)

    def check(self, name: str) -> None:
        """Accessible (axe-core, WCAG 2.1 AA) at 375 px, nothing off-screen, nothing blocked; a screenshot."""
        page = self.page
        self.checked += 1
        self.shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(self.shots / f"{self.name}-{self.checked:02d}-{_slug(name)}.png"), full_page=True)
        a11y.assert_accessible(page, f"app: {name}")
        overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"app: {name} scrolls sideways by {overflow}px"
        assert not self.problems, f"app: {name}: " + "; ".join(self.problems)

    # -- what a person does in the app ------------------------------------------------------

    def add_account_by_camera(self, qr_png: Path, pin: str) -> None:
        page = self.page
        self.camera.show_camera(qr_png)
        page.get_by_role("button", name="Add an account").click()
        expect(self.heading("Add an account")).to_be_visible()
        page.get_by_role("button", name="Scan the QR code").click()
        self.confirm_and_pin(pin)

    def add_account_by_paste(self, text: str, pin: str, *, expect_other_server: bool = False) -> None:
        page = self.page
        page.get_by_role("button", name="Add an account").click()
        page.get_by_label(re.compile("paste the QR code as text", re.I)).fill(text)
        page.get_by_role("button", name="Continue").click()
        self.confirm_and_pin(pin)

    def confirm_and_pin(self, pin: str) -> None:
        page = self.page
        expect(self.heading("Add this account?")).to_be_visible()
        page.get_by_role("button", name="Add the account").click()
        expect(self.heading("Type your PIN code")).to_be_visible()
        page.get_by_label("The PIN code you chose on the website").fill(pin)
        page.get_by_label("The same PIN code again").fill(pin)
        page.get_by_role("button", name="Authenticate").click()

    def idb_accounts(self) -> int:
        return self.page.evaluate("""() => new Promise((resolve) => {
            const open = indexedDB.open("limen-app", 1);
            open.onupgradeneeded = () => open.result.createObjectStore("accounts", {keyPath: "id"});
            open.onsuccess = () => { const r = open.result.transaction("accounts").objectStore("accounts").count();
                                     r.onsuccess = () => { resolve(r.result); open.result.close(); }; };
        })""")

    def close(self):
        self.context.close()


def screenshots_dir(request) -> Path:
    return SCREENSHOTS / _slug(request.node.name)
