"""stream_zip: the streamed archive opens, holds every file byte for byte under its Chinese name,
and is handed out in pieces rather than built whole."""
import io
import os
import zipfile

from app.common.zipstream import stream_zip


def test_a_streamed_archive_holds_every_file_byte_for_byte(tmp_path):
    files = []
    for index, size in enumerate((0, 10, 3 * 1024 * 1024 + 17)):
        path = tmp_path / f"f{index}.jpg"
        path.write_bytes(os.urandom(size))
        files.append((f"{index + 1:03d}_市委办公室_张三_春{index}.jpg", path))
    pieces = list(stream_zip(files))
    assert len([piece for piece in pieces if piece]) > 3  # handed out as it goes, not in one piece
    archive = zipfile.ZipFile(io.BytesIO(b"".join(pieces)))
    assert archive.testzip() is None
    assert archive.namelist() == [name for name, _ in files]
    for name, path in files:
        assert archive.read(name) == path.read_bytes()
