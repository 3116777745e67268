"""Uploads read with a limit, and staged uploads claimed only by their owner, once, within a day."""
import io
import os
import time

import pytest

from app.common.uploads import (
    STAGING_MAX_AGE_SECONDS,
    UploadTooLarge,
    claim_staged,
    read_limited,
    stage_upload,
    staged_path,
    staging_folder,
)


class CountingStream(io.BytesIO):
    def __init__(self, data):
        super().__init__(data)
        self.read_bytes = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.read_bytes += len(chunk)
        return chunk


def test_an_upload_over_the_limit_is_refused_before_it_is_read_whole():
    stream = CountingStream(b"x" * (50 * 1024 * 1024))
    with pytest.raises(UploadTooLarge):
        read_limited(stream, 3 * 1024 * 1024)
    assert stream.read_bytes <= 3 * 1024 * 1024 + 1
    assert read_limited(io.BytesIO(b"abc"), 3) == b"abc"


def test_a_staged_file_is_claimed_by_its_owner_only_and_moves_once(app, tmp_path):
    token = stage_upload(b"picture", "jpg", owner_id=7)
    assert staged_path(token, owner_id=8) is None  # another member's token is worthless to them
    assert staged_path(token + "x", owner_id=7) is None
    assert staged_path(token, owner_id=7).read_bytes() == b"picture"
    name = claim_staged(token, 7, tmp_path / "originals")
    assert (tmp_path / "originals" / name).read_bytes() == b"picture"
    assert oct((tmp_path / "originals" / name).stat().st_mode & 0o777) == "0o600"
    assert claim_staged(token, 7, tmp_path / "originals") is None  # the second claim finds nothing


def test_staged_files_older_than_a_day_are_swept_by_the_next_upload(app):
    old = staged_path(stage_upload(b"old", "png", owner_id=1), 1)
    past = time.time() - STAGING_MAX_AGE_SECONDS - 60
    os.utime(old, (past, past))
    stage_upload(b"new", "png", owner_id=1)
    assert not old.exists() and len(list(staging_folder().iterdir())) == 1
