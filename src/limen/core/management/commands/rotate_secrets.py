"""limen rotate_secrets: re-encrypt secrets at rest under the newest key of LIMEN_ENCRYPTION_KEYS.

Exit status: 0 when done (with --check: when no older key is needed any
more); 1 when a ciphertext cannot be read, and with --check while anything
still needs an older key.
"""

from __future__ import annotations

import argparse
from collections import Counter

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from limen.core import rotation


def _detail(counts: Counter) -> str:
    if not counts:
        return ""
    return " (" + ", ".join(f"{key_id}: {n}" for key_id, n in sorted(counts.items())) + ")"


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(_("expected a whole number of at least 1, got %(value)r")
                                         % {"value": value})
    return number


class Command(BaseCommand):
    @property
    def help(self) -> str:  # translated when shown (argparse wants a str, not a lazy string)
        return _("Re-encrypt every secret stored encrypted under the newest key of LIMEN_ENCRYPTION_KEYS (older "
                 "keys keep decrypting until they are removed). Safe while Limen runs; run it again to resume.")

    def add_arguments(self, parser):
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--dry-run", action="store_true",
                          help=_("count what would be re-encrypted, change nothing"))
        mode.add_argument("--check", action="store_true",
                          help=_("change nothing; exit with status 1 while anything still needs an older key"))
        parser.add_argument("--batch", type=_positive, default=rotation.DEFAULT_BATCH, metavar="N",
                            help=_("rows per transaction (default %(default)s)"))

    def handle(self, *args, dry_run=False, check=False, batch=rotation.DEFAULT_BATCH, **options):
        report = rotation.rotate(size=batch, dry_run=dry_run or check)
        self._print(report, dry_run=dry_run, check=check)
        if report.unreadable:
            raise CommandError(_("%(count)d ciphertext(s) cannot be read by any configured key. List the keys "
                                 "named above in LIMEN_ENCRYPTION_KEYS again (restart Limen), then run "
                                 "limen rotate_secrets.") % {"count": report.unreadable})
        if check:
            if report.old:
                raise CommandError(_("%(count)d ciphertext(s) still need an older key: run limen rotate_secrets "
                                     "(after restarting every instance with the new key), then check again.")
                                   % {"count": report.old})
            if report.old_digests:
                raise CommandError(_("%(count)d code(s) people hold still need an older key: removing it now "
                                     "makes them stop working.") % {"count": report.old_digests})
            self.stdout.write(_("Nothing needs an older key: keep only %(key)s in LIMEN_ENCRYPTION_KEYS.")
                              % {"key": report.key_id})

    def _print(self, report: rotation.Report, *, dry_run: bool, check: bool) -> None:
        write = self.stdout.write
        write(_("Newest key: %(key)s. Keys configured, newest first: %(keys)s.")
              % {"key": report.key_id, "keys": ", ".join(report.key_ids)})
        if dry_run or check:
            write(_("Nothing is written."))
        write(_("Encrypted fields:"))
        for field in report.encrypted:
            write("  " + _("%(label)s: %(total)d in all; %(current)d under the newest key (%(rewritten)d "
                           "re-encrypted now); %(old)d under older keys%(old_detail)s; %(unreadable)d "
                           "unreadable%(unreadable_detail)s") % {
                "label": field.label, "total": field.total, "current": field.current,
                "rewritten": field.rewritten, "old": field.old_total, "old_detail": _detail(field.old),
                "unreadable": field.unreadable_total, "unreadable_detail": _detail(field.unreadable)})
            if field.changed_meanwhile:
                write("    " + _("%(count)d changed by someone else during the run, and were read again.")
                      % {"count": field.changed_meanwhile})
        write(_("Keyed digests of codes people hold (only compared: they cannot be made again under a new key):"))
        for field in report.digests:
            write("  " + _("%(label)s: %(total)d usable; %(current)d under the newest key; %(old)d under older "
                           "keys%(old_detail)s; %(dead)d under keys no longer configured%(dead_detail)s")
                  % {"label": field.label, "total": field.total, "current": field.current,
                     "old": field.old_total, "old_detail": _detail(field.old),
                     "dead": field.unreadable_total, "dead_detail": _detail(field.unreadable)})
        write(_("Still under older keys: %(count)d ciphertext(s), %(digests)d digest(s).")
              % {"count": report.old, "digests": report.old_digests})
        if report.old and not (dry_run or check):
            write(_("Some rows kept changing during the run: run the command again."))
        if report.old_digests:
            write(_("Codes made with an older key keep working while that key is listed, and stop working "
                    "once it is removed: SMS codes expire within minutes; recovery codes last until their "
                    "owners make a new set."))
        if report.dead_digests:
            write(_("%(count)d code(s) were made with a key no longer configured and no longer work.")
                  % {"count": report.dead_digests})
