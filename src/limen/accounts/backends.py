"""Authentication backend used by Django internals (admin session checks).

Sign-in itself goes through limen.signin.services, which adds lockout and
rate limits; this backend only knows how to find a user by e-mail.
"""

from django.contrib.auth.backends import ModelBackend

from . import rows
from .models import User


class EmailBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        email = kwargs.get("email", username)
        if not email or password is None:
            return None
        user = User.objects.find_by_email(email)
        if user is None:
            User().set_password(password)  # same work either way: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user) and not user.is_locked:
            return user
        return None

    def get_user(self, user_id):
        # Every signed-in request asks this (AuthenticationMiddleware): ModelBackend's query, written once.
        user = rows.by_id(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
