"""A throwaway PostgreSQL server for the tests: a cluster made by ``initdb`` in a temporary folder,
started by ``pg_ctl`` on a free port of 127.0.0.1, with password authentication.

PostgreSQL refuses to run as root, so under root (CI) the cluster belongs to the unprivileged
``postgres`` user that Debian's package creates (else ``nobody``) and its programs run as that
user through ``setpriv``. Without PostgreSQL's programs the tests that need a server skip, except
under CI (``CI`` set), where they fail: ``.ci/run`` must install Debian's ``postgresql``.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

USER = "citekit"
"""The cluster's superuser."""


def binaries() -> Path | None:
    """The folder of ``initdb`` and ``pg_ctl``: on the PATH, else Debian's versioned folder."""
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(found).resolve().parent
    folders = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda f: int(Path(f).parent.name))
    return Path(folders[-1]) if folders and Path(folders[-1], "initdb").exists() else None


class PostgresServer:
    """One cluster; :meth:`kill` ends it as a crash would, :meth:`start` brings it back (recovering)."""

    def __init__(self, bin_dir: Path, settings: dict[str, str] | None = None) -> None:
        """``settings`` (postgresql.conf's) replace the test defaults, which trade durability for speed."""
        self.bin = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="citekit-pg-"))
        self.data = self.root / "data"
        self.password = secrets.token_hex(12)
        self.port = _free_port()
        self._owner = _unprivileged_user() if os.geteuid() == 0 else None
        pwfile = self.root / "password"
        pwfile.write_text(self.password + "\n", encoding="utf-8")
        if self._owner:
            os.chmod(self.root, 0o755)
            os.chown(self.root, self._owner.pw_uid, self._owner.pw_gid)
            os.chown(pwfile, self._owner.pw_uid, self._owner.pw_gid)
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            USER,
            "--pwfile",
            str(pwfile),
            "--auth=scram-sha-256",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(self.port),
            "unix_socket_directories": f"'{self.root}'",
            "fsync": "off",
            "shared_buffers": "32MB",
            "max_connections": "60",
            "log_min_messages": "fatal",
            **(settings or {}),
        }
        with (self.data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
        self.start()

    def url(self, database: str = "postgres", *, password: str | None = None) -> str:
        return f"postgresql://{USER}:{password or self.password}@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """A new empty database; its URL."""
        import psycopg

        name = "t_" + secrets.token_hex(6)
        with psycopg.connect(self.url(), autocommit=True) as db:
            db.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"), "-w", "-t", "60", "start")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)

    def kill(self) -> None:
        """SIGKILL to the server and every one of its processes, as a crash or an OOM killer would."""
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        processes = [postmaster, *_children(postmaster)]
        for pid in processes:
            os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while any(_alive(pid) for pid in processes) and time.monotonic() < deadline:
            time.sleep(0.05)
        # The dead server may linger as a zombie nobody reaps, which PostgreSQL would take for a live
        # one holding its lock files: gone it is, so they go too.
        for lock in (self.data / "postmaster.pid", *self.root.glob(".s.PGSQL.*")):
            lock.unlink(missing_ok=True)

    def cpu_seconds(self) -> float:
        """CPU time the server has used so far (user and system): the postmaster's, its live processes',
        and that of the processes it has reaped (each connection's backend, once it ends). Read again
        while a process ends under the reading (its time would be in neither place, or in both)."""
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        deadline = time.monotonic() + 10
        while True:
            before = _stat(postmaster)
            ticks, ending = 0, False
            for child in _children(postmaster):
                try:
                    fields = _stat(child)
                except OSError:  # gone since
                    ending = True
                    continue
                ending = ending or fields[0] in "ZX"
                ticks += int(fields[11]) + int(fields[12])
            after = _stat(postmaster)
            if (not ending and before[13:15] == after[13:15]) or time.monotonic() > deadline:
                ticks += sum(int(f) for f in after[11:15])  # its own utime and stime, its children's
                return ticks / os.sysconf("SC_CLK_TCK")
            time.sleep(0.05)

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def _run(self, program: str, *args: str, check: bool = True) -> None:
        command = [str(self.bin / program), *args]
        if self._owner:
            command = [
                "setpriv",
                f"--reuid={self._owner.pw_uid}",
                f"--regid={self._owner.pw_gid}",
                "--clear-groups",
                "--",
                *command,
            ]
        done = subprocess.run(
            command, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120, cwd=self.root
        )
        if check and done.returncode:
            log = self.root / "log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{program} failed ({done.returncode}): {done.stderr or done.stdout}\n{tail}")


def _unprivileged_user() -> pwd.struct_passwd:
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError("no unprivileged user (postgres or nobody) to run PostgreSQL as")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _stat(pid: int) -> list[str]:
    """The fields of ``/proc/PID/stat`` after the command's name (the state first; see proc(5))."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def _children(parent: int) -> list[int]:
    found = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        pid = int(Path(stat).parent.name)
        try:
            if int(_stat(pid)[1]) == parent:
                found.append(pid)
        except OSError:
            continue
    return found


def _alive(pid: int) -> bool:
    try:
        state = _stat(pid)[0]
    except OSError:
        return False
    return state != "Z"
