"""A keyring backend that stores in a JSON file, for tests (there is no desktop keyring in CI).

Used through keyring's own plug-in point: PYTHON_KEYRING_BACKEND=tests.limen_authenticator.file_keyring.FileKeyring
and LIMEN_TEST_KEYRING=<file>.
"""

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class FileKeyring(KeyringBackend):
    priority = 1

    def _load(self) -> dict:
        path = Path(os.environ["LIMEN_TEST_KEYRING"])
        return json.loads(path.read_text()) if path.exists() else {}

    def _save(self, data: dict) -> None:
        Path(os.environ["LIMEN_TEST_KEYRING"]).write_text(json.dumps(data))

    def get_password(self, service, username):
        return self._load().get(f"{service}/{username}")

    def set_password(self, service, username, password):
        data = self._load()
        data[f"{service}/{username}"] = password
        self._save(data)

    def delete_password(self, service, username):
        data = self._load()
        if data.pop(f"{service}/{username}", None) is None:
            raise PasswordDeleteError("not stored")
        self._save(data)
