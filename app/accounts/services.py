"""Sign-in, throttling, passwords and role grants."""
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, redirect, request, url_for
from flask_login import current_user

from app.accounts.hashing import check_password_hash, generate_password_hash
from app.accounts.models import GRANTABLE_ROLES, LoginThrottle, RoleGrant, User, password_hash_method
from app.audit.services import record
from app.common.clock import utcnow
from app.common.upsert import insert_or_ignore
from app.database import end_read_transaction
from app.extensions import db

MIN_PASSWORD_LENGTH = 8
# Unambiguous characters only: initial passwords are read off paper and typed on phones.
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def load_user(user_id: str) -> User | None:
    """The signed-in account for a session; a deactivated account's open sessions end at once."""
    if not user_id.isdigit():
        return None
    # Every request of a signed-in user runs this: one round trip for the user and their roles.
    user = db.session.get(User, int(user_id), options=[sa.orm.joinedload(User.role_grants)])
    return user if user is not None and user.is_active else None


def find_by_login(login: str) -> User | None:
    """An account by staff ID (工号) or by mobile number."""
    login = login.strip()
    if not login:
        return None
    return db.session.scalars(
        sa.select(User).where(sa.or_(User.staff_id == login, User.mobile == login)).limit(1)
    ).first()


@dataclass
class LoginResult:
    user: User | None = None
    locked_seconds: int = 0  # > 0: refused because the account or address is locked

    @property
    def ok(self) -> bool:
        return self.user is not None


def _throttle(key: str) -> LoginThrottle:
    insert_or_ignore(LoginThrottle, {"key": key, "failures": 0, "window_started_at": utcnow()}, ["key"])
    return db.session.get(LoginThrottle, key, with_for_update=True, populate_existing=True)


def _seconds_locked(row: LoginThrottle | None) -> int:
    if row is None or row.locked_until is None:
        return 0
    return max(0, int((row.locked_until - utcnow()).total_seconds()))


def _is_outdated(password_hash: str) -> bool:
    """Whether a stored hash was made with other parameters than the configured method's.

    Only a fully specified method (scrypt:N:r:p, pbkdf2:hash:rounds) can be compared with the
    hash's own prefix. Temporary initial passwords are not upgraded: the first sign-in replaces them.
    """
    method = password_hash_method()
    fully_specified = method.count(":") == (3 if method.startswith("scrypt") else 2)
    return fully_specified and not password_hash.startswith(method + "$")


def authenticate(login: str, password: str, address: str) -> LoginResult:
    """Check credentials unless the account or address is locked; failures count toward a lock."""
    config = current_app.config
    user = find_by_login(login)
    # One counter per account whether it is typed as staff ID or mobile; unknown logins get their own.
    account_key = f"account:{user.staff_id if user is not None else login.strip()[:100]}"
    address_key = f"address:{address}"
    keys = (account_key, address_key)
    throttles = db.session.scalars(sa.select(LoginThrottle).where(LoginThrottle.key.in_(keys))).all()
    locked = max((_seconds_locked(row) for row in throttles), default=0)
    if locked:
        return LoginResult(locked_seconds=locked)
    password_hash = user.password_hash if user is not None and user.is_active else None
    outdated = password_hash is not None and not user.must_change_password and _is_outdated(password_hash)
    end_read_transaction()  # nothing written yet; the hash check below must not hold the write lock
    if password_hash and check_password_hash(password_hash, password):
        # A hash made with other parameters (an older default) is replaced while the password is at hand.
        new_hash = generate_password_hash(password, method=password_hash_method()) if outdated else None
        if throttles:  # earlier failures are forgiven
            db.session.execute(sa.delete(LoginThrottle).where(LoginThrottle.key.in_(keys)))
        if new_hash:
            user.password_hash = new_hash
        user.last_login_at = utcnow()
        return LoginResult(user=user)
    window = timedelta(seconds=config["LOGIN_FAILURE_WINDOW_SECONDS"])
    lock = timedelta(seconds=config["LOGIN_LOCK_SECONDS"])
    now = utcnow()
    locked = 0
    for key, limit in ((account_key, config["LOGIN_MAX_ACCOUNT_FAILURES"]),
                       (address_key, config["LOGIN_MAX_ADDRESS_FAILURES"])):
        row = _throttle(key)  # row-locked: concurrent failures count one after another
        if _seconds_locked(row):  # locked meanwhile by a concurrent attempt: do not count again
            locked = max(locked, _seconds_locked(row))
            continue
        if now - (row.window_started_at or now) > window:
            row.failures, row.window_started_at = 0, now
        row.failures = (row.failures or 0) + 1
        if row.failures >= limit:
            row.locked_until = now + lock
            row.failures, row.window_started_at = 0, now
            locked = max(locked, _seconds_locked(row))
            if key == account_key and user is not None:
                record("account.locked", target=user, actor=user, summary=f"{user.staff_id} 登录失败次数过多")
    # The attempt that reaches the limit already hears about the lock.
    return LoginResult(locked_seconds=locked)


def validate_new_password(password: str, *, staff_id: str, mobile: str | None, current_hash: str) -> str | None:
    """Return why a new password is unacceptable, or None. Messages are shown to the user."""
    from flask_babel import gettext as _

    if len(password) < MIN_PASSWORD_LENGTH:
        return _("密码至少 %(n)s 位", n=MIN_PASSWORD_LENGTH)
    if password.isdigit() or password.isalpha():
        return _("密码需同时包含字母和数字")
    if password in {staff_id, mobile or ""}:
        return _("密码不能与工号或手机号相同")
    if current_hash and check_password_hash(current_hash, password):
        return _("新密码不能与当前密码相同")
    return None


@dataclass
class PasswordProblem:
    field: str  # the form field the message belongs to
    message: str


def change_own_password(user: User, current_password: str, new_password: str) -> PasswordProblem | None:
    """Set the user's own new password, if the current one is right and the new one acceptable.

    The two or three hash computations (~25 ms each) run outside any transaction; see
    end_read_transaction. A successful change lifts the first-login requirement.
    """
    from flask_babel import gettext as _

    current_hash, staff_id, mobile = user.password_hash, user.staff_id, user.mobile
    end_read_transaction()
    if not (current_hash and check_password_hash(current_hash, current_password)):
        return PasswordProblem("current_password", _("当前密码不正确"))
    problem = validate_new_password(new_password, staff_id=staff_id, mobile=mobile, current_hash=current_hash)
    if problem:
        return PasswordProblem("new_password", problem)
    new_hash = generate_password_hash(new_password, method=password_hash_method())
    user.password_hash = new_hash
    user.must_change_password = False
    record("password.changed", target=user, actor=user)
    return None


def random_password(length: int = 8) -> str:
    """A random initial password with at least one letter and one digit."""
    while True:
        candidate = "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(length))
        if not candidate.isdigit() and not candidate.isalpha():
            return candidate


def reset_password(actor: User, member: User) -> str:
    """Give `member` a new random initial password (to change at next login) and return it."""
    password = random_password()
    member.set_password(password)
    member.must_change_password = True
    record("password.reset", target=member, actor=actor, summary=f"{member.name}（{member.staff_id}）")
    return password


def set_roles(actor: User, user: User, roles: set[str], liaison_unit_id: int | None) -> None:
    """Replace the user's staff roles; a liaison role needs its unit."""
    roles = {role for role in roles if role in GRANTABLE_ROLES}
    before = sorted(grant.role for grant in user.role_grants)
    # Keep the grant rows of roles that stay: deleting and re-inserting the same role in one flush
    # would hit uq_role_grants_user_id_role (the unit of work inserts before it deletes).
    existing = {grant.role: grant for grant in user.role_grants}
    grants = []
    for role in sorted(roles):
        grant = existing.get(role) or RoleGrant(role=role)
        grant.unit_id = liaison_unit_id if role == "liaison" else None
        grants.append(grant)
    user.role_grants = grants
    record("roles.changed", target=user, actor=actor, summary=f"{user.name}（{user.staff_id}）",
           before=before, after=sorted(roles), liaison_unit_id=liaison_unit_id)


def register_password_change_gate(app) -> None:
    """Accounts created by import or by an organiser must pick their own password first."""
    allowed = {"auth.change_password", "auth.logout", "static", "core.healthz", "core.set_language"}

    @app.before_request
    def require_password_change():
        if (current_user.is_authenticated and current_user.must_change_password
                and request.endpoint not in allowed):
            if request.is_json:
                return {"error": "password change required"}, 403
            return redirect(url_for("auth.change_password"))
        return None


# Initial passwords set in bulk (roster import): werkzeug's default scrypt costs ~0.1 s per hash,
# which would make a 20,000-member import take half an hour. These passwords are temporary
# (must_change_password forces a new one, hashed with the default method, at first sign-in), and the
# "last six digits of the mobile" kind is derivable from the same row anyway, so a salted
# PBKDF2-SHA256 with fewer rounds (~0.4 ms) is proportionate. check_password_hash reads any method.
INITIAL_PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"


def hash_initial_password(password: str) -> str:
    """A salted hash for a temporary initial password set in bulk (see INITIAL_PASSWORD_HASH_METHOD)."""
    from werkzeug.security import generate_password_hash

    return generate_password_hash(password, method=INITIAL_PASSWORD_HASH_METHOD)
