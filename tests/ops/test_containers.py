"""The container files: Containerfile, compose.yaml, deploy/nginx.conf.

These checks read the files (PyYAML for compose.yaml) and, where a compose implementation is
installed (docker-compose, podman-compose), have it validate compose.yaml too. Building the
image and running the stack needs a container engine: docs/operations.md#containers says how
that was verified.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CONTAINERFILE = (ROOT / "Containerfile").read_text()
NGINX = (ROOT / "deploy" / "nginx.conf").read_text()


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of a Containerfile, continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n\s*", " ", text)
    found = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            found.append((word.upper(), rest.strip()))
    return found


def stages(steps) -> list[tuple[str, str | None, list[tuple[str, str]]]]:
    """(base, name, instructions) of each stage, in order."""
    found = []
    for word, rest in steps:
        if word == "FROM":
            parts = rest.split()
            name = parts[2] if len(parts) == 3 and parts[1].upper() == "AS" else None
            found.append((parts[0], name, []))
        elif found:
            found[-1][2].append((word, rest))
    return found


def test_containerfile_is_multi_stage_and_runs_limen_unprivileged():
    found = stages(instructions(CONTAINERFILE))
    by_name = {name: (base, steps) for base, name, steps in found}
    last_base, last_name, last_steps = found[-1]
    assert (last_base, last_name, last_steps) == ("runtime", None, []), "the default target is the runtime stage"
    steps = by_name["runtime"][1]
    runtime = dict(steps)
    assert "build" in by_name
    # Nothing of the build (compilers, pip caches, sources) in the runtime stage: only the venv.
    assert [rest for word, rest in steps if word == "COPY"] == ["--from=build /opt/limen /opt/limen"]
    assert runtime["USER"].split(":")[0] not in {"root", "0"}
    assert json.loads(runtime["ENTRYPOINT"]) == ["limen"]
    assert json.loads(runtime["CMD"]) == ["serve"]
    assert set(json.loads(runtime["VOLUME"])) == {"/var/lib/limen", "/tmp"}
    assert "/health/live" in runtime["HEALTHCHECK"]
    assert "LIMEN_DATA_DIR=/var/lib/limen" in runtime["ENV"]


def test_compose_runs_two_instances_behind_nginx_with_postgres_and_redis(compose):
    services = compose["services"]
    assert {"postgres", "redis", "migrate", "limen1", "limen2", "nginx"} <= set(services)
    for name in ("limen1", "limen2"):
        service = services[name]
        assert service["read_only"] is True and "/tmp" in service["tmpfs"]
        assert service["environment"]["LIMEN_INSTANCE"] == name
        assert service["environment"]["LIMEN_DATABASE_URL"].startswith("postgres://")
        assert service["environment"]["LIMEN_REDIS_URL"].startswith("redis://")
        assert service["environment"]["LIMEN_TRUSTED_PROXIES"] == "1"
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert "/health/live" in " ".join(service["healthcheck"]["test"])
        assert "command" not in service  # the image's `limen serve`
    assert services["migrate"]["command"][0] == "migrate"
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "./deploy/nginx.conf:/etc/nginx/nginx.conf:ro" in services["nginx"]["volumes"]


def test_the_demo_applications_are_a_profile(compose):
    services = compose["services"]
    demo = {name for name, service in services.items() if "demo" in service.get("profiles", [])}
    assert demo == {"demo-setup", "portal"}
    assert services["portal"]["build"]["target"] == "demo"
    assert all("profiles" not in services[name] for name in ("limen1", "limen2", "nginx", "postgres", "redis"))


def test_nginx_balances_both_instances_and_passes_the_request_id():
    upstream = re.search(r"upstream limen \{(.*?)\}", NGINX, re.S).group(1)
    assert re.findall(r"server (limen\d):8000", upstream) == ["limen1", "limen2"]
    assert not re.search(r"\b(ip_hash|hash|least_conn)\b", upstream)  # round-robin
    assert "proxy_set_header X-Request-ID $request_id;" in NGINX
    # One trusted hop: the client's own X-Forwarded-For is replaced, not extended.
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in NGINX
    assert re.search(r"location = /metrics \{\s*return 404;", NGINX)


def _compose_tools():
    tools = []
    if shutil.which("docker-compose"):
        tools.append(["docker-compose", "-f", "compose.yaml", "--profile", "demo", "config", "--quiet"])
    if shutil.which("podman-compose"):
        tools.append(["podman-compose", "-f", "compose.yaml", "--profile", "demo", "config"])
    return tools


@pytest.mark.skipif(not _compose_tools(), reason="no compose implementation installed (docker-compose, podman-compose)")
def test_a_compose_implementation_accepts_the_file():
    for command in _compose_tools():
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, (command, result.stdout[-2000:], result.stderr[-2000:])
