"""A data directory held where Spark reads it: HDFS, S3A, or any URI its Hadoop file systems
know (`python -m queries build --data hdfs://… --engine spark`, docs/DATA.md §9).

Such an extract is read in two places. Spark's executors read its files where they are, for
the checks of its values, the rollups and the findings. This machine keeps a copy of them, the
mirror, in the cache folder: DuckDB reads the files' footers there (their columns, types and
row counts), and the dashboard and every other command open it as a local extract. Each build brings the
mirror up to date through Hadoop's FileSystem API, the client, configuration and credentials
Spark itself reads with: a file of the same size and modification time is kept, a new or
changed file is copied, a file gone from the source goes from the mirror. After Spark's job the
source is listed again, and a source that changed meanwhile fails the build rather than give
rollups and checks of different files.

The mirror is never the source: nothing is ever written to the data directory itself.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import labels
from .checks import ExtractRefused
from .extract import SparkFailed, default_cache_dir

_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def is_uri(data: str | Path) -> bool:
    """Whether `data` names a data directory by URI (hdfs://, s3a://, file://, …) rather than a
    path of this machine."""
    return isinstance(data, str) and bool(_URI.match(data))


def _root(uri: str) -> str:
    return uri.rstrip("/") if not uri.endswith("://") else uri


def mirror_dir(uri: str, cache_dir: str | Path | None = None) -> Path:
    """Where this machine keeps the copy of the extract at `uri`: beside the caches, one
    folder per URI."""
    cache = Path(cache_dir) if cache_dir else default_cache_dir()
    return (cache / f"source-{hashlib.sha256(_root(uri).encode()).hexdigest()[:12]}").resolve()


def local_data_dir(data: str, cache_dir: str | Path | None = None) -> Path:
    """The folder that holds the extract `data` on this machine: the folder itself, or for a
    URI the mirror its last Spark build made. ExtractRefused when there is none yet."""
    if not is_uri(data):
        return Path(os.path.abspath(data))
    mirror = mirror_dir(data, cache_dir)
    if not mirror.is_dir():
        raise ExtractRefused(labels.REMOTE["not_mirrored"].format(uri=data))
    return mirror


def name_of(uri: str) -> str:
    """How the extract is named (extract_info.name): the last two parts of the URI's path."""
    parts = [p for p in _root(uri).split("://", 1)[1].split("/") if p]
    return "/".join(parts[-2:]) if parts else uri


def remote_file(uri: str, mirror: Path, local: Path) -> str:
    """The source of a file of the mirror: where Spark reads it."""
    return f"{_root(uri)}/{local.relative_to(mirror).as_posix()}"


# --- Hadoop's FileSystem, through the Spark session's JVM ----------------------------------------

def _filesystem(spark, uri: str):
    """(file system, qualified root path) for `uri`; SparkFailed in Chinese when Spark has no
    file system for its scheme (S3A needs hadoop-aws, docs/DATA.md §9)."""
    jvm = spark.sparkContext._jvm
    path = jvm.org.apache.hadoop.fs.Path(uri)
    try:
        fs = path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    except Exception as exc:  # py4j's error for the JVM's: UnsupportedFileSystemException above all
        raise SparkFailed(labels.REMOTE["no_filesystem"].format(
            scheme=uri.split("://", 1)[0], error=_first_line(exc))) from None
    return fs, fs.makeQualified(path)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    for line in text.splitlines():  # py4j puts the Java exception on its own line
        if "Exception:" in line:
            return line.strip()[:300]
    return text.splitlines()[0][:300] if text else type(exc).__name__


def _local_path(jvm, path: Path):
    """A file of this machine as Hadoop's Path: from its URI as a URI (a Path made from the text
    of a URI would keep %20 for a space, %E4… for Chinese, in the name)."""
    return jvm.org.apache.hadoop.fs.Path(jvm.java.net.URI(path.as_uri()))


def _listing(fs, root, uri: str) -> dict[str, tuple[int, int]]:
    """The extract's Parquet files at `uri` (`root` in file system `fs`), each by its path under
    it: (bytes, modified in ms). ExtractRefused when `uri` is not a folder."""
    try:
        if not fs.exists(root):
            raise ExtractRefused(labels.MSG["no_data_dir"].format(path=uri))
        if not fs.getFileStatus(root).isDirectory():
            raise ExtractRefused(labels.MSG["data_dir_is_file"].format(path=uri))
        base = root.toUri().getPath().rstrip("/") + "/"
        found = {}
        files = fs.listFiles(root, True)
        while files.hasNext():
            status = files.next()
            path = status.getPath().toUri().getPath()
            if path.endswith(".parquet") and path.startswith(base):
                found[path[len(base):]] = (int(status.getLen()), int(status.getModificationTime()))
        return found
    except Exception as exc:
        if not type(exc).__module__.startswith(("pyspark", "py4j")):
            raise
        raise SparkFailed(labels.REMOTE["unreadable"].format(uri=uri, error=_first_line(exc))) from None


def _local_state(mirror: Path) -> dict[str, tuple[int, int]]:
    """The mirror's files as `listing` gives the source's: (bytes, modified in ms)."""
    if not mirror.is_dir():
        return {}
    state = {}
    for f in mirror.rglob("*.parquet"):
        st = f.stat()
        state[f.relative_to(mirror).as_posix()] = (st.st_size, st.st_mtime_ns // 1_000_000)
    return state


@dataclass(frozen=True)
class Synced:
    mirror: Path
    copied: int
    kept: int
    removed: int
    bytes_copied: int


def sync(spark, uri: str, cache_dir: str | Path | None = None,
         progress: Callable[[int, int], None] | None = None) -> Synced:
    """Bring the mirror of `uri` up to date: copy what is new or changed (each file first into
    a folder beside the mirror, then moved in), remove what the source no longer has.
    `progress(k, n)`: k of the n files to copy are in."""
    mirror = mirror_dir(uri, cache_dir)
    fs, root = _filesystem(spark, uri)
    source = _listing(fs, root, uri)
    have = _local_state(mirror)
    wanted = sorted(rel for rel, state in source.items() if have.get(rel) != state)
    gone = sorted(rel for rel in have if rel not in source)
    for leftover in mirror.parent.glob(f"{mirror.name}.incoming-*"):  # of a sync that was killed
        shutil.rmtree(leftover, ignore_errors=True)
    incoming = mirror.with_name(f"{mirror.name}.incoming-{uuid.uuid4().hex[:8]}")
    jvm = spark.sparkContext._jvm
    copied_bytes = 0
    try:
        for k, rel in enumerate(wanted):
            if progress is not None:
                progress(k, len(wanted))
            target = incoming / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            try:  # the raw local file system: no .crc file beside the copy
                fs.copyToLocalFile(False, jvm.org.apache.hadoop.fs.Path(root, rel), _local_path(jvm, target), True)
            except Exception as exc:
                if not type(exc).__module__.startswith(("pyspark", "py4j")):
                    raise
                raise SparkFailed(labels.REMOTE["copy_failed"].format(
                    file=f"{_root(uri)}/{rel}", error=_first_line(exc))) from None
            size, modified = source[rel]
            if target.stat().st_size != size:  # changed while it was copied
                raise SparkFailed(labels.REMOTE["changed"].format(uri=uri))
            os.utime(target, ns=(modified * 1_000_000, modified * 1_000_000))
            copied_bytes += size
        for rel in wanted:  # every copy is in: now into the mirror, each a rename
            (mirror / rel).parent.mkdir(parents=True, exist_ok=True)
            os.replace(incoming / rel, mirror / rel)
        for rel in gone:
            (mirror / rel).unlink(missing_ok=True)
        _prune_empty(mirror)
        mirror.mkdir(parents=True, exist_ok=True)  # an empty source still has its (empty) mirror
    finally:
        shutil.rmtree(incoming, ignore_errors=True)
    if progress is not None and wanted:
        progress(len(wanted), len(wanted))
    return Synced(mirror, len(wanted), len(source) - len(wanted), len(gone), copied_bytes)


def _prune_empty(folder: Path) -> None:
    """Remove folders left empty inside the mirror (a table folder the source no longer has)."""
    if not folder.is_dir():
        return
    for sub in sorted((p for p in folder.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
        try:
            sub.rmdir()
        except OSError:
            continue


def unchanged(spark, uri: str, mirror: Path) -> None:
    """SparkFailed when the source no longer holds exactly the mirror's files: Spark read
    other files than those whose footers the checks read here."""
    if _listing(*_filesystem(spark, uri), uri) != _local_state(mirror):
        raise SparkFailed(labels.REMOTE["changed"].format(uri=uri))


# --- a shared folder for the tables Spark writes (FEE_SPARK_WORK) --------------------------------

def fetch_folder(spark, uri: str, local: Path) -> None:
    """Copy the folder `uri` (a table Spark wrote) to `local` on this machine."""
    fs, root = _filesystem(spark, uri)
    jvm = spark.sparkContext._jvm
    local.mkdir(parents=True, exist_ok=True)
    for status in fs.listStatus(root):
        name = status.getPath().getName()
        if status.isFile() and name.endswith(".parquet"):
            fs.copyToLocalFile(False, status.getPath(), _local_path(jvm, local / name), True)


def delete(spark, uri: str) -> None:
    """Remove the folder `uri` and all it holds (the build's tables in the shared folder)."""
    fs, root = _filesystem(spark, uri)
    fs.delete(root, True)
