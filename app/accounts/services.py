"""Sign-in, throttling, passwords and role grants."""
import hashlib
import math
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, redirect, request, session, url_for
from flask_login import current_user
from sqlalchemy.orm.attributes import set_committed_value

from app.accounts.hashing import check_password_hash, generate_password_hash
from app.accounts.models import (
    GRANTABLE_ROLES,
    LoginSession,
    LoginThrottle,
    RoleGrant,
    User,
    account_roles,
    password_hash_method,
)
from app.audit.services import record
from app.common.clock import utcnow
from app.common.problems import Problem
from app.common.upsert import insert_or_ignore
from app.database import SAFE_METHODS, SQLITE_BUSY_TIMEOUT_MS, end_read_transaction, loaded
from app.extensions import db

MIN_PASSWORD_LENGTH = 8
# Unambiguous characters only: initial passwords are read off paper and typed on phones.
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


TOUCH_BUSY_TIMEOUT_MS = 200
SESSION_KEY = "sid"  # the signed cookie's key for the login session token


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _session_lifetimes(user: User) -> tuple[timedelta, timedelta]:
    """(idle, absolute) lifetime of a new session of `user`: staff roles get the shorter ones."""
    config = current_app.config
    kind = "STAFF" if user.role_grants else "MEMBER"
    return (timedelta(hours=config[f"{kind}_SESSION_IDLE_HOURS"]),
            timedelta(hours=config[f"{kind}_SESSION_MAX_HOURS"]))


# Built once: every request of a signed-in user runs it. A Core statement on the session's connection,
# its rows turned into the User and its RoleGrants directly (about a third of the ORM query's CPU, which
# was most of an autosave's): the login session, the account and its roles in one round trip.
_users, _sessions, _grants = User.__table__, LoginSession.__table__, RoleGrant.__table__
_USER_COLUMNS = tuple(column.key for column in _users.columns)
_GRANT_COLUMNS = tuple(column.key for column in _grants.columns)
_GRANTS_AT = len(_USER_COLUMNS) + 2  # in each row: the user's columns, the session's two, the grant's
_SESSION_COLUMNS = (_sessions.c.last_seen_at.label("session_last_seen_at"),
                    _sessions.c.idle_seconds.label("session_idle_seconds"))


def _login_query(*columns):
    """The open login session of a user, with the account and one row per role grant (`columns` of them)."""
    return (
        sa.select(*columns)
        .select_from(_users.join(_sessions, _sessions.c.user_id == _users.c.id)
                     .outerjoin(_grants, _grants.c.user_id == _users.c.id))
        .where(_users.c.id == sa.bindparam("p_user"), _sessions.c.id == sa.bindparam("p_digest"),
               _sessions.c.revoked_at.is_(None), _sessions.c.expires_at > sa.bindparam("p_now"))
        .order_by(_grants.c.id)
    )


_LOAD_USER = _login_query(*_users.columns, *_SESSION_COLUMNS,
                          *(column.label(f"grant_{column.key}") for column in _grants.columns))
# The same rows with only what the checks read (a request answered before Flask builds no User): on
# PostgreSQL the driver's work per column was a tenth of an autosave.
_CHECK_LOGIN = _login_query(_users.c.id, _users.c.unit_id, _users.c.active, _users.c.must_change_password,
                            *_SESSION_COLUMNS, _grants.c.id.label("grant_id"), _grants.c.role.label("grant_role"))


def _signed_in_user(rows) -> User:
    """The User (with its role grants) the rows of _LOAD_USER describe, in the request's session as an
    ORM query would leave it (database.loaded), without the ORM query's cost."""
    user = loaded(User, dict(zip(_USER_COLUMNS, rows[0], strict=False)))
    if "role_grants" in sa.inspect(user).unloaded:
        grants = [loaded(RoleGrant, dict(zip(_GRANT_COLUMNS, row[_GRANTS_AT:], strict=True)))
                  for row in rows if row.grant_id is not None]
        set_committed_value(user, "role_grants", grants)
        for grant in grants:
            if "user" in sa.inspect(grant).unloaded:
                set_committed_value(grant, "user", user)
    return user


@dataclass(frozen=True)
class SignedIn:
    """An open login session's rows (the user's columns, the session's, one row per role grant)."""

    rows: list
    digest: str
    touch_due: bool  # last_seen_at is SESSION_TOUCH_SECONDS old: to be written by this request

    @property
    def account(self):
        return self.rows[0]

    @property
    def roles(self) -> set[str]:
        account = self.rows[0]
        return account_roles((row.grant_role for row in self.rows if row.grant_id is not None),
                             account.unit_id, account.active)


_beside_login: dict[sa.Select, sa.Select] = {}


def _check_login_beside(read: sa.Select) -> sa.Select:
    """_CHECK_LOGIN's rows, each with the columns of `read`'s row (at most one; NULLs if none), in one query."""
    statement = _beside_login.get(read)
    if statement is None:
        login, other = _CHECK_LOGIN.order_by(None).subquery(), read.subquery()
        statement = _beside_login[read] = (sa.select(*login.c, *other.c)
                                           .select_from(login.outerjoin(other, sa.true())).order_by(login.c.grant_id))
    return statement


def open_login(connection, user_id, token, now, *, whole: bool = True, beside: sa.Select | None = None,
               beside_params: dict | None = None) -> SignedIn | None:
    """The signed-in account of a session cookie's user id and token, if its login session is still
    open (not revoked, idle or expired) and the account active; a deactivated account's sessions end at once.
    `whole`: every column of the account and its grants (to build the User), else those the checks read.
    `beside` (with `beside_params`; not with `whole`): a query of at most one row the request needs next,
    read in the same round trip; its columns are on every row (account.<column>, None if it found nothing)."""
    if not isinstance(user_id, str) or not user_id.isdigit() or not isinstance(token, str) or not token:
        return None
    if len(user_id) > 10:  # not an id this database can hold
        return None
    # Every request of a signed-in user runs this: ONE statement for the session, the user and their
    # roles (issue 10 counts them); last_seen_at is written at most every SESSION_TOUCH_SECONDS.
    digest = _digest(token)
    params = {"p_user": int(user_id), "p_digest": digest, "p_now": now}
    if beside is not None:
        rows = connection.execute(_check_login_beside(beside), {**beside_params, **params}).all()
    else:
        rows = connection.execute(_LOAD_USER if whole else _CHECK_LOGIN, params).all()
    if not rows:
        return None
    last_seen_at, idle_seconds = rows[0].session_last_seen_at, rows[0].session_idle_seconds
    if now - last_seen_at >= timedelta(seconds=idle_seconds) or not rows[0].active:
        return None
    touch_due = (now - last_seen_at).total_seconds() >= current_app.config["SESSION_TOUCH_SECONDS"]
    return SignedIn(rows, digest, touch_due)


def load_user(user_id: str) -> User | None:
    """The signed-in account for a session (open_login), with its role grants, as an ORM object."""
    now = utcnow()
    signed_in = open_login(db.session.connection(), user_id, session.get(SESSION_KEY), now)
    if signed_in is None:
        return None
    user = _signed_in_user(signed_in.rows)
    if signed_in.touch_due:
        _touch_session(signed_in.digest, now)
    return user


def session_identifier(remote_addr: str | None, forwarded_for: str | None, user_agent: str | None) -> str:
    """Flask-Login's session-protection identifier of a browser (its address and User-Agent), computed
    from the values themselves so a request answered before Flask checks it the same way."""
    address = forwarded_for if forwarded_for is not None else remote_addr
    if address is not None:  # X-Forwarded-For lists the visitor first
        address = address.encode("utf-8").split(b",")[0].strip()
    agent = user_agent.encode("utf-8") if user_agent is not None else None
    return hashlib.sha512(f"{address}|{agent}".encode()).hexdigest()


def request_session_identifier() -> str:
    """session_identifier of the current request (Flask-Login's identifier generator)."""
    return session_identifier(request.remote_addr, request.headers.get("X-Forwarded-For"),
                              request.headers.get("User-Agent"))


def _touch_session(digest: str, now) -> None:
    """Record that the session is in use, without holding up or joining the request's own transaction."""
    statement = sa.update(LoginSession).where(LoginSession.id == digest).values(last_seen_at=now)
    if db.engine.dialect.name == "sqlite":
        if request.method not in SAFE_METHODS:
            # This request already holds SQLite's only write lock (BEGIN IMMEDIATE): another connection
            # would wait for it. Ride along; if the request ends without committing, the next one retries.
            db.session.execute(statement)
            return
        # A read transaction is open since the SELECT above; once another connection commits, it could
        # no longer write (SQLite refuses to upgrade a stale snapshot), and some pages do write. End it
        # first: the user reloads on next use, once per SESSION_TOUCH_SECONDS.
        request_session = db.session()
        if request_session.new or request_session.dirty or request_session.deleted:
            return  # not ours to discard; the next request retries
        request_session.rollback()
    try:
        with db.engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:  # never queue a page view behind other writers for this: the next request retries
                connection.exec_driver_sql(f"PRAGMA busy_timeout={TOUCH_BUSY_TIMEOUT_MS}")
            try:
                connection.execute(statement)
                connection.commit()
            finally:
                if sqlite:
                    connection.rollback()
                    connection.exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    except sa.exc.OperationalError:  # busy: harmless, the next request retries
        current_app.logger.warning("login session touch deferred (database busy)")


def start_session(user: User) -> str:
    """Open a login session for `user` (lifetime by role) and return the token for the cookie; the
    account's ended sessions are tidied away at the same time."""
    token = secrets.token_urlsafe(32)
    idle, maximum = _session_lifetimes(user)
    now = utcnow()
    longest_idle = timedelta(hours=max(current_app.config["MEMBER_SESSION_IDLE_HOURS"],
                                       current_app.config["STAFF_SESSION_IDLE_HOURS"]))
    db.session.execute(sa.delete(LoginSession).where(
        LoginSession.user_id == user.id,
        sa.or_(LoginSession.revoked_at.is_not(None), LoginSession.expires_at <= now,
               LoginSession.last_seen_at <= now - longest_idle)))
    db.session.add(LoginSession(id=_digest(token), user_id=user.id, created_at=now, last_seen_at=now,
                                expires_at=now + maximum, idle_seconds=int(idle.total_seconds())))
    return token


def end_session(token: str | None) -> None:
    """End the login session the token belongs to (logout): a copy of the cookie no longer works."""
    if isinstance(token, str) and token:
        db.session.execute(sa.update(LoginSession).where(
            LoginSession.id == _digest(token), LoginSession.revoked_at.is_(None)).values(revoked_at=utcnow()))


def end_sessions(user: User, *, keep: str | None = None) -> int:
    """End every open session of `user` except the one `keep` belongs to; returns how many ended."""
    query = sa.update(LoginSession).where(LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None))
    if keep:
        query = query.where(LoginSession.id != _digest(keep))
    return db.session.execute(query.values(revoked_at=utcnow())).rowcount


def sign_out_everywhere(user: User) -> int:
    """退出所有设备: end every session of `user`, this one included (audit-logged); returns how many."""
    ended = end_sessions(user)
    record("sessions.ended", target=user, actor=user, summary=f"{user.staff_id} 退出所有设备", sessions=ended)
    return ended


def _shorten_sessions_for_staff(user: User) -> None:
    """Sessions opened as a member are cut to the staff lifetimes once the account holds a staff role."""
    idle = int(timedelta(hours=current_app.config["STAFF_SESSION_IDLE_HOURS"]).total_seconds())
    maximum = timedelta(hours=current_app.config["STAFF_SESSION_MAX_HOURS"])
    for row in db.session.scalars(sa.select(LoginSession).where(
            LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None))):
        row.expires_at = min(row.expires_at, row.created_at + maximum)
        row.idle_seconds = min(row.idle_seconds, idle)


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
    locked_seconds: int = 0  # > 0: refused until then, by the limit named in `limit`
    limit: str = ""  # "pair" (this account from this address), "account" or "address"
    slowed_seconds: float = 0.0  # the address is over its limit: this attempt was held back so long

    @property
    def ok(self) -> bool:
        return self.user is not None


# Tests replace it to see the delay without waiting for it.
_pause = time.sleep
_dummy_hashes: dict[str, str] = {}


def _throttle(key: str) -> LoginThrottle:
    insert_or_ignore(LoginThrottle, {"key": key, "failures": 0, "window_started_at": utcnow(), "strikes": 0},
                     ["key"])
    return db.session.get(LoginThrottle, key, with_for_update=True, populate_existing=True)


def _seconds_locked(row: LoginThrottle | None) -> int:
    if row is None or row.locked_until is None:
        return 0
    return max(0, math.ceil((row.locked_until - utcnow()).total_seconds()))


def _throttle_keys(login: str, user: User | None, address: str) -> dict[str, str]:
    # One counter per account whether it is typed as staff ID or mobile; unknown logins get their own.
    account = user.staff_id if user is not None else login.strip()[:64]
    address = address[:45]
    return {"pair": f"pair:{address}|{account}", "account": f"account:{account}", "address": f"address:{address}"}


def _live_failures(row: LoginThrottle | None, now) -> int:
    window = timedelta(seconds=current_app.config["LOGIN_FAILURE_WINDOW_SECONDS"])
    if row is None or row.window_started_at is None or now - row.window_started_at > window:
        return 0
    return row.failures or 0


def _address_retry_seconds(row: LoginThrottle, now) -> int:
    window = timedelta(seconds=current_app.config["LOGIN_FAILURE_WINDOW_SECONDS"])
    return max(1, math.ceil((row.window_started_at + window - now).total_seconds()))


def _slow_seconds(row: LoginThrottle | None, now) -> float:
    """How long an attempt from an address over its limit is held back: doubling with every further
    limit's worth of failures (and with every earlier time the address went over), up to a ceiling."""
    config = current_app.config
    limit = config["LOGIN_MAX_ADDRESS_FAILURES"]
    failures = _live_failures(row, now)
    if failures < limit:
        return 0.0
    doublings = max(0, (row.strikes or 1) - 1) + (failures - limit) // limit
    return min(config["LOGIN_MAX_SLOW_SECONDS"], config["LOGIN_SLOW_SECONDS"] * 2 ** min(doublings, 20))


def _check_password(password_hash: str | None, password: str) -> bool:
    """Whether the password matches, at the same cost whether or not the account exists.

    Unknown logins, inactive accounts and hashes made at another cost (a bulk-set initial password
    costs 0.4 ms, not 25) get one check against a dummy hash of the configured method as well, so the
    response time tells neither that an account exists nor that it still has its initial password.
    """
    method = password_hash_method()
    if method not in _dummy_hashes:
        _dummy_hashes[method] = generate_password_hash(secrets.token_hex(16), method=method)
    dummy = _dummy_hashes[method]
    if password_hash and password_hash.split("$", 1)[0] == dummy.split("$", 1)[0]:
        return check_password_hash(password_hash, password)
    check_password_hash(dummy, password)
    return bool(password_hash) and check_password_hash(password_hash, password)


def _is_outdated(password_hash: str) -> bool:
    """Whether a stored hash was made with other parameters than the configured method's.

    Only a fully specified method (scrypt:N:r:p, pbkdf2:hash:rounds) can be compared with the
    hash's own prefix. Temporary initial passwords are not upgraded: the first sign-in replaces them.
    """
    method = password_hash_method()
    fully_specified = method.count(":") == (3 if method.startswith("scrypt") else 2)
    return fully_specified and not password_hash.startswith(method + "$")


def _count_failure(kind: str, row: LoginThrottle, now, user: User | None) -> int:
    """Count one failure on a row-locked counter; returns the seconds it now refuses (0: none)."""
    config = current_app.config
    window = timedelta(seconds=config["LOGIN_FAILURE_WINDOW_SECONDS"])
    if now - (row.window_started_at or now) > window:
        # A quiet day forgets earlier locks; otherwise the next lock lasts longer than the last.
        last = row.locked_until or row.window_started_at or now
        if now - last > timedelta(seconds=config["LOGIN_MAX_LOCK_SECONDS"]):
            row.strikes = 0
        row.failures, row.window_started_at = 0, now
    row.failures = (row.failures or 0) + 1
    if kind == "address":
        if row.failures == config["LOGIN_MAX_ADDRESS_FAILURES"]:
            row.strikes = (row.strikes or 0) + 1
        if row.failures >= config["LOGIN_MAX_ADDRESS_FAILURES"]:
            return _address_retry_seconds(row, now)
        return 0
    limit = config["LOGIN_MAX_PAIR_FAILURES" if kind == "pair" else "LOGIN_MAX_ACCOUNT_FAILURES"]
    if row.failures < limit:
        return 0
    row.strikes = (row.strikes or 0) + 1
    lock = min(config["LOGIN_MAX_LOCK_SECONDS"], config["LOGIN_LOCK_SECONDS"] * 2 ** min(row.strikes - 1, 20))
    row.locked_until = now + timedelta(seconds=lock)
    row.failures, row.window_started_at = 0, now
    if kind == "account" and user is not None:
        record("account.locked", target=user, actor=user, summary=f"{user.staff_id} 登录失败次数过多")
    return _seconds_locked(row)


def authenticate(login: str, password: str, address: str) -> LoginResult:
    """Check credentials unless this account is locked (from this address or from anywhere); from an
    address over its limit, refuse accounts that failed themselves and slow the others down."""
    config = current_app.config
    user = find_by_login(login)
    keys = _throttle_keys(login, user, address)
    rows = {row.key: row for row in db.session.scalars(
        sa.select(LoginThrottle).where(LoginThrottle.key.in_(keys.values())))}
    pair, account, from_address = (rows.get(keys[kind]) for kind in ("pair", "account", "address"))
    now = utcnow()
    for kind, row in (("account", account), ("pair", pair)):
        if _seconds_locked(row):
            return LoginResult(locked_seconds=_seconds_locked(row), limit=kind)
    address_over = _live_failures(from_address, now) >= config["LOGIN_MAX_ADDRESS_FAILURES"]
    if address_over and (_live_failures(account, now) or _live_failures(pair, now)):
        return LoginResult(locked_seconds=_address_retry_seconds(from_address, now), limit="address")
    slowed = _slow_seconds(from_address, now) if address_over else 0.0
    password_hash = user.password_hash if user is not None and user.is_active else None
    outdated = password_hash is not None and not user.must_change_password and _is_outdated(password_hash)
    end_read_transaction()  # nothing written yet; the hash check below must not hold the write lock
    matched = _check_password(password_hash, password)
    if slowed:
        _pause(slowed)  # outside any transaction, right or wrong alike
    if matched:
        # A hash made with other parameters (an older default) is replaced while the password is at hand.
        new_hash = generate_password_hash(password, method=password_hash_method()) if outdated else None
        # This account's own failures are forgiven; the address keeps its count (the right password for
        # one account says nothing about the guesses made at others from the same address).
        if pair is not None or account is not None:
            db.session.execute(sa.delete(LoginThrottle).where(LoginThrottle.key.in_((keys["pair"], keys["account"]))))
        if new_hash:
            user.password_hash = new_hash
        user.last_login_at = utcnow()
        return LoginResult(user=user, slowed_seconds=slowed)
    now = utcnow()
    refusals: dict[str, int] = {}
    for kind in sorted(keys, key=keys.get):  # one lock order for every worker: no deadlocks
        row = _throttle(keys[kind])  # row-locked: concurrent failures count one after another
        if kind != "address" and _seconds_locked(row):  # locked meanwhile by a concurrent attempt
            refusals[kind] = _seconds_locked(row)
            continue
        refusals[kind] = _count_failure(kind, row, now, user)
    # The attempt that reaches a limit already hears about it; the account's own locks come first.
    for kind in ("account", "pair", "address"):
        if refusals.get(kind):
            return LoginResult(locked_seconds=refusals[kind], limit=kind, slowed_seconds=slowed)
    return LoginResult(slowed_seconds=slowed)


def clear_login_failures(user: User) -> None:
    """Forget the account's failed sign-ins (from anywhere); the addresses keep theirs."""
    db.session.execute(sa.delete(LoginThrottle).where(sa.or_(
        LoginThrottle.key == f"account:{user.staff_id}",
        LoginThrottle.key.endswith(f"|{user.staff_id}", autoescape=True))))


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


class PasswordProblem(Problem):
    """A password change refused; `field` is current_password or new_password."""


def change_own_password(user: User, current_password: str, new_password: str, *,
                        keep_session: str | None = None) -> None:
    """Set the user's own new password if the current one is right and the new one acceptable (else
    PasswordProblem); every other session of the account ends (`keep_session`'s token stays signed in).

    The two or three hash computations (~25 ms each) run outside any transaction; see
    end_read_transaction. A successful change lifts the first-login requirement.
    """
    from flask_babel import gettext as _

    current_hash, staff_id, mobile = user.password_hash, user.staff_id, user.mobile
    end_read_transaction()
    if not (current_hash and check_password_hash(current_hash, current_password)):
        raise PasswordProblem(_("当前密码不正确"), field="current_password")
    problem = validate_new_password(new_password, staff_id=staff_id, mobile=mobile, current_hash=current_hash)
    if problem:
        raise PasswordProblem(problem, field="new_password")
    new_hash = generate_password_hash(new_password, method=password_hash_method())
    user.password_hash = new_hash
    user.must_change_password = False
    ended = end_sessions(user, keep=keep_session)
    record("password.changed", target=user, actor=user, sessions_ended=ended)


def random_password(length: int = 8) -> str:
    """A random initial password with at least one letter and one digit."""
    while True:
        candidate = "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(length))
        if not candidate.isdigit() and not candidate.isalpha():
            return candidate


def reset_password(actor: User, member: User) -> str:
    """Give `member` a new random initial password (to change at next login) and return it; all of the
    member's sessions end, and the account's failed sign-ins are forgiven (a lock no longer applies)."""
    password = random_password()
    member.set_password(password)
    member.must_change_password = True
    end_sessions(member)
    clear_login_failures(member)
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
    if grants:
        _shorten_sessions_for_staff(user)
    record("roles.changed", target=user, actor=actor, summary=f"{user.name}（{user.staff_id}）",
           before=before, after=sorted(roles), liaison_unit_id=liaison_unit_id)


def register_password_change_gate(app) -> None:
    """Accounts created by import or by an organiser must pick their own password first."""
    allowed = {"auth.change_password", "auth.logout", "static", "core.healthz", "core.set_language"}

    @app.before_request
    def require_password_change():
        # The endpoint first: static files and the health check never load the user.
        if (request.endpoint not in allowed and current_user.is_authenticated
                and current_user.must_change_password):
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
