"""Backing up and restoring everything the portal keeps: the database (figures, their history,
users, templates, jobs) and the files under MEDIA_ROOT (evidence and generated reports).

An archive is a .tar.gz holding `manifest.json`, the database (`database.dump` from pg_dump's
custom format, or `database.sqlite3`) and `media/`.
"""

import datetime
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connections


class BackupError(Exception):
    pass


def _database():
    return settings.DATABASES["default"]


def _pg_env(db) -> dict:
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _pg_args(db) -> list[str]:
    args = ["-h", str(db.get("HOST") or "127.0.0.1"), "-p", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["-U", str(db["USER"])]
    return args


def _run(cmd, env=None):
    result = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{cmd[0]} failed: {result.stderr.strip()}")


def create_backup(target: Path) -> Path:
    db = _database()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if db["ENGINE"] == "django.db.backends.postgresql":
            dump = work / "database.dump"
            _run(
                ["pg_dump", "-Fc", "--no-owner", "-f", str(dump), *_pg_args(db), db["NAME"]],
                env=_pg_env(db),
            )
        elif db["ENGINE"] == "django.db.backends.sqlite3":
            # The online-backup API gives a consistent copy even while the portal writes.
            source = sqlite3.connect(db["NAME"])
            copy = sqlite3.connect(work / "database.sqlite3")
            with copy:
                source.backup(copy)
            source.close()
            copy.close()
        else:
            raise BackupError(f"unsupported database engine {db['ENGINE']}")
        manifest = {
            "engine": db["ENGINE"],
            "created": datetime.datetime.now(datetime.UTC).isoformat(),
            "media": Path(settings.MEDIA_ROOT).is_dir(),
        }
        (work / "manifest.json").write_text(json.dumps(manifest))
        target.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(target, "w:gz") as archive:
            for item in sorted(work.iterdir()):
                archive.add(item, arcname=item.name)
            if manifest["media"]:
                archive.add(settings.MEDIA_ROOT, arcname="media")
    return target


def restore_backup(source: Path) -> dict:
    db = _database()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        with tarfile.open(source, "r:gz") as archive:
            archive.extractall(work, filter="data")
        manifest = json.loads((work / "manifest.json").read_text())
        if manifest["engine"] != db["ENGINE"]:
            raise BackupError(
                f"archive is for {manifest['engine']}, this portal runs {db['ENGINE']}"
            )
        connections.close_all()
        if db["ENGINE"] == "django.db.backends.postgresql":
            _run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                    "-d",
                    db["NAME"],
                    *_pg_args(db),
                    str(work / "database.dump"),
                ],
                env=_pg_env(db),
            )
        else:
            restored = sqlite3.connect(work / "database.sqlite3")
            live = sqlite3.connect(db["NAME"])
            with live:
                restored.backup(live)
            restored.close()
            live.close()
        media = Path(settings.MEDIA_ROOT)
        if (work / "media").is_dir():
            if media.exists():
                shutil.rmtree(media)
            shutil.copytree(work / "media", media)
    return manifest
