"""Staff accounts: argon2id passwords, optional TOTP second factor, roles and login sessions."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import InvalidInput, PermissionDenied, Unauthenticated
from bot.tables import StaffSessionRow, StaffUserRow

ROLES: Final = ("agent", "editor", "approver", "admin")
MIN_PASSWORD_CHARS: Final = 12
SESSION_HOURS: Final = 12
TOTP_STEP_SECONDS: Final = 30
TOTP_DIGITS: Final = 6

_hasher = PasswordHasher()
# Verifying against this when the user does not exist takes as long as a real check, so a
# response time does not tell which usernames exist.
_DUMMY_HASH: Final = _hasher.hash(secrets.token_urlsafe(16))


class LoginFailed(Unauthenticated):
    """A failed login, with what the audit log needs; the client is never told which it was."""

    def __init__(self, message: str, account: str | None, reason: str) -> None:
        super().__init__(message)
        self.account = account
        """The existing account the attempt named, if any."""
        self.reason = reason
        """`unknown_user`, `wrong_password`, `inactive` or `totp`."""


@dataclass(frozen=True)
class StaffUser:
    id: int
    username: str
    display_name: str
    roles: frozenset[str]

    @classmethod
    def of(cls, row: StaffUserRow) -> StaffUser:
        return cls(row.id, row.username, row.display_name, frozenset(row.roles.split()))

    def require(self, *roles: str) -> None:
        """One of `roles`; admins may do everything."""
        if "admin" not in self.roles and not self.roles & set(roles):
            names = " or ".join(f"'{role}'" for role in roles)
            raise PermissionDenied(f"This needs the role {names}")


def _check_roles(roles: set[str]) -> str:
    unknown = roles - set(ROLES)
    if unknown or not roles:
        raise InvalidInput(f"Roles must be some of: {', '.join(ROLES)}")
    return " ".join(r for r in ROLES if r in roles)


def create_user(
    session: Session,
    username: str,
    password: str,
    roles: set[str],
    display_name: str = "",
    totp_secret: str | None = None,
) -> StaffUser:
    username = username.strip().lower()
    if not username:
        raise InvalidInput("A username is required")
    if len(password) < MIN_PASSWORD_CHARS:
        raise InvalidInput(f"A password needs at least {MIN_PASSWORD_CHARS} characters")
    if session.scalar(select(StaffUserRow.id).where(StaffUserRow.username == username)):
        raise InvalidInput(f"The username '{username}' is taken")
    row = StaffUserRow(
        username=username,
        display_name=display_name or username,
        password_hash=_hasher.hash(password),
        totp_secret=totp_secret,
        roles=_check_roles(roles),
        active=True,
    )
    session.add(row)
    session.flush()
    return StaffUser.of(row)


def new_totp_secret() -> str:
    """A base32 secret, as authenticator apps expect it."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii")


def totp_code(secret: str, at: float | None = None) -> str:
    """RFC 6238: HMAC-SHA1 over the 30-second step number, dynamically truncated."""
    step = int((time.time() if at is None else at) // TOTP_STEP_SECONDS)
    digest = hmac.new(base64.b32decode(secret), struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**TOTP_DIGITS).zfill(TOTP_DIGITS)


def _totp_matches(secret: str, code: str) -> bool:
    now = time.time()
    # One step either way allows for a phone clock that is a little off.
    return any(
        hmac.compare_digest(totp_code(secret, now + drift * TOTP_STEP_SECONDS), code.strip())
        for drift in (-1, 0, 1)
    )


def authenticate(
    session: Session, username: str, password: str, totp: str | None = None
) -> StaffUser:
    row = session.scalar(
        select(StaffUserRow).where(StaffUserRow.username == username.strip().lower())
    )
    try:
        _hasher.verify(row.password_hash if row else _DUMMY_HASH, password)
        password_ok = True
    except (VerificationError, InvalidHashError):
        password_ok = False
    wrong = "Unknown username or wrong password"
    if row is None:
        raise LoginFailed(wrong, None, "unknown_user")
    if not password_ok:
        raise LoginFailed(wrong, row.username, "wrong_password")
    if not row.active:
        raise LoginFailed(wrong, row.username, "inactive")
    if row.totp_secret and not (totp and _totp_matches(row.totp_secret, totp)):
        raise LoginFailed(
            "A valid code from the authenticator app is required", row.username, "totp"
        )
    if _hasher.check_needs_rehash(row.password_hash):
        row.password_hash = _hasher.hash(password)
    return StaffUser.of(row)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(session: Session, user: StaffUser) -> tuple[str, datetime]:
    token = secrets.token_urlsafe(32)
    expires_at = datetime.now(UTC) + timedelta(hours=SESSION_HOURS)
    session.add(
        StaffSessionRow(token_hash=_token_hash(token), user_id=user.id, expires_at=expires_at)
    )
    return token, expires_at


def end_session(session: Session, token: str) -> StaffUser | None:
    """Log out; whose session it was, if the token was one."""
    row = session.get(StaffSessionRow, _token_hash(token))
    if row is None:
        return None
    user = session.get(StaffUserRow, row.user_id)
    session.delete(row)
    return StaffUser.of(user) if user else None


def user_for_token(session: Session, token: str | None) -> StaffUser:
    if not token:
        raise Unauthenticated("Log in first (Authorization: Bearer ...)")
    row = session.get(StaffSessionRow, _token_hash(token))
    if row is None or row.expires_at <= datetime.now(UTC):
        raise Unauthenticated("Unknown or expired login; log in again")
    user = session.get(StaffUserRow, row.user_id)
    if user is None or not user.active:
        raise Unauthenticated("This account is no longer active")
    return StaffUser.of(user)
