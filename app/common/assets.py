"""Static files under versioned URLs: /static/css/app.css?v=<content hash>, cached by browsers for a year.

Every url_for("static", filename=...) gets ?v= (the first 12 hex digits of the file's SHA-256), so a
phone fetches the page's CSS and JS once and not again until a release changes them: a new file
has a new URL. A request whose ?v= is the file's current hash is answered with
`Cache-Control: public, max-age=31536000, immutable`; anything else (no ?v=, an old one) keeps
Flask's revalidating default. In production nginx serves /static itself with the same rule (README).
"""
import hashlib
from pathlib import Path

from flask import request

ONE_YEAR = 365 * 24 * 3600


class AssetVersions:
    """Content hashes of the app's static files, computed once per file (again after a change in debug)."""

    def __init__(self, folder: str, *, watch: bool):
        self.folder = Path(folder).resolve()
        self.watch = watch
        self._hashes: dict[str, tuple[float, str | None]] = {}

    def version(self, filename: str) -> str | None:
        known = self._hashes.get(filename)
        if known is not None and not self.watch:
            return known[1]
        path = (self.folder / filename).resolve()
        try:
            if not path.is_relative_to(self.folder):
                return None
            mtime = path.stat().st_mtime
        except OSError:
            return None
        if known is not None and known[0] == mtime:
            return known[1]
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        self._hashes[filename] = (mtime, digest)
        return digest


def register_static_versions(app) -> None:
    versions = AssetVersions(app.static_folder, watch=app.debug)
    app.extensions["asset_versions"] = versions

    @app.url_defaults
    def add_static_version(endpoint, values):
        if endpoint == "static" and "v" not in values and values.get("filename"):
            version = versions.version(values["filename"])
            if version:
                values["v"] = version

    @app.after_request
    def cache_versioned_static(response):
        if request.endpoint == "static" and response.status_code == 200:
            wanted = request.args.get("v")
            if wanted and wanted == versions.version(request.view_args.get("filename", "")):
                response.cache_control.public = True
                response.cache_control.max_age = ONE_YEAR
                response.cache_control.immutable = True
                response.cache_control.no_cache = None
        return response
