"""Snapshots: the raw page bodies a check read, recorded so the verdict can be replayed offline.

Layout of a snapshot directory (format_version 1):

    manifest.json         what was captured, when, from where, and a SHA-256 of every body
    bodies/000001.json    one raw page body each, byte for byte as the API sent it

`manifest.json` lists each listing by request path (`/indexes/prod/backup-schedules`) with
its page files in order, or with the one-line reason it could not be read. Body files are
numbered, never named after API strings, so no index or schedule name can steer a write
outside the directory. The API key is never written.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from checker import __version__, jsonsafe
from checker.errors import Unreadable, UsageError
from checker.files import write_atomically
from checker.source.gather import PageCheck, PageReader
from checker.timeutil import format_utc

MANIFEST = "manifest.json"
FORMAT = "backup-drift-snapshot"
FORMAT_VERSION = 1


@dataclass
class Recording:
    """What a reader returned, listing by listing, in the order it was asked."""

    listings: dict[str, tuple[bytes, ...] | str] = field(default_factory=dict)  # str: reason


class RecordingReader:
    """Wraps a reader and remembers every listing it returned or failed to return.

    Safe to share between fetch threads: each listing is one dict assignment.
    """

    def __init__(self, inner: PageReader) -> None:
        self._inner = inner
        self.recording = Recording()

    def get_pages(self, path: str, check: PageCheck | None = None) -> tuple[bytes, ...]:
        try:
            pages = self._inner.get_pages(path, check)
        except Unreadable as exc:
            self.recording.listings[path] = str(exc)
            raise
        self.recording.listings[path] = pages
        return pages


@dataclass(frozen=True)
class CaptureInfo:
    captured_at: datetime
    api_url: str
    api_version: str
    spec: str


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _manifest(info: CaptureInfo, listings: list[dict[str, object]], files: dict[str, str]) -> bytes:
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "captured_at": format_utc(info.captured_at),
        "api_url": info.api_url,
        "api_version": info.api_version,
        "tool": {"name": "backup-drift", "version": __version__},
        "spec": info.spec,
        "listings": listings,
        "files": files,
    }
    return (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode()


def _scrub(data: bytes, secrets: Sequence[str]) -> bytes:
    """Remove any secret an API answer might echo; a snapshot is evidence, often shared."""
    for secret in secrets:
        data = data.replace(secret.encode(), b"[REDACTED]")
    return data


def write_snapshot(
    directory: Path, recording: Recording, info: CaptureInfo, secrets: Sequence[str] = ()
) -> None:
    """Write bodies and manifest; the manifest goes last, so a half-written snapshot has none."""
    bodies = directory / "bodies"
    bodies.mkdir(parents=True, exist_ok=True)
    listings: list[dict[str, object]] = []
    files: dict[str, str] = {}
    for path, pages in sorted(recording.listings.items()):  # reads finish in any order
        if isinstance(pages, str):
            listings.append(
                {"path": path, "pages": [], "error": _scrub(pages.encode(), secrets).decode()}
            )
            continue
        names = []
        for raw in pages:
            body = _scrub(raw, secrets)
            name = f"bodies/{len(files) + 1:06d}.json"
            (directory / name).write_bytes(body)
            files[name] = _sha256(body)
            names.append(name)
        listings.append({"path": path, "pages": names, "error": None})
    write_atomically(directory / MANIFEST, _manifest(info, listings, files))


# --------------------------------------------------------------------------- replay


def _bad(directory: Path, problem: str) -> UsageError:
    return UsageError(f"{directory}: not a usable snapshot: {problem}")


def _load_manifest(directory: Path) -> Mapping[str, object]:
    try:
        manifest = jsonsafe.loads((directory / MANIFEST).read_bytes())
    except FileNotFoundError as exc:
        raise _bad(directory, f"{MANIFEST} is missing") from exc
    except (OSError, ValueError) as exc:
        raise _bad(directory, f"{MANIFEST} cannot be read ({exc.__class__.__name__})") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _bad(directory, f"{MANIFEST} is not a backup-drift snapshot manifest")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise _bad(directory, f"unsupported format_version {manifest.get('format_version')!r}")
    return manifest


def _safe_body_path(directory: Path, name: object) -> str:
    """A body file inside the snapshot; any other name is refused (no path traversal).

    A plain string path: a replay opens a thousand bodies or more, and building a `Path`
    for each cost a third of reading it.
    """
    if not isinstance(name, str) or not name.startswith("bodies/") or "/" in name[7:]:
        raise _bad(directory, f"invalid body file name {name!r}")
    if name[7:] in ("", ".", ".."):
        raise _bad(directory, f"invalid body file name {name!r}")
    return os.path.join(directory, name)


def _read_whole(path: str) -> bytes:
    """A file's bytes through its raw descriptor: a replay reads a thousand bodies or more,
    and a buffered file object per body cost more than the read itself."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        size = os.fstat(fd).st_size
        chunks = [os.read(fd, size + 1)]
        if len(chunks[0]) <= size:  # a short read of a regular file: its end was reached
            return chunks[0]
        while chunks[-1]:  # it grew since: read on to its end
            chunks.append(os.read(fd, 1 << 16))
        return b"".join(chunks)
    finally:
        os.close(fd)


class SnapshotReader:
    """Serves recorded listings; every body is checked against its SHA-256 first."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        manifest = _load_manifest(directory)
        self.api_version = str(manifest.get("api_version", ""))
        self.api_url = str(manifest.get("api_url", ""))
        self._files = self._hashes(manifest.get("files"))
        self._listings = self._index_listings(manifest.get("listings"))

    def _hashes(self, files: object) -> dict[str, str]:
        if not isinstance(files, dict) or not all(isinstance(v, str) for v in files.values()):
            raise _bad(self.directory, "'files' must map body files to SHA-256 digests")
        return files

    def _index_listings(self, listings: object) -> dict[str, tuple[str, ...] | str]:
        if not isinstance(listings, list):
            raise _bad(self.directory, "'listings' must be a list")
        indexed: dict[str, tuple[str, ...] | str] = {}
        for entry in listings:
            if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
                raise _bad(self.directory, "every listing needs a 'path'")
            error, pages = entry.get("error"), entry.get("pages")
            if isinstance(error, str):
                indexed[entry["path"]] = error
            elif isinstance(pages, list) and all(isinstance(p, str) for p in pages):
                indexed[entry["path"]] = tuple(pages)
            else:
                raise _bad(self.directory, f"listing {entry['path']!r} has no pages or error")
        return indexed

    def _body(self, name: str) -> bytes:
        path = _safe_body_path(self.directory, name)
        try:
            body = _read_whole(path)
        except OSError as exc:
            raise _bad(self.directory, f"{name} cannot be read") from exc
        if _sha256(body) != self._files.get(name):
            raise _bad(self.directory, f"{name} does not match its SHA-256 in {MANIFEST}")
        return body

    def get_pages(self, path: str, check: PageCheck | None = None) -> tuple[bytes, ...]:
        listing = self._listings.get(path)
        if listing is None:
            raise Unreadable(f"GET {path}: not recorded in snapshot {self.directory}")
        if isinstance(listing, str):
            raise Unreadable(listing)
        return tuple(self._body(name) for name in listing)
