"""docs/architecture.md's promise: a new method is its own package plus one line of SIGNIN_METHODS.

The example package (tests/support/example_method) is run in a fresh process whose settings differ
from the test settings by that one line; it gets its page, is offered after the password, signs a
person in through the real pages, and every derived table (levels, amr, CAS strengths) knows it.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r'''
import json
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("createcachetable", verbosity=0)
from django.test import Client
from limen.accounts.models import User
from limen.signin import levels
from limen.oidc import claims

User.objects.create_user("ada@paper.example", "Correct-Horse-42", first_name="Ada", email_verified=True)
User.objects.create_user("bob@example.org", "Correct-Horse-42", first_name="Bob", email_verified=True)
client = Client(HTTP_HOST="localhost:8000")
client.post("/login/", {"email": "bob@example.org"})
offered_to_bob = "Paper code" in client.get("/login/password/").content.decode()
client = Client(HTTP_HOST="localhost:8000")
client.post("/login/", {"email": "ada@paper.example"})
page = client.get("/login/password/").content.decode()
chosen = client.post("/login/password/", {"password": "Correct-Horse-42", "method": "paper_code"})
challenge = client.get(chosen["Location"])
wrong = client.post(chosen["Location"], {"code": "000-000"})
right = client.post(chosen["Location"], {"code": "314-159"})
print(json.dumps({
    "offered": "Paper code" in page, "offered_to_bob": offered_to_bob, "page_url": chosen["Location"],
    "challenge_status": challenge.status_code, "challenge_heading": "Type the code on your paper" in challenge.content.decode(),
    "wrong_status": wrong.status_code, "wrong_error": "This is not the code on your paper." in wrong.content.decode(),
    "right_status": right.status_code, "right_to": right.get("Location"),
    "strengths": client.session["limen.sso"]["strengths"], "level": client.session["limen.sso"]["level"],
    "acr": claims.acr_for(["PASSWORD_PAPER_CODE"]), "amr": claims.amr_for(["PASSWORD_PAPER_CODE"]),
    "cas_accepts": levels.parse_strengths("PASSWORD_PAPER_CODE"),
}))
'''


def test_a_method_in_its_own_package_plus_one_line_signs_a_person_in(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.support.example_method.settings",
           "LIMEN_DATA_DIR": str(tmp_path), "PYTHONPATH": f"{ROOT}:{ROOT / 'src'}"}
    env.pop("LIMEN_DATABASE_URL", None)
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["offered"] and not seen["offered_to_bob"]
    assert seen["page_url"] == "/login/paper-code/"
    assert seen["challenge_status"] == 200 and seen["challenge_heading"]
    assert seen["wrong_status"] == 400 and seen["wrong_error"]
    assert seen["right_status"] == 302 and seen["right_to"] == "/account/"
    assert seen["strengths"] == ["PASSWORD_PAPER_CODE"] and seen["level"] == 20
    assert seen["acr"] == "MEDIUM" and seen["amr"] == ["pwd", "otp", "mfa"]
    assert seen["cas_accepts"] == ["PASSWORD_PAPER_CODE"]
