"""Writing a folder atomically: a staging folder beside it, then renames.

A model folder is written into ``.NAME.saving-<host>-<pid>-<random>`` next to
``NAME`` and renamed into place (:func:`_publish`); the previous folder is moved
aside to ``.NAME.old-*`` until the new one is in. What a killed process leaves
behind is tidied on the next save or load of ``NAME``: an ``.old-*`` backup is put
back when ``NAME`` is missing (:func:`_recover_interrupted_save`), and staging
folders of saves that died are removed (:func:`_remove_leftover_saves`).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import socket
import tempfile
import time
import warnings
from pathlib import Path

META_FILE = "meta.json"

#: A staging folder without an owner in its name (written by itunlp before the
#: owner was recorded) or owned by another machine is left alone this long.
_FOREIGN_STAGING_AGE = 24 * 3600.0

_STAGING_NAME = re.compile(r"\.saving-(?P<host>[0-9a-f]{8})-(?P<pid>\d+)-")


def _host_tag() -> str:
    return hashlib.sha256(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:8]


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # some platforms cannot open a directory; the rename still holds
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _new_staging(target: Path) -> Path:
    """A fresh staging folder beside ``target``, named after this host and process."""
    prefix = f".{target.name}.saving-{_host_tag()}-{os.getpid()}-"
    staging = Path(tempfile.mkdtemp(prefix=prefix, dir=target.parent))
    # mkdtemp's 0700 would hide the finished model from colleagues sharing the folder.
    staging.chmod(0o755)
    return staging


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists but is not ours, or cannot tell: keep its folder
    return True


def _is_leftover(staging: Path) -> bool:
    """Whether a staging folder belongs to a save that can no longer finish."""
    match = _STAGING_NAME.search(staging.name)
    if match and match["host"] == _host_tag():
        return int(match["pid"]) != os.getpid() and not _pid_alive(int(match["pid"]))
    try:
        age = time.time() - staging.stat().st_mtime
    except OSError:
        return False
    return age > _FOREIGN_STAGING_AGE


def _remove_leftover_saves(target: Path) -> None:
    """Remove ``.NAME.saving-*`` folders that killed saves of ``target`` left behind.

    A folder of a save still running (its process is alive on this machine) is
    kept; one written by another machine, or by an itunlp that did not record its
    owner, only once it has not changed for a day.
    """
    try:
        candidates = list(target.parent.glob(f".{_glob_escape(target.name)}.saving-*"))
    except OSError:
        return
    for staging in candidates:
        if staging.is_dir() and not staging.is_symlink() and _is_leftover(staging):
            shutil.rmtree(staging, ignore_errors=True)


def _glob_escape(name: str) -> str:
    """``name`` with glob's special characters taken literally."""
    return re.sub(r"([*?\[])", r"[\1]", name)


def _recover_interrupted_save(target: Path) -> None:
    """Put back the previous model if a save died between its two renames.

    :func:`_publish` moves the old folder aside before moving the new one in; a
    process killed in between leaves only ``.NAME.old-*``. The newest such folder
    that holds a model is renamed back, so the last good model is never lost.
    """
    if target.exists():
        return
    backups = sorted(
        (p for p in target.parent.glob(f".{target.name}.old-*") if (p / META_FILE).is_file()),
        key=lambda p: p.stat().st_mtime,
    )
    if backups:
        os.replace(backups[-1], target)
        warnings.warn(
            f"{target}: restored the previous model from {backups[-1].name}, left by a save "
            "that was interrupted",
            UserWarning,
            stacklevel=3,
        )


def _publish(staging: Path, target: Path) -> None:
    """Rename the finished folder into place, keeping the old one until that succeeded."""
    if not target.exists():
        os.replace(staging, target)
    else:
        backup = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        backup.rmdir()
        os.replace(target, backup)
        try:
            os.replace(staging, target)
        except BaseException:
            os.replace(backup, target)
            raise
        shutil.rmtree(backup, ignore_errors=True)
    _fsync_dir(target.parent)
