"""Where the account is signed in: end the sessions of other browsers from My Account.

Each session ends through limen.signin.sessions, so the applications it signed in to are told
(CAS single logout, OpenID Connect back-channel logout) and their tokens revoked.
"""

from __future__ import annotations

from limen.audit.events import Event
from limen.audit.service import record
from limen.core import browsers
from limen.signin import sessions

from ..errors import SessionNotFound


def sign_out_others(request) -> int:
    """End every session of the account but this browser's; returns how many ended."""
    count = sessions.end_all(request.user, keep=request.session.session_key)
    record(Event.OTHER_SESSIONS_ENDED, user=request.user, request=request, sessions=count)
    return count


def sign_out_one(request, session_id: int) -> None:
    """End one other session of the account (this browser's own ends with the usual sign-out)."""
    ended = sessions.end_one(request.user, session_id, keep=request.session.session_key)
    if ended is None:
        raise SessionNotFound()
    record(Event.SESSION_ENDED, user=request.user, request=request, session_ip=ended.ip,
           session_browser=browsers.short(ended.user_agent))
