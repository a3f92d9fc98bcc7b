"""The development operator account that `limen run` creates on first start."""

from __future__ import annotations

import secrets

from ..models import User

DEV_OPERATOR = "operator@example.org"


def ensure_dev_operator() -> str:
    if User.objects.filter(is_staff=True).exists():
        return (f"Operator account exists. Forgot its password? Run: limen changepassword {DEV_OPERATOR}"
                if User.objects.filter(email=DEV_OPERATOR).exists()
                else "Create another operator with: limen createsuperuser")
    password = "Op-" + secrets.token_urlsafe(12)
    User.objects.create_superuser(DEV_OPERATOR, password, first_name="Olive", last_name="Operator")
    return f"Created operator {DEV_OPERATOR} with password {password}  (shown once)"
