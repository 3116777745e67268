"""Private files (job uploads and results, password sheets): owner-only modes, whole files, swept when old."""
import os
import stat
import time

from app.common.uploads import private_folder, purge_older_than, write_private


def test_private_files_are_readable_by_the_app_alone_and_never_half_written(app, tmp_path):
    app.config["SOME_FOLDER"] = str(tmp_path / "private" / "some")
    folder = private_folder("SOME_FOLDER", "unused", create=True)
    name = write_private(folder, b"PK\x03\x04 secret", "xlsx")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600
    assert (folder / name).read_bytes() == b"PK\x03\x04 secret"
    assert name.endswith(".xlsx") and len(name) > 30
    assert sorted(os.listdir(folder)) == [name]  # no temporary file left beside it


def test_the_default_folder_is_private_under_the_instance(app):
    folder = private_folder("NOT_CONFIGURED", "sheets")
    assert folder == __import__("pathlib").Path(app.instance_path) / "private" / "sheets"


def test_old_files_are_swept_and_new_ones_kept(app, tmp_path):
    folder = tmp_path / "files"
    old = write_private(folder, b"old", "xlsx")
    new = write_private(folder, b"new", "xlsx")
    long_ago = time.time() - 7200
    os.utime(folder / old, (long_ago, long_ago))
    assert purge_older_than(folder, 3600, "*.xlsx") == 1
    assert sorted(os.listdir(folder)) == [new]
    assert purge_older_than(tmp_path / "missing", 3600) == 0
