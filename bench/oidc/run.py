"""OpenID Connect: token endpoint requests per second per core, full authorization code round trips, and
refresh grants, Limen beside panva's oidc-provider (Node.js), in one run.

Both servers get one CPU core (taskset): Limen as operators run it (`limen serve`, gunicorn, one sync
worker, SQLite), oidc-provider as one Node.js process with in-memory storage. wrk, pinned to another
core, drives them over loopback. The same client does the same thing on both: confidential,
client_secret_basic, PKCE S256, scope "openid email profile", RS256 ID tokens, a refresh token with
every code exchange. `--alg ES256` makes both servers sign that client's ID tokens with ES256 (P-256)
instead: Limen's client registered with id_token_alg="ES256", oidc-provider given an EC P-256 key beside
its RSA key and the client's id_token_signed_response_alg "ES256". RS256 stays the default, and the one
the targets of issue 15 are defined with.

1. Token endpoint: codes are first collected from each server's own authorization endpoint (a person
   already signed in), then every token request exchanges a different code.
2. Round trip: what a signed-in person's browser and the application do together, one after the
   other: GET the authorization endpoint, take the code from the redirect, POST it to the token
   endpoint. One round trip = both requests, counted when the token response has an ID token.
3. Refresh grant: every request spends a different, unused refresh token (grant_type=refresh_token).
   Both servers rotate refresh tokens on every use (single use; a reused one revokes what it belongs
   to). The tokens come from the code exchanges and round trips of the same round and from the
   previous refresh run's answers, so collecting them costs no extra time (if they would not last,
   the run is shorter, down to half its duration, as it may be in the first round; below that, more
   code exchanges top them up). A request counts only if the answer holds an access token and a
   refresh token not seen before.

`--peer-adapter redis` runs oidc-provider as it runs in production instead of with its in-memory storage
(for development only, its documentation says): over Redis (redis_adapter.mjs, ioredis), a real
redis-server started here with an append-only file fsynced every second (appendonly yes, appendfsync
everysec, no RDB snapshots), pinned to the server's core. Its CPU (all its threads, and forks that exited)
counts with Node's, as Limen's SQLite writes count in Limen's. `--peer-adapter memory redis` measures
both peers in the same alternating rounds. Limen is measured as it is in every case.

Usage (from the repository root):

    npm --prefix bench ci                    # oidc-provider and ioredis, into bench/node_modules (not committed)
    .venv/bin/python bench/oidc/run.py [--duration 20] [--rounds 3] [--alg RS256|ES256]
        [--peer-adapter memory|redis [memory|redis]] [--json bench/oidc/results.json]

Needs wrk, taskset (apt-get install wrk util-linux), Node.js 20 or later, and redis-server 7 or later for
--peer-adapter redis (apt-get install redis-server).
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlencode, urljoin

import requests

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from harness import cpu_model, cpu_seconds, free_port, median, wait_for  # noqa: E402
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

    def authorize_query(self) -> str:
        return urlencode({"response_type": "code", "client_id": CLIENT_ID, "redirect_uri": REDIRECT,
                          "scope": "openid email profile", "state": "bench-state", "nonce": "bench-nonce",
                          "code_challenge": CHALLENGE, "code_challenge_method": "S256"})

    def start(self) -> None:
        self.process = subprocess.Popen(["taskset", "-c", self.cores, *self.command()], env=self.env(),
                                        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=open(self.dir / "server.log", "w"))
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

    def env(self) -> dict:
        env = {**os.environ, "LIMEN_DATA_DIR": str(self.dir), "LIMEN_DEBUG": "0", "LIMEN_BASE_URL": self.base,
               "LIMEN_LOG_LEVEL": "WARNING", "LIMEN_OIDC_CODE_SECONDS": "600"}
        for name in ("DJANGO_SETTINGS_MODULE", "LIMEN_DATABASE_URL"):
            env.pop(name, None)
        return env

    def limen(self, *args: str) -> str:
        done = subprocess.run([str(Path(sys.executable).with_name("limen")), *args], env=self.env(), cwd=ROOT,
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
                        f"{version('django-oauth-toolkit')}, limen serve 1 worker 1 thread, SQLite")

    def command(self) -> list[str]:
        return [str(Path(sys.executable).with_name("limen")), "serve", "--bind", f"127.0.0.1:{self.port}",
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


def wrk(target: Target, script: str, args: list[str], *, seconds: float, connections: int, cores: str) -> dict:
    before, store_before = target.cpu()
    out = subprocess.run(
        ["taskset", "-c", cores, "wrk", "-t", "1", "-c", str(connections), "-d", f"{max(1, round(seconds))}s",
         "--timeout", "10s", "-s", str(HERE / script), target.base, "--", *args],
        capture_output=True, text=True, check=True).stdout
    match = re.search(r"RESULT (.*)", out)
    if not match:
        raise RuntimeError(out)
    values = {k: int(v) for k, v in (item.split("=") for item in match.group(1).split())}
    values["per_second"] = values["ok"] / (values["duration_us"] / 1e6)
    after, store_after = target.cpu()
    values["server_cpu_s"] = after - before  # the storage server's included
    values["store_cpu_s"] = store_after - store_before
    values["per_cpu_second"] = values["ok"] / values["server_cpu_s"] if values["server_cpu_s"] else 0.0
    values["load_average"] = os.getloadavg()[0]
    return values


def harvest(target: Target, name: str, *, need: int, connections: int, cores: str, limit: float = 300,
            seconds: float = 10.0) -> tuple[Path, float]:
    """Collect at least ``need`` codes from the authorization endpoint, in runs of up to 10 seconds (the
    first one ``seconds``)."""
    prefix = target.dir / f"{name}-"
    for old in target.dir.glob(f"{name}-*.txt"):
        old.unlink()
    got, spent, started = 0, 0.0, time.monotonic()
    while got < need and time.monotonic() - started < limit:
        result = wrk(target, "harvest.lua", [target.authorize_path + "?" + target.authorize_query(), target.cookie,
                                             str(prefix)], seconds=seconds, connections=connections, cores=cores)
        got += result["ok"]
        spent += result["server_cpu_s"]
        # The next run only as long as the codes still missing take at this pace (and a fifth more).
        seconds = min(10.0, max(2.0, 1.2 * (need - got) / max(result["per_second"], 1.0)))
    merged = target.dir / f"{name}.txt"
    with open(merged, "w") as out:
        for part in sorted(target.dir.glob(f"{name}-*.txt")):
            out.write(part.read_text())
    rate = got / spent if spent else 0.0
    print(f"   {target.name}: {got} codes collected ({rate:.0f} authorization requests per CPU-second)",
          file=sys.stderr)
    return merged, rate


def _collected(prefix: Path) -> list[str]:
    """The refresh tokens a wrk script wrote to <prefix><thread>.txt (the files are removed)."""
    tokens = []
    for part in sorted(prefix.parent.glob(prefix.name + "*.txt")):
        tokens += part.read_text().split()
        part.unlink()
    return tokens


def token_run(target: Target, codes: Path, pool: list[str] | None = None, **kw) -> dict:
    """Exchange the codes; the refresh tokens of the answers go into ``pool`` (for refresh_run)."""
    prefix = target.dir / "refresh-from-token-"
    _collected(prefix)
    result = wrk(target, "token.lua", [str(codes), target.token_path, quote(REDIRECT, safe=""), VERIFIER, BASIC,
                                       "1", str(prefix)], **kw)
    if pool is not None:
        pool += _collected(prefix)
    return result


def round_trip_run(target: Target, pool: list[str] | None = None, **kw) -> dict:
    prefix = target.dir / "refresh-from-trip-"
    _collected(prefix)
    result = wrk(target, "roundtrip.lua", [target.authorize_path + "?" + target.authorize_query(), target.cookie,
                                           target.token_path, quote(REDIRECT, safe=""), VERIFIER, BASIC, str(prefix)],
                 **kw)
    if pool is not None:
        pool += _collected(prefix)
    return result


def refresh_run(target: Target, pool: list[str], **kw) -> dict:
    """Spend refresh tokens from ``pool``, each once (one wrk thread, in order); afterwards ``pool`` holds
    those not sent and the new ones the answers carried, all unused."""
    tokens, prefix = target.dir / "refresh-tokens.txt", target.dir / "refresh-from-refresh-"
    tokens.write_text("".join(t + "\n" for t in pool))
    _collected(prefix)
    result = wrk(target, "refresh.lua", [str(tokens), target.token_path, BASIC, str(prefix)], **kw)
    pool[:] = pool[result["sent"]:] + _collected(prefix)
    return result


def refill(target: Target, pool: list[str], need: int, name: str, *, authorize_rate: float, token_rate: float,
           **load) -> None:
    """Top ``pool`` up to ``need`` refresh tokens with code exchanges (not measured); the rates (per
    second) size the runs."""
    while len(pool) < need:
        print(f"   {target.name}: {len(pool)} refresh tokens, {need} wanted: more code exchanges", file=sys.stderr)
        missing = need - len(pool)
        # A tenth more codes than missing, and time to spend them all: a second pass costs more than that.
        codes, _ = harvest(target, name, need=int(1.1 * missing) + 50,
                           seconds=min(10.0, max(2.0, 1.3 * missing / authorize_rate)), **load)
        before = len(pool)
        token_run(target, codes, pool, seconds=max(2.0, 1.5 * missing / token_rate), **load)
        if len(pool) == before:
            raise RuntimeError(f"{target.name}: code exchanges give no refresh token")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=20, help="seconds of measured load per server and run")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; the servers take turns in each")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--server-core", default="0")
    parser.add_argument("--load-core", default="1")
    parser.add_argument("--alg", choices=ALGS, default="RS256",
                        help="how both servers sign the client's ID tokens (default RS256)")
    parser.add_argument("--peer-adapter", nargs="+", choices=ADAPTERS, default=["memory"],
                        help="oidc-provider's storage: memory (default, development only), redis (a durable "
                             "redis-server, its CPU counted); both: each peer in the same rounds")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    for tool in ("wrk", "taskset", "node"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is needed (apt-get install wrk util-linux nodejs)")
    if "redis" in args.peer_adapter and redis_server.binary() is None:
        sys.exit("redis-server is needed for --peer-adapter redis (apt-get install redis-server)")
    adapters = list(dict.fromkeys(args.peer_adapter))
    targets = [Limen(args.server_core, args.alg), *(OidcProvider(args.server_core, args.alg, a) for a in adapters)]
    runs = {t.name: {"token": [], "round_trip": [], "refresh": [], "authorize_per_cpu_second": []} for t in targets}
    load = {"connections": args.connections, "cores": args.load_core}
    load_before = os.getloadavg()
    pools: dict[str, list[str]] = {t.name: [] for t in targets}  # unused refresh tokens, per server
    try:
        need, refresh_rate = {}, {}
        for target in targets:
            print(f"== {target.name}: preparing ({args.alg} ID tokens)", file=sys.stderr)
            target.prepare()
            target.start()
            target.sign_in()
            target.check_reuse(*target.check())
            target.sign_in()  # anew: oidc-provider's reuse detection revoked the grant the session had
            target.check()
            # Warm-up, and how many codes a token run needs; its refresh tokens warm the refresh grant up.
            warm = round_trip_run(target, pools[target.name], seconds=5, **load)
            refresh_run(target, pools[target.name], seconds=2, **load)
            # A token exchange costs less than a round trip: collect four times the round-trip rate.
            need[target.name] = int(4 * warm["per_second"] * args.duration) + 200
        for round_ in range(args.rounds):
            for target in targets if round_ % 2 == 0 else list(reversed(targets)):
                print(f"== round {round_ + 1}: {target.name} ({args.alg})", file=sys.stderr)
                codes, authorize_rate = harvest(target, f"codes{round_}", need=need[target.name], **load)
                pool = pools[target.name]
                token = token_run(target, codes, pool, seconds=args.duration, **load)
                runs[target.name]["authorize_per_cpu_second"].append(authorize_rate)
                if token["ran_out"]:
                    print(f"   {target.name}: ran out of codes (its wall-clock token rate this round is low)",
                          file=sys.stderr)
                # Never run short of codes again: half more than this round's token rate needs (the rate
                # moves with the machine's load from one round to the next).
                need[target.name] = max(need[target.name], int(1.5 * token["per_second"] * args.duration) + 200)
                trip = round_trip_run(target, pool, seconds=args.duration, **load)
                # Refresh tokens from this round's exchanges and round trips and the last refresh run's
                # answers, all unused (a refresh run gives back as many as it spends): they must last the
                # run at a third more than the refresh grant's last pace (first round: 1.5 times the code
                # exchange's). If they would not, the run is shorter (the first round: no time spent on
                # collecting more), down to half the duration; below that, more code exchanges first.
                pace = refresh_rate.get(target.name, 1.5 * token["per_second"])
                refill(target, pool, int(1.35 * pace * args.duration / 2) + 200, f"refill{round_}",
                       authorize_rate=max(1.6 * trip["per_second"], 1.0), token_rate=max(token["per_second"], 1.0),
                       **load)
                seconds = min(args.duration, max(args.duration / 2, (len(pool) - 200) / (1.35 * pace)))
                refresh = refresh_run(target, pool, seconds=seconds, **load)
                if refresh["ran_out"]:
                    print(f"   {target.name}: ran out of refresh tokens (its wall-clock rate this round is low)",
                          file=sys.stderr)
                refresh_rate[target.name] = max(refresh_rate.get(target.name, 0.0), refresh["per_second"])
                runs[target.name]["token"].append(token)
                runs[target.name]["round_trip"].append(trip)
                runs[target.name]["refresh"].append(refresh)
                print(f"   token endpoint {token['per_cpu_second']:.0f} per CPU-second ({token['per_second']:.0f}/s, "
                      f"bad {token['bad']}), round trips {trip['per_cpu_second']:.0f} per CPU-second "
                      f"({trip['per_second']:.0f}/s, bad {trip['bad']}), refresh grants "
                      f"{refresh['per_cpu_second']:.0f} per CPU-second ({refresh['per_second']:.0f}/s, "
                      f"bad {refresh['bad']}; load average {refresh['load_average']:.1f})", file=sys.stderr)
    finally:
        for target in targets:
            target.stop()
    summary = {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
                   f"{platform.python_version()}",
        "cpu": cpu_model(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "settings": {"duration_s": args.duration, "rounds": args.rounds, "connections": args.connections,
                     "server_core": args.server_core, "load_core": args.load_core, "id_token_alg": args.alg,
                     "peer_adapters": adapters},
        "servers": {},
    }
    for target in targets:
        data = runs[target.name]
        summary["servers"][target.name] = {
            "version": target.version,
            "id_token_alg": target.alg,
            "token_per_cpu_second": round(median([r["per_cpu_second"] for r in data["token"]])),
            "round_trips_per_cpu_second": round(median([r["per_cpu_second"] for r in data["round_trip"]])),
            "token_per_second_per_core": round(median([r["per_second"] for r in data["token"]])),
            "token_p50_ms": round(median([r["p50_us"] for r in data["token"]]) / 1000, 2),
            "token_p99_ms": round(median([r["p99_us"] for r in data["token"]]) / 1000, 2),
            "round_trips_per_second_per_core": round(median([r["per_second"] for r in data["round_trip"]])),
            "authorize_per_cpu_second": round(median(data["authorize_per_cpu_second"])),
            "refresh_per_cpu_second": round(median([r["per_cpu_second"] for r in data["refresh"]])),
            "refresh_per_cpu_second_rounds": [round(r["per_cpu_second"]) for r in data["refresh"]],
            "refresh_per_second_per_core": round(median([r["per_second"] for r in data["refresh"]])),
            "refresh_p50_ms": round(median([r["p50_us"] for r in data["refresh"]]) / 1000, 2),
            "refresh_p99_ms": round(median([r["p99_us"] for r in data["refresh"]]) / 1000, 2),
            "failed_requests": sum(r["bad"] + r["errors"] for kind in ("token", "round_trip", "refresh")
                                   for r in data[kind]),
            # The storage server's part of the CPU counted (0 where storage is in the server's own process).
            "store_cpu_share": {kind: round(median([r["store_cpu_s"] / r["server_cpu_s"] for r in data[kind]
                                                    if r["server_cpu_s"]]), 3) for kind in ("token", "refresh")},
            "runs": data,
        }
    # Limen / each peer, round by round. The top-level ratios are against the first peer (bench/all.py reads them).
    summary["ratios"] = {}
    for peer_target in targets[1:]:
        ratios = summary["ratios"][peer_target.name] = {}
        for key in ("refresh", "token", "round_trip"):
            limen, peer = runs[targets[0].name][key], runs[peer_target.name][key]
            per_round = [a["per_cpu_second"] / b["per_cpu_second"] for a, b in zip(limen, peer) if b["per_cpu_second"]]
            ratios[key] = round(median(per_round), 3) if per_round else None
            ratios[f"{key}_per_round"] = [round(x, 3) for x in per_round]
    for key in ("refresh", "token", "round_trip"):
        summary[f"{key}_ratio"] = summary["ratios"][targets[1].name][key]
        summary[f"{key}_ratio_per_round"] = summary["ratios"][targets[1].name][f"{key}_per_round"]
    print(json.dumps({k: v for k, v in summary.items() if k != "servers"}, indent=2))
    print(f"ID tokens: {args.alg} on both servers")
    print("| server | token requests per CPU-second | round trips per CPU-second | token req/s (wall clock, "
          "one core) | token p50 / p99 (ms) | round trips/s (wall clock) |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, s in summary["servers"].items():
        print(f"| {name} ({s['version']}) | {s['token_per_cpu_second']} | {s['round_trips_per_cpu_second']} | "
              f"{s['token_per_second_per_core']} | {s['token_p50_ms']} / {s['token_p99_ms']} | "
              f"{s['round_trips_per_second_per_core']} |")
    print("\n| server | refresh grants per CPU-second (median) | per round | refresh grants/s (wall clock, one core) "
          "| p50 / p99 (ms) |")
    print("|---|---:|---|---:|---:|")
    for name, s in summary["servers"].items():
        print(f"| {name} | {s['refresh_per_cpu_second']} | {', '.join(map(str, s['refresh_per_cpu_second_rounds']))} "
              f"| {s['refresh_per_second_per_core']} | {s['refresh_p50_ms']} / {s['refresh_p99_ms']} |")
    print()
    for name, s in summary["servers"].items():
        if any(s["store_cpu_share"].values()):
            print(f"{name}: Redis's share of the CPU counted, code exchanges {s['store_cpu_share']['token']:.0%}, "
                  f"refresh grants {s['store_cpu_share']['refresh']:.0%} (median)")
    for peer, ratios in summary["ratios"].items():
        for key, what in (("token", "code exchanges"), ("round_trip", "round trips"), ("refresh", "refresh grants")):
            rounds = ", ".join(map(str, ratios[f"{key}_per_round"]))
            print(f"Limen / {peer} ({args.alg} ID tokens), {what} per CPU-second: {ratios[key]} "
                  f"(median; per round {rounds})")
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2) + "\n")


if __name__ == "__main__":
    main()
