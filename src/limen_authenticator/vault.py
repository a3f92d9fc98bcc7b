"""The biometric-style unlock: the PIN kept in the OS keyring (the one module importing ``keyring``).

A phone keeps the PIN behind the fingerprint reader; a computer's nearest
equivalent is the login keyring (GNOME Keyring, KWallet, macOS Keychain,
Windows Credential Locker), unlocked with the session. The PIN never goes to
the state file.
"""

from __future__ import annotations

SERVICE = "limen-authenticator"


class VaultError(Exception):
    pass


def _keyring():
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:
        raise VaultError("the biometric-style unlock needs the 'keyring' package "
                         "(pip install 'limen[authenticator]')") from None
    backend = keyring.get_keyring()
    priority = getattr(backend, "priority", 1)
    if priority is not None and priority <= 0:
        raise VaultError("no usable OS keyring was found on this system")
    return keyring, KeyringError


def store(account_id: str, pin: str) -> None:
    keyring, KeyringError = _keyring()
    try:
        keyring.set_password(SERVICE, account_id, pin)
    except KeyringError as exc:
        raise VaultError(f"the OS keyring refused to store the PIN: {exc}") from None


def fetch(account_id: str) -> str | None:
    keyring, KeyringError = _keyring()
    try:
        return keyring.get_password(SERVICE, account_id)
    except KeyringError as exc:
        raise VaultError(f"the OS keyring could not be read: {exc}") from None


def forget(account_id: str) -> None:
    try:
        keyring, KeyringError = _keyring()
    except VaultError:
        return
    try:
        keyring.delete_password(SERVICE, account_id)
    except Exception:  # nothing stored, or the keyring is gone: nothing to forget
        pass
