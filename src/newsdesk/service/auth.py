"""Editors' accounts and sessions: argon2id password hashes, a signed session cookie that holds
the editor's name and a CSRF token, and lock-out after repeated failed logins."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from newsdesk.store import Store, utcnow

SECRET_NAME = ".newsdesk-secret"
COOKIE = "newsdesk_session"
_DUMMY_HASH: str | None = None


def newsroom_secret(folder: Path) -> bytes:
    """The newsroom's signing key, made on first use and readable by its owner only."""
    path = folder / SECRET_NAME
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


def hash_password(password: str) -> str:
    from argon2 import PasswordHasher

    return PasswordHasher().hash(password)


def _verify(stored: str, password: str) -> bool:
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return PasswordHasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


@dataclass
class LoginResult:
    ok: bool
    message: str = ""


def check_login(store: Store, name: str, password: str, failures_to_lock: int, lock_minutes: float) -> LoginResult:
    """The same answer for an unknown name and a wrong password; a locked account stays locked
    until its time is up, whatever the password."""
    global _DUMMY_HASH
    user = store.user(name)
    if user is None:
        _DUMMY_HASH = _DUMMY_HASH or hash_password(secrets.token_hex(8))
        _verify(_DUMMY_HASH, password)  # the same work as a real check: no timing hint
        return LoginResult(False, "Wrong name or password.")
    now = utcnow()
    if user["locked_until"] is not None and user["locked_until"] > now:
        minutes = max(1, round((user["locked_until"] - now).total_seconds() / 60))
        return LoginResult(False, f"Too many failed logins: this account is locked for {minutes} more minutes.")
    if _verify(user["password_hash"], password):
        store.record_login(name, True, None)
        return LoginResult(True)
    failures = user["failed_logins"] + 1
    lock = now + timedelta(minutes=lock_minutes) if failures >= failures_to_lock else None
    store.record_login(name, False, lock)
    if lock is not None:
        return LoginResult(False, f"Too many failed logins: this account is locked for {round(lock_minutes)} minutes.")
    return LoginResult(False, "Wrong name or password.")


class Sessions:
    """Signed, timed session cookies: {"user": name, "csrf": token, "account": fingerprint}.

    With a store, a session is bound to the account as it was at login (its id and password
    hash): `users remove` or `users passwd` ends every session of that editor at once."""

    def __init__(self, secret: bytes, max_age_seconds: float, store: Store | None = None):
        from itsdangerous import URLSafeTimedSerializer

        self.serializer = URLSafeTimedSerializer(secret, salt="newsdesk-desk-session")
        self.max_age = max_age_seconds
        self.secret = secret
        self.store = store

    def _account(self, user: str) -> str | None:
        """The account's fingerprint now; None when there is no such editor."""
        if self.store is None:
            return ""
        row = self.store.user(user)
        if row is None:
            return None
        material = f"{row['id']}|{row['password_hash']}".encode()
        return hmac.new(self.secret, b"|account|" + material, hashlib.sha256).hexdigest()[:32]

    def issue(self, user: str) -> str:
        return self.serializer.dumps({"user": user, "csrf": secrets.token_urlsafe(24), "account": self._account(user) or ""})

    def read(self, cookie: str | None) -> dict[str, Any] | None:
        from itsdangerous import BadSignature

        if not cookie:
            return None
        try:
            data = self.serializer.loads(cookie, max_age=int(self.max_age))
        except BadSignature:  # also expired (SignatureExpired is a BadSignature)
            return None
        if not (isinstance(data, dict) and "user" in data and "csrf" in data):
            return None
        account = self._account(str(data["user"]))
        if account is None or not hmac.compare_digest(str(data.get("account", "")).encode(), account.encode()):
            return None  # the editor was removed, or the password changed since this login
        return data

    @staticmethod
    def csrf_ok(session: dict[str, Any], token: str | None) -> bool:
        # As bytes: compare_digest refuses str with non-ASCII characters (a TypeError, a 500).
        return bool(token) and hmac.compare_digest(str(session["csrf"]).encode(), str(token).encode())

    def client_hash(self, address: str) -> str:
        """A reader's address as a salted hash: enough to rate-limit, never the address."""
        return hashlib.sha256(self.secret + b"|client|" + address.encode()).hexdigest()[:32]
