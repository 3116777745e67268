"""A ZIP archive streamed as it is written: a download of a gigabyte of originals never sits in
memory or in a temporary file. Members are stored (photos are already compressed) and written
with data descriptors, which is what zipfile does on a stream it cannot seek."""
from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

CHUNK_SIZE = 1024 * 1024


class _Pipe:
    """A write-only file object whose writes are collected for the generator to hand out."""

    def __init__(self):
        self.chunks: list[bytes] = []
        self.position = 0

    def write(self, data) -> int:
        self.chunks.append(bytes(data))
        self.position += len(data)
        return len(data)

    def tell(self) -> int:
        return self.position

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data, self.chunks = b"".join(self.chunks), []
        return data


def stream_zip(members: Iterable[tuple[str, Path]]) -> Iterator[bytes]:
    """Yield the bytes of a ZIP holding each (name in the archive, file on disk), reading each file
    in 1 MB chunks; names may be Chinese (zipfile marks them UTF-8)."""
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for name, path in members:
            info = zipfile.ZipInfo.from_file(path, arcname=name)
            info.compress_type = zipfile.ZIP_STORED
            with path.open("rb") as source, archive.open(info, mode="w", force_zip64=True) as target:
                while chunk := source.read(CHUNK_SIZE):
                    target.write(chunk)
                    if pipe.chunks:
                        yield pipe.take()
            yield pipe.take()
    yield pipe.take()
