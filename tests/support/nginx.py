"""A real nginx in front of several Limen instances: round-robin, no stickiness, as a load balancer.

    with Nginx([server_a.port, server_b.port]) as balancer:
        balancer.url            # http://localhost:<port>

A failed upstream (connection refused, a killed instance) is retried on the
next one, as load balancers do; X-Forwarded-For and X-Request-ID are passed on.
Debian: ``apt-get install nginx`` (.ci/run installs it).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from .ports import free_port

CONFIG = """
daemon off;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
{user}
events {{ worker_connections 1024; }}
http {{
    access_log {dir}/access.log;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    upstream limen {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://limen;
            proxy_http_version 1.1;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Request-ID $request_id;
            proxy_next_upstream error timeout http_502 non_idempotent;
            proxy_connect_timeout 2s;
            proxy_read_timeout 60s;
        }}
    }}
}}
"""


def binary() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)


class Nginx:
    def __init__(self, upstream_ports: list[int]):
        self.port = free_port()
        self.url = f"http://localhost:{self.port}"
        self.upstream_ports = upstream_ports
        self.directory = Path(tempfile.mkdtemp(prefix="limen-nginx-"))
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 20) -> "Nginx":
        nginx = binary()
        if nginx is None:
            pytest.skip("nginx is not installed (Debian: apt-get install nginx)")
        servers = "\n".join(f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=2s;"
                            for port in self.upstream_ports)
        # As root, nginx would switch its worker to "nobody", who cannot write this directory.
        user = "user root;" if os.geteuid() == 0 else ""
        config = self.directory / "nginx.conf"
        config.write_text(CONFIG.format(dir=self.directory, port=self.port, servers=servers, user=user))
        self.process = subprocess.Popen([nginx, "-p", str(self.directory), "-c", str(config)],
                                        stdout=subprocess.DEVNULL, stderr=open(self.directory / "stderr", "w"),
                                        stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health-of-nginx", timeout=2)
            except urllib.error.HTTPError:
                return self  # nginx answers (whatever the upstream said)
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not start:\n{(self.directory / 'stderr').read_text()}"
                                   f"{(self.directory / 'error.log').read_text() if (self.directory / 'error.log').exists() else ''}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None
        shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> "Nginx":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
