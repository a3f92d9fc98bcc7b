"""Require access validation for an application, and manage its validators, API tokens and accesses.

    limen access_policy set "cas:Pension Fund" --level MEDIUM --fields @fields.json \\
        [--intro TEXT] [--acknowledgement TEXT] [--slug pension-fund] [--enable | --disable]
    limen access_policy list [--json]
    limen access_policy show APP
    limen access_policy remove APP
    limen access_policy validator-add APP EMAIL      (an operator account)
    limen access_policy validator-remove APP EMAIL
    limen access_policy token-add APP --name "HR system"   (the token is printed once)
    limen access_policy token-list APP
    limen access_policy token-revoke APP TOKEN_ID
    limen access_policy requests APP [--status pending]
    limen access_policy resend-code APP EMAIL
    limen access_policy revoke APP EMAIL --reason TEXT

APP is cas:<service name>, oidc:<client id> or a name only one application has.
--fields is a JSON list (inline, or @file); `show` prints it back. docs/access-requests.md.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from limen.access import applications, decisions, policies, tokens
from limen.access.errors import AccessError
from limen.access.models import AccessPolicy, AccessRequest, Status
from limen.accounts.models import User
from limen.signin.levels import LEVEL_NAMES

ACTIONS = ("set", "list", "show", "remove", "validator-add", "validator-remove", "token-add", "token-list",
           "token-revoke", "requests", "resend-code", "revoke")


def _problem(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
    return " ".join(error.messages)


class Command(BaseCommand):
    help = "Require access validation for an application; its validators, API tokens and accesses."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        put = sub.add_parser("set", help="require validation for an application, or change what it asks")
        put.add_argument("app")
        put.add_argument("--level", help="BASIC or MEDIUM: how the person must have signed in to ask")
        put.add_argument("--fields", help="the request form's fields: a JSON list, or @file.json")
        put.add_argument("--intro", help="text above the form")
        put.add_argument("--acknowledgement", help="the message shown after submitting")
        put.add_argument("--slug", help="the request page is /access/<slug>/")
        state = put.add_mutually_exclusive_group()
        state.add_argument("--enable", action="store_true")
        state.add_argument("--disable", action="store_true")
        listing = sub.add_parser("list")
        listing.add_argument("--json", action="store_true", dest="as_json")
        for name in ("show", "remove", "token-list"):
            sub.add_parser(name).add_argument("app")
        for name in ("validator-add", "validator-remove", "resend-code"):
            one = sub.add_parser(name)
            one.add_argument("app")
            one.add_argument("email")
        token = sub.add_parser("token-add", help="a token for a back-office system; printed once")
        token.add_argument("app")
        token.add_argument("--name", required=True, help="which system uses it")
        revoke_token = sub.add_parser("token-revoke")
        revoke_token.add_argument("app")
        revoke_token.add_argument("token_id")
        requests = sub.add_parser("requests")
        requests.add_argument("app")
        requests.add_argument("--status", default=Status.PENDING, choices=Status.values)
        revoke = sub.add_parser("revoke", help="end a person's access; they are e-mailed the reason")
        revoke.add_argument("app")
        revoke.add_argument("email")
        revoke.add_argument("--reason", required=True)

    def handle(self, *args, action, **options):
        try:
            getattr(self, "_" + action.replace("-", "_"))(**options)
        except applications.UnknownApplication as error:
            raise CommandError(str(error)) from None
        except ValidationError as error:
            raise CommandError(_problem(error)) from None
        except AccessError as error:
            raise CommandError(str(error.message)) from None

    # -- helpers

    @staticmethod
    def _ref(app: str):
        return applications.find(app)

    def _policy(self, app: str):
        ref = self._ref(app)
        policy = policies.policy_of(ref, enabled_only=False)
        if policy is None:
            raise CommandError(f"{ref.name} does not require access validation. Start with: limen access_policy "
                               f"set {ref.protocol}:{ref.name if ref.protocol == 'cas' else ref.key} --fields ...")
        return policy

    @staticmethod
    def _user(email: str):
        user = User.objects.find_by_email(email)
        if user is None:
            raise CommandError(f"No account has the address {email}.")
        return user

    @staticmethod
    def _fields(value: str | None):
        if value is None:
            return None
        text = Path(value[1:]).read_text(encoding="utf-8") if value.startswith("@") else value
        try:
            return json.loads(text)
        except ValueError as error:
            raise CommandError(f"--fields is not valid JSON: {error}") from None

    def _open(self, policy, email: str) -> AccessRequest:
        found = AccessRequest.objects.filter(policy=policy, user=self._user(email),
                                             status__in=[Status.PENDING, Status.CODE_SENT, Status.ACTIVE]).first()
        if found is None:
            raise CommandError(f"{email} has no open request for {policy.app_name}.")
        return found

    # -- actions

    def _set(self, *, app, level, fields, intro, acknowledgement, slug, enable, disable, **_):
        enabled = True if enable else (False if disable else None)
        policy, created = policies.configure(self._ref(app), level=level, fields=self._fields(fields), intro=intro,
                                             acknowledgement=acknowledgement, slug=slug, enabled=enabled)
        self.stdout.write(f"{'Now requires' if created else 'Changed'} access validation: {policy.app_name}, "
                          f"request page /access/{policy.slug}/, level {LEVEL_NAMES.get(policy.level)}")

    def _list(self, *, as_json=False, **_):
        rows = [policies.describe(p) for p in AccessPolicy.objects.order_by("app_name")]
        if as_json:
            self.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False))
            return
        if not rows:
            self.stdout.write("No application requires access validation.")
        for row in rows:
            state = "" if row["enabled"] else "  (disabled)"
            self.stdout.write(f"{row['name']} ({row['application']}){state}\n  page: /access/{row['slug']}/  level: "
                              f"{row['level']}\n  fields: {', '.join(f['name'] for f in row['fields'])}\n"
                              f"  validators: {', '.join(row['validators']) or '(none)'}")

    def _show(self, *, app, **_):
        self.stdout.write(json.dumps(policies.describe(self._policy(app)), indent=2, ensure_ascii=False))

    def _remove(self, *, app, **_):
        if not policies.remove(self._ref(app)):
            raise CommandError("This application does not require access validation.")
        self.stdout.write("Removed the access policy, its requests and tokens.")

    def _validator_add(self, *, app, email, **_):
        policy = self._policy(app)
        added = policies.add_validator(policy, self._user(email))
        self.stdout.write(f"{email} {'now validates' if added else 'already validates'} {policy.app_name}")

    def _validator_remove(self, *, app, email, **_):
        policy = self._policy(app)
        if not policies.remove_validator(policy, self._user(email)):
            raise CommandError(f"{email} does not validate {policy.app_name}.")
        self.stdout.write(f"{email} no longer validates {policy.app_name}")

    def _token_add(self, *, app, name, **_):
        token, value = tokens.create(self._policy(app), name)
        self.stdout.write(f"API token {token.public_id} for {token.policy.app_name} (shown once, keep it secret):")
        self.stdout.write(value)

    def _token_list(self, *, app, **_):
        for token in self._policy(app).tokens.all():
            state = f"revoked {token.revoked:%Y-%m-%d}" if token.revoked else \
                f"last used {token.last_used:%Y-%m-%d %H:%M}" if token.last_used else "never used"
            self.stdout.write(f"{token.public_id}  {token.name}  ({state})")

    def _token_revoke(self, *, app, token_id, **_):
        token = self._policy(app).tokens.filter(public_id=token_id).first()
        if token is None:
            raise CommandError(f"No token {token_id} for this application.")
        tokens.revoke(token)
        self.stdout.write(f"Revoked {token_id}")

    def _requests(self, *, app, status, **_):
        for found in AccessRequest.objects.filter(policy=self._policy(app), status=status).select_related("user"):
            self.stdout.write(f"{found.public_id}  {found.user.email}  {found.submitted:%Y-%m-%d}  "
                              + json.dumps(found.values, ensure_ascii=False))

    def _resend_code(self, *, app, email, **_):
        found = self._open(self._policy(app), email)
        decisions.resend_code(found, decisions.Decider(label="operator (command line)", via="command"))
        self.stdout.write(f"A new code is on its way to {email}.")

    def _revoke(self, *, app, email, reason, **_):
        found = self._open(self._policy(app), email)
        decisions.revoke(found, decisions.Decider(label="operator (command line)", via="command"), reason)
        self.stdout.write(f"Revoked the access of {email} to {found.policy.app_name}; they are told by e-mail.")
