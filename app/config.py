"""Configuration read from SAISHI_* environment variables."""
import contextlib
import os
import secrets
import tempfile
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


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
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # The session cookie is written when it changes, not re-signed on every autosave (~5 % of the
        # request); a sign-in lasts PERMANENT_SESSION_LIFETIME (31 days) from signing in.
        "SESSION_REFRESH_EACH_REQUEST": False,
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
        # of a 2-core server; hashing also runs at low CPU priority (app/accounts/hashing.py). Hashes
        # made with other parameters still verify. Tests override it with a fast method.
        "PASSWORD_HASH_METHOD": "scrypt:16384:8:1",
        # Login throttling: per account and per source address, counted in the database.
        "LOGIN_MAX_ACCOUNT_FAILURES": int(os.environ.get("SAISHI_LOGIN_MAX_FAILURES", "5")),
        "LOGIN_MAX_ADDRESS_FAILURES": int(os.environ.get("SAISHI_LOGIN_MAX_ADDRESS_FAILURES", "30")),
        "LOGIN_FAILURE_WINDOW_SECONDS": 15 * 60,
        "LOGIN_LOCK_SECONDS": int(os.environ.get("SAISHI_LOGIN_LOCK_SECONDS", str(15 * 60))),
    }


def check_production_config(app) -> None:
    """Refuse to serve production with debug on or without an explicit secret."""
    if app.config.get("SAISHI_ENV") != "production":
        return
    if app.debug:
        raise RuntimeError("Refusing to start: debug mode is on in production")
    if not os.environ.get("SAISHI_SECRET_KEY"):
        raise RuntimeError("SAISHI_SECRET_KEY must be set when SAISHI_ENV=production")
