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
4. Floor (`--floor` seconds after each round's refresh run; 0: none): GETs of the discovery document on the
   same server (bench/harness.py), a request with no view work on either, so that each path's cost can be
   read against what the server's stack alone costs.

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
import datetime as dt
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent), str(HERE.parents[1])]  # servers, harness, tests.support
from harness import FLOOR_PATH, cpu_model, floor, median  # noqa: E402
from servers import ADAPTERS, ALGS, BASIC, REDIRECT, VERIFIER, Limen, OidcProvider, Target  # noqa: E402

from tests.support import redis_server  # noqa: E402


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
    parser.add_argument("--trip-duration", type=int, default=0,
                        help="seconds of each round trip run (default: --duration); they are no target")
    parser.add_argument("--floor", type=int, default=3,
                        help="seconds of the floor (the bare stack) on each server after each refresh run; 0: none")
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
    runs = {t.name: {"token": [], "round_trip": [], "refresh": [], "floor": [], "authorize_per_cpu_second": []}
            for t in targets}
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
                trip = round_trip_run(target, pool, seconds=args.trip_duration or args.duration, **load)
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
                if args.floor:
                    runs[target.name]["floor"].append(
                        floor(target.base, lambda: target.cpu()[0], seconds=args.floor, **load))
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
        "settings": {"duration_s": args.duration, "trip_duration_s": args.trip_duration or args.duration,
                     "rounds": args.rounds, "connections": args.connections,
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
            "failed_requests": sum(r["bad"] + r["errors"] for kind in ("token", "round_trip", "refresh", "floor")
                                   for r in data[kind]),
            # The bare stack (None without --floor), and each path's cost per request against it.
            "floor_per_cpu_second": (round(median([r["per_cpu_second"] for r in data["floor"]]))
                                     if data["floor"] else None),
            "floor_per_cpu_second_rounds": [round(r["per_cpu_second"]) for r in data["floor"]],
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
        if s["floor_per_cpu_second"]:
            print(f"{name}: floor (GETs of {FLOOR_PATH}, no view work) {s['floor_per_cpu_second']} per CPU-second "
                  f"(per round {', '.join(map(str, s['floor_per_cpu_second_rounds']))}): ms of CPU per request, "
                  f"bare stack {1000 / s['floor_per_cpu_second']:.2f}, code exchange "
                  f"{1000 / s['token_per_cpu_second']:.2f}, refresh grant {1000 / s['refresh_per_cpu_second']:.2f}")
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
