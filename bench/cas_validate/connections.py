"""CPU and wall time per /cas/p3/serviceValidate, in process, with and without persistent SQLite connections.

Run after bench/cas_validate/run.py (it reuses the Limen database that run seeded):

    LIMEN_DATA_DIR=bench/work/limen .venv/bin/python bench/cas_validate/connections.py
"""

import os
import subprocess
import sys

CODE = r'''
import io, os, time
os.environ["DJANGO_SETTINGS_MODULE"] = "limen.settings"
import django
django.setup()
from django.db import connections
connections["default"].settings_dict["CONN_MAX_AGE"] = int(os.environ["AGE"])
from django.core.handlers.wsgi import WSGIHandler
from urllib.parse import urlencode
from limen.cas.models import ServiceTicket
handler = WSGIHandler()
tickets = list(ServiceTicket.objects.filter(consumed__isnull=True).values_list("ticket", "service_url")[:1300])
assert len(tickets) == 1300, "seed first: bench/cas_validate/run.py"
def call(ticket, service):
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/cas/p3/serviceValidate",
               "QUERY_STRING": urlencode({"ticket": ticket, "service": service}), "SERVER_NAME": "127.0.0.1",
               "SERVER_PORT": "8000", "HTTP_HOST": "127.0.0.1", "wsgi.input": io.BytesIO(b""),
               "wsgi.url_scheme": "http", "REMOTE_ADDR": "127.0.0.1"}
    assert b"authenticationSuccess" in b"".join(handler(environ, lambda status, headers: None))
for ticket, service in tickets[:300]:
    call(ticket, service)
cpu, wall = time.process_time(), time.perf_counter()
for ticket, service in tickets[300:]:
    call(ticket, service)
print(f"CONN_MAX_AGE={os.environ['AGE']:>3}: {time.process_time() - cpu:.2f} ms CPU, "
      f"{time.perf_counter() - wall:.2f} ms wall per validation (1000 validations)")
'''

for age in ("0", "600"):
    env = {**os.environ, "AGE": age, "LIMEN_DEBUG": "0", "LIMEN_LOG_LEVEL": "WARNING"}
    subprocess.run([sys.executable, "-c", CODE], env=env, check=True)
