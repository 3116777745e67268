"""Configuration read from SAISHI_* environment variables."""
import contextlib
import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _hours(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    hours = float(value) if value else float(default)
    if not hours > 0:
        raise RuntimeError(f"{name} must be a positive number of hours")
    return hours


def instance_secret_key(instance_path: Path) -> str:
    """Return the secret kept in instance/, creating it (mode 0600) on first use.

    Several workers may start at once: the key is written to a private temporary file and linked
    into place, so nobody ever reads a half-written key and the first writer wins.
    """
    instance_path.mkdir(parents=True, exist_ok=True)
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        fd, temporary = tempfile.mkstemp(prefix=".secret_key.", dir=instance_path)  # mode 0600
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
                handle.flush()
                os.fsync(handle.fileno())
            with contextlib.suppress(FileExistsError):  # another worker got there first: use theirs
                os.link(temporary, key_file)
        finally:
            os.unlink(temporary)
    return key_file.read_text().strip()


def load_config(instance_path: Path) -> dict:
    """Build the config mapping from the environment; unset values fall back to embedded defaults."""
    environment = os.environ.get("SAISHI_ENV", "development")
    database_url = os.environ.get("SAISHI_DATABASE_URL") or f"sqlite:///{instance_path / 'saishi.db'}"
    secret_key = os.environ.get("SAISHI_SECRET_KEY")
    if environment == "production" and not secret_key:
        raise RuntimeError("SAISHI_SECRET_KEY must be set when SAISHI_ENV=production")
    upload_folder = os.environ.get("SAISHI_UPLOAD_FOLDER") or str(instance_path / "uploads")
    https = _flag("SAISHI_HTTPS")
    return {
        "SAISHI_ENV": environment,
        "SECRET_KEY": secret_key or instance_secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url,
        # PostgreSQL: a connection dropped by a server restart is noticed before use (off for SQLite files).
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "UPLOAD_FOLDER": upload_folder,
        "MAX_CONTENT_LENGTH": int(os.environ.get("SAISHI_MAX_UPLOAD_MB", "20")) * 1024 * 1024,
        "REDIS_URL": os.environ.get("SAISHI_REDIS_URL", ""),
        # Long work runs as a job (app/common/jobs.py): queued in Redis when REDIS_URL is set, else in
        # instance/jobs.sqlite3; run by `flask jobs worker`. Imports of more rows, and exports of more
        # answers, than these run as jobs with a progress bar (0: always a job).
        "JOBS_SYNC_MAX_ROWS": int(os.environ.get("SAISHI_JOBS_SYNC_MAX_ROWS", "2000")),
        "JOBS_SYNC_MAX_ANSWERS": int(os.environ.get("SAISHI_JOBS_SYNC_MAX_ANSWERS", "20000")),
        # Uploads waiting for a job and its result files (private; web workers and consumers share it).
        "JOBS_FOLDER": os.environ.get("SAISHI_JOBS_FOLDER") or str(instance_path / "private" / "jobs"),
        "JOBS_FILE_MAX_AGE_SECONDS": int(os.environ.get("SAISHI_JOBS_FILE_MAX_AGE_SECONDS", "3600")),
        "JOBS_ROW_MAX_AGE_DAYS": int(os.environ.get("SAISHI_JOBS_ROW_MAX_AGE_DAYS", "90")),
        # A running job that has not reported for this long is shown as interrupted (its consumer died).
        "JOBS_STALE_SECONDS": int(os.environ.get("SAISHI_JOBS_STALE_SECONDS", "600")),
        "JOBS_QUEUE_NAME": os.environ.get("SAISHI_JOBS_QUEUE_NAME", "saishi"),
        "JOBS_SQLITE_PATH": os.environ.get("SAISHI_JOBS_SQLITE_PATH") or str(instance_path / "jobs.sqlite3"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # The session cookie is written when it changes, not re-signed on every autosave (~5 % of the
        # request). The cookie only carries a session token; how long a sign-in lasts is decided on the
        # server (login_sessions, the SESSION_* lifetimes below). The cookie lives as long as the
        # longest server-side session can.
        "SESSION_REFRESH_EACH_REQUEST": False,
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=_hours("SAISHI_MEMBER_SESSION_MAX_HOURS", 30 * 24)),
        # Members: 7 days idle, 30 days at most. They sign in on their own phone, practise during the
        # day and take the quiz in the evening, often days later; signing in again mid-campaign is
        # what makes them give up. Staff (organisers, admins, liaisons, judges) can export the roster
        # with every mobile number and reset passwords, often on shared office or venue computers:
        # 4 hours idle (a lunch break or a meeting) and 12 hours at most (one working day or one contest).
        "MEMBER_SESSION_IDLE_HOURS": _hours("SAISHI_MEMBER_SESSION_IDLE_HOURS", 7 * 24),
        "MEMBER_SESSION_MAX_HOURS": _hours("SAISHI_MEMBER_SESSION_MAX_HOURS", 30 * 24),
        "STAFF_SESSION_IDLE_HOURS": _hours("SAISHI_STAFF_SESSION_IDLE_HOURS", 4),
        "STAFF_SESSION_MAX_HOURS": _hours("SAISHI_STAFF_SESSION_MAX_HOURS", 12),
        # last_seen_at is written at most this often per session (not on every autosave).
        "SESSION_TOUCH_SECONDS": 300,
        "SESSION_COOKIE_SECURE": https,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": https,
        "PREFERRED_URL_SCHEME": "https" if https else "http",
        # Reverse proxies in front of the app (nginx: 1). Their X-Forwarded-For/-Proto is trusted, so
        # the address throttle and the audit log see the visitor, not the proxy.
        "SAISHI_PROXY_COUNT": int(os.environ.get("SAISHI_PROXY_COUNT", "0")),
        "WTF_CSRF_TIME_LIMIT": None,  # a quiz may run for hours on one page
        "BABEL_DEFAULT_LOCALE": "zh",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "app" / "translations"),
        "SAISHI_LANGUAGES": ["zh", "en"],
        # Passwords people choose: scrypt with N=2^14, r=8, p=1 (16 MiB, ~25 ms here), Django's scrypt
        # default. werkzeug's N=2^15 takes ~65 ms, which at 1,000 sign-ins in a minute is more than half
        # of a 2-core server. Hashes made with other parameters still verify. Tests override it with a
        # fast method.
        "PASSWORD_HASH_METHOD": "scrypt:16384:8:1",
        # Each server hashes at most this many passwords at once, at normal priority (default: half its
        # cores, at least one), over every worker and pool sharing the lock folder; a sign-in waits
        # this long for a free slot before "busy, try again" (app/accounts/hashing.py).
        "SAISHI_HASHING_SLOTS": int(os.environ.get("SAISHI_HASHING_SLOTS", "0")) or None,
        "SAISHI_HASHING_LOCK_DIR": os.environ.get("SAISHI_HASHING_LOCK_DIR") or str(instance_path / "hashing-slots"),
        "SAISHI_HASHING_WAIT_SECONDS": float(os.environ.get("SAISHI_HASHING_WAIT_SECONDS", "10")),
        # Login throttling, counted in the database (see README, Security). Within one window:
        # an account from one address (a member who forgot their password) is locked after 5 failures,
        # an account from anywhere after 10 (guessing from many addresses); each further lock of the
        # same counter lasts twice as long, up to a day. An address over 30 failures (one intranet
        # address may be a whole building) refuses only accounts that have failed themselves and
        # slows the others by a delay that doubles with every further 30 failures, up to 8 s.
        "LOGIN_MAX_PAIR_FAILURES": int(os.environ.get("SAISHI_LOGIN_MAX_PAIR_FAILURES", "5")),
        "LOGIN_MAX_ACCOUNT_FAILURES": int(os.environ.get("SAISHI_LOGIN_MAX_FAILURES", "10")),
        "LOGIN_MAX_ADDRESS_FAILURES": int(os.environ.get("SAISHI_LOGIN_MAX_ADDRESS_FAILURES", "30")),
        "LOGIN_FAILURE_WINDOW_SECONDS": int(os.environ.get("SAISHI_LOGIN_WINDOW_SECONDS", str(15 * 60))),
        "LOGIN_LOCK_SECONDS": int(os.environ.get("SAISHI_LOGIN_LOCK_SECONDS", str(15 * 60))),
        "LOGIN_MAX_LOCK_SECONDS": int(os.environ.get("SAISHI_LOGIN_MAX_LOCK_SECONDS", str(24 * 3600))),
        "LOGIN_SLOW_SECONDS": float(os.environ.get("SAISHI_LOGIN_SLOW_SECONDS", "1")),
        "LOGIN_MAX_SLOW_SECONDS": float(os.environ.get("SAISHI_LOGIN_MAX_SLOW_SECONDS", "8")),
        # Check-in (events/checkin): a venue code lives its 30 s slot plus this grace; a scan waits
        # this long for the login; failed check-ins count per member, browser and address.
        "CHECKIN_TOKEN_GRACE_SECONDS": int(os.environ.get("SAISHI_CHECKIN_GRACE_SECONDS", "30")),
        "CHECKIN_PENDING_SECONDS": int(os.environ.get("SAISHI_CHECKIN_PENDING_SECONDS", "300")),
        "CHECKIN_MAX_MEMBER_FAILURES": int(os.environ.get("SAISHI_CHECKIN_MAX_MEMBER_FAILURES", "10")),
        "CHECKIN_MAX_SESSION_FAILURES": int(os.environ.get("SAISHI_CHECKIN_MAX_SESSION_FAILURES", "20")),
        "CHECKIN_MAX_ADDRESS_FAILURES": int(os.environ.get("SAISHI_CHECKIN_MAX_ADDRESS_FAILURES", "3000")),
        "CHECKIN_THROTTLE_WINDOW_SECONDS": int(os.environ.get("SAISHI_CHECKIN_THROTTLE_WINDOW_SECONDS", "600")),
    }


def check_production_config(app) -> None:
    """Refuse to serve production with debug on or without an explicit secret."""
    if app.config.get("SAISHI_ENV") != "production":
        return
    if app.debug:
        raise RuntimeError("Refusing to start: debug mode is on in production")
    if not os.environ.get("SAISHI_SECRET_KEY"):
        raise RuntimeError("SAISHI_SECRET_KEY must be set when SAISHI_ENV=production")
