"""The two OpenID Connect servers of run.py, each started on its own core with the same client and person:
Limen as operators run it, and panva's oidc-provider (in memory, or over a durable Redis). Each can sign
a person in, check one round trip and refresh (the ID token algorithm included), and check that a reused
refresh token is refused."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode, urljoin

import requests

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from harness import cpu_seconds, free_port, interpreter, wait_for  # noqa: E402
BENCH = HERE.parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
from tests.support import redis_server  # noqa: E402
WORK = BENCH / "work" / "oidc"
CLIENT_ID = "bench-client"
CLIENT_SECRET = "bench-client-secret-" + "s" * 40
VERIFIER = "bench-pkce-verifier-" + "v" * 40
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=").decode()
REDIRECT = "http://127.0.0.1:9/callback"  # never contacted: wrk does not follow redirects
BASIC = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
PERSON, PASSWORD = "bench@example.org", "Bench-Password-42"


ALGS = ("RS256", "ES256")
ADAPTERS = ("memory", "redis")
# A production-like durability for oidc-provider's Redis: every write appended to a file that is fsynced
# once a second (a crash loses at most about a second), as Limen's SQLite (WAL, synchronous=NORMAL)
# does not wait for the disk on each commit either. RDB snapshots off: the append-only file is the store.
REDIS_DURABILITY = ("--save", "", "--appendonly", "yes", "--appendfsync", "everysec")


def form_fields(html: str) -> dict:
    return dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html))


def jwt_alg(token: str) -> str:
    """The `alg` of a JWT's header (not verified: the benchmark only checks what the server chose)."""
    header = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))["alg"]


class Target:
    key = name = version = ""
    authorize_path = token_path = ""

    def __init__(self, cores: str, alg: str = "RS256"):
        self.cores = cores
        self.alg = alg  # how the bench client's ID tokens are signed
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.dir = WORK / self.key
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir.mkdir(parents=True)
        self.process: subprocess.Popen | None = None
        self.cookie = ""
        self.keep_output = False  # standard output (Limen's log lines) to output.log, not /dev/null (trees.py)

    def authorize_query(self) -> str:
        return urlencode({"response_type": "code", "client_id": CLIENT_ID, "redirect_uri": REDIRECT,
                          "scope": "openid email profile", "state": "bench-state", "nonce": "bench-nonce",
                          "code_challenge": CHALLENGE, "code_challenge_method": "S256"})

    def start(self) -> None:
        output = open(self.dir / "output.log", "w") if self.keep_output else subprocess.DEVNULL
        self.process = subprocess.Popen(["taskset", "-c", self.cores, *self.command()], env=self.env(),
                                        cwd=ROOT, stdout=output, stderr=open(self.dir / "server.log", "w"))
        wait_for(self.base + "/.well-known/openid-configuration", self.process)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(15)

    def cpu(self) -> tuple[float, float]:
        """CPU seconds so far of the server's processes, and of those its storage (a separate server) adds."""
        return cpu_seconds(self.process.pid), 0.0

    def env(self) -> dict:
        return dict(os.environ)

    def check(self) -> None:
        """One real round trip and one refresh through Python, so a misconfiguration (a wrong ID token
        algorithm included) fails loudly before measuring."""
        session = requests.Session()
        response = session.get(self.base + self.authorize_path + "?" + self.authorize_query(),
                               headers={"Cookie": self.cookie}, allow_redirects=False, timeout=10)
        code = re.search(r"[?&]code=([^&]+)", response.headers.get("Location", ""))
        assert code, f"{self.name}: no code from the authorization endpoint: {response.status_code}"
        token = requests.post(self.base + self.token_path, data={
            "grant_type": "authorization_code", "code": code.group(1), "redirect_uri": REDIRECT,
            "code_verifier": VERIFIER}, headers={"Authorization": BASIC}, timeout=10).json()
        renewed = requests.post(self.base + self.token_path, data={
            "grant_type": "refresh_token", "refresh_token": token.get("refresh_token")},
            headers={"Authorization": BASIC}, timeout=10).json()
        for what, answer in (("code exchange", token), ("refresh", renewed)):
            assert answer.get("id_token") and answer.get("refresh_token"), f"{self.name}, {what}: {answer}"
            alg = jwt_alg(answer["id_token"])
            assert alg == self.alg, f"{self.name}, {what}: a {alg} ID token, {self.alg} expected"
        print(f"   {self.name}: {self.alg} ID tokens in a code exchange and a refresh", file=sys.stderr)
        return token["refresh_token"], renewed["refresh_token"]

    def check_reuse(self, spent: str, successor: str) -> None:
        """Rotation with reuse detection (what a storage adapter must keep right): a spent refresh token
        is refused, and its reuse revokes the one that replaced it."""
        for what, token in (("a reused refresh token", spent), ("the token rotated before the reuse", successor)):
            again = requests.post(self.base + self.token_path, data={
                "grant_type": "refresh_token", "refresh_token": token}, headers={"Authorization": BASIC}, timeout=10)
            assert again.status_code == 400 and again.json().get("error") == "invalid_grant", \
                f"{self.name}: {what} was not refused: {again.status_code} {again.text[:200]}"
        print(f"   {self.name}: a reused refresh token is refused and revokes its successor", file=sys.stderr)


class Limen(Target):
    key, name = "limen", "Limen"
    authorize_path, token_path = "/oidc/authorize", "/oidc/token"
    python = Path(sys.executable)  # the interpreter whose environment's `limen` runs (trees.py --pythons)

    def env(self) -> dict:
        env = {**os.environ, "LIMEN_DATA_DIR": str(self.dir), "LIMEN_DEBUG": "0", "LIMEN_BASE_URL": self.base,
               "LIMEN_LOG_LEVEL": "WARNING", "LIMEN_OIDC_CODE_SECONDS": "600"}
        for name in ("DJANGO_SETTINGS_MODULE", "LIMEN_DATABASE_URL"):
            env.pop(name, None)
        return env

    def limen(self, *args: str) -> str:
        done = subprocess.run([str(self.python.with_name("limen")), *args], env=self.env(), cwd=ROOT,
                              capture_output=True, text=True)
        if done.returncode:  # say why (an ES256 client on a tree without the setting, say)
            raise RuntimeError(f"limen {args[0]} failed:\n{done.stderr[-2000:]}")
        return done.stdout

    def prepare(self) -> None:
        # The default algorithm is not named, so that trees.py can still run trees older than the setting.
        alg = "" if self.alg == "RS256" else f", id_token_alg={self.alg!r}"
        self.limen("migrate", "--verbosity", "0")
        self.limen("createcachetable")
        self.limen("shell", "-c", f"""
from limen.accounts.models import User
from limen.oidc import clients
User.objects.create_user({PERSON!r}, {PASSWORD!r}, first_name="Ada", last_name="Lovelace", email_verified=True)
clients.register(name="Bench", client_id={CLIENT_ID!r}, secret={CLIENT_SECRET!r}, redirect_uris=[{REDIRECT!r}]{alg})
""")
        from importlib.metadata import version

        self.version = (f"limen {version('limen')}, Django {version('django')}, django-oauth-toolkit "
                        f"{version('django-oauth-toolkit')}, limen serve 1 worker 1 thread, SQLite, "
                        f"{interpreter(self.python)}")

    def command(self) -> list[str]:
        return [str(self.python.with_name("limen")), "serve", "--bind", f"127.0.0.1:{self.port}",
                "--workers", "1", "--threads", "1"]

    def sign_in(self) -> None:
        session = requests.Session()
        for path, data in (("/login/", {"email": PERSON}), ("/login/password/", {"password": PASSWORD})):
            page = session.get(self.base + path, timeout=10)
            session.post(self.base + path, data={**form_fields(page.text), **data}, allow_redirects=False,
                         timeout=10, headers={"Referer": self.base + path})
        self.cookie = "; ".join(f"{k}={v}" for k, v in session.cookies.get_dict().items())
        assert "limen_sso" in self.cookie, "could not sign in to Limen"


class OidcProvider(Target):
    key, name = "oidc-provider", "oidc-provider (Node.js)"
    authorize_path, token_path = "/auth", "/token"

    def __init__(self, cores: str, alg: str = "RS256", adapter: str = "memory"):
        self.adapter = adapter
        if adapter == "redis":  # the in-memory peer keeps its name: bench/all.py and older results use it
            self.key, self.name = "oidc-provider-redis", "oidc-provider (Node.js) + Redis"
        super().__init__(cores, alg)
        self.redis: redis_server.RedisServer | None = None

    def prepare(self) -> None:
        for module in ("oidc-provider", "ioredis"):
            if not (BENCH / "node_modules" / module / "package.json").exists():
                subprocess.run(["npm", "--prefix", str(BENCH), "ci", "--no-audit", "--no-fund"], check=True)
        node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=True).stdout.strip()
        package = json.loads((BENCH / "node_modules" / "oidc-provider" / "package.json").read_text())
        self.version = f"oidc-provider {package['version']}, Node.js {node}, {self.adapter} adapter"
        if self.adapter == "redis":
            ioredis = json.loads((BENCH / "node_modules" / "ioredis" / "package.json").read_text())["version"]
            server = subprocess.run([redis_server.binary(), "--version"], capture_output=True, text=True,
                                    check=True).stdout.split()[2].removeprefix("v=")
            self.version += f" (ioredis {ioredis}, redis-server {server}, appendonly yes, appendfsync everysec)"

    def start(self) -> None:
        if self.adapter == "redis":
            self.redis = redis_server.RedisServer(persistence=REDIS_DURABILITY).start()
            # On the server's core, every thread (the fsync one included): Node and Redis share one core.
            subprocess.run(["taskset", "-a", "-p", "-c", self.cores, str(self.redis.process.pid)],
                           check=True, stdout=subprocess.DEVNULL)
            settings = {**self.redis.client().config_get("appendonly"), **self.redis.client().config_get("appendfsync")}
            assert settings == {"appendonly": "yes", "appendfsync": "everysec"}, settings
        super().start()

    def stop(self) -> None:
        super().stop()
        if self.redis is not None:
            self.redis.stop()

    def cpu(self) -> tuple[float, float]:
        store = cpu_seconds(self.redis.process.pid, exited_children=True) if self.redis else 0.0
        return cpu_seconds(self.process.pid) + store, store

    def command(self) -> list[str]:
        command = ["node", str(HERE / "provider.mjs"), str(self.port), CLIENT_ID, CLIENT_SECRET, REDIRECT, self.alg]
        return command + (["--adapter", "redis", self.redis.url] if self.redis else [])

    def sign_in(self) -> None:
        """Through oidc-provider's development interactions: log in, then consent once."""
        session = requests.Session()
        url = self.base + self.authorize_path + "?" + self.authorize_query()
        for _ in range(10):
            response = session.get(url, allow_redirects=False, timeout=10)
            if response.status_code == 200:
                action = re.search(r'<form[^>]*action="([^"]+)"', response.text).group(1)
                fields = {**form_fields(response.text), "login": "ada", "password": "any"}
                response = session.post(urljoin(url, action), data=fields, allow_redirects=False, timeout=10)
            location = urljoin(url, response.headers["Location"])
            if location.startswith(REDIRECT):
                break
            url = location
        self.cookie = "; ".join(f"{k}={v}" for k, v in session.cookies.get_dict().items())
