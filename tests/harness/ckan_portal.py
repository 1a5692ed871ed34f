"""A real CKAN 2.12 portal on 127.0.0.1 for the integration tests (and for trying things by hand).

Follows ``shared/design/ckan-test-portal.md``: PostgreSQL and Redis from Debian, CKAN in its own
virtual environment (never the project's: CKAN pins its own dependencies), and the in-memory
Solr stand-in ``tests/tools/fakesolr.py`` because no registry reachable here ships Solr.

What is cached between runs (under ``.cache/ckan/``, git-ignored):
  * ``venv-<version>/``: CKAN, ckanapi, ckanext-dcat, ckanext-harvest (+ the test helpers that
    ``harvester run-test`` imports). Rebuilt only when the pinned requirements change.
  * ``template-<version>-<key>/``: a stopped PostgreSQL cluster already initialised for CKAN
    (``db init``, harvest tables, sysadmin ``admin``), plus the ``ckan.ini`` and API token that go
    with it. Copying it is much faster than ``ckan db init``.

Everything else (the cluster copy, Redis, the Solr stand-in, CKAN itself) lives in a fresh
temporary folder, listens on free ports of 127.0.0.1 and is stopped by :meth:`CkanPortal.stop`.

Command line (``scripts/ckan-portal.sh`` wraps it)::

    python -m tests.harness.ckan_portal install     # build the venv and the template
    python -m tests.harness.ckan_portal run         # start a portal, print URL + token, wait
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache" / "ckan"
FAKESOLR = ROOT / "tests" / "tools" / "fakesolr.py"

CKAN_VERSION = "2.12.0"
REQUIREMENTS = (
    f"ckan[requirements]=={CKAN_VERSION}",
    "ckanapi==4.11",
    # Harvesting (issue 5 item 5): `harvester run-test` imports CKAN's test helpers, hence
    # factory-boy and pytest in the CKAN venv.
    "ckanext-dcat==2.4.4",
    "ckanext-harvest==1.6.3",
    "factory-boy==3.3.3",
    "pytest",
)
PLUGINS = "activity dcat harvest dcat_rdf_harvester"
ADMIN = "admin"
ADMIN_PASSWORD = "Admin-pass-1234"
DB_USER = "ckan_default"
DB_PASSWORD = "ckanpass"
DB_NAME = "ckan_default"


_HARVEST_SCRIPT = """
import sys
from ckan.cli.cli import ckan
ini, source = sys.argv[1], sys.argv[2]
steps = [
    (["harvester", "job-abort", source], False),  # fails when no job is running: fine
    (["search-index", "rebuild", source], True),
    (["harvester", "run-test", source], True),
]
for args, required in steps:
    try:
        ckan.main(["-c", ini, *args], standalone_mode=False)
    except SystemExit as exc:
        if exc.code and required:
            raise
    except Exception:
        if required:
            raise
    print("iat-harvest-step-done", *args, flush=True)
"""


class PortalError(RuntimeError):
    """The portal could not be installed or started; the message says which step and why."""


def _req_key() -> str:
    return hashlib.sha256("\n".join(REQUIREMENTS).encode()).hexdigest()[:12]


def venv_dir() -> Path:
    return CACHE / f"venv-{CKAN_VERSION}"


def template_dir(harvest: bool = True) -> Path:
    plugins = "harvest" if harvest else "plain"
    return CACHE / f"template-{CKAN_VERSION}-{_req_key()}-{plugins}"


@contextlib.contextmanager
def _install_lock() -> Iterator[None]:
    # Several test runs may start at once (several people, one machine): one installs, the
    # others wait and then find everything in place.
    CACHE.mkdir(parents=True, exist_ok=True)
    with (CACHE / "install.lock").open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _run(
    cmd: list[str],
    *,
    what: str,
    env: dict[str, str] | None = None,
    timeout: float = 600,
    cwd: Path | None = None,
) -> str:
    try:
        proc = subprocess.run(
            cmd,
            env=env,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PortalError(f"{what}: {exc}") from exc
    if proc.returncode != 0:
        tail = (proc.stdout + proc.stderr)[-3000:]
        raise PortalError(f"{what} failed (exit {proc.returncode}): {' '.join(cmd)}\n{tail}")
    return proc.stdout


def ensure_venv() -> Path:
    """Create the CKAN venv if missing or built from other requirements. Idempotent."""
    venv = venv_dir()
    marker = venv / ".iat-requirements"
    wanted = "\n".join(REQUIREMENTS)
    with _install_lock():
        if (venv / "bin" / "ckan").exists() and marker.exists() and marker.read_text() == wanted:
            return venv
        if venv.exists():
            shutil.rmtree(venv)
        # The venv module of a venv's interpreter builds on the base interpreter.
        _run([sys.executable, "-m", "venv", str(venv)], what="python -m venv")
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
        _run([*pip, "--upgrade", "pip"], what="pip install --upgrade pip")
        _run([*pip, *REQUIREMENTS], what="pip install CKAN", timeout=1200)
        marker.write_text(wanted)
        return venv


# --------------------------------------------------------------------------- PostgreSQL


def _pg_bin() -> Path:
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if not versions:
        raise PortalError(
            "PostgreSQL introuvable (/usr/lib/postgresql/*/bin/initdb) : lancer "
            "scripts/setup-test-env.sh / PostgreSQL not found: run scripts/setup-test-env.sh"
        )
    return versions[-1].parent


def _as_pg_user(cmd: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; as anyone else it runs as that user.
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def _chown_pg(path: Path) -> None:
    if os.geteuid() == 0:
        _run(["chown", "-R", "postgres:postgres", str(path)], what="chown postgres")


@dataclass
class _Postgres:
    data: Path
    port: int
    sock: Path
    log: Path
    started: bool = False

    def init(self) -> None:
        self.data.mkdir(parents=True)
        _chown_pg(self.data)
        _run(
            _as_pg_user(
                [
                    str(_pg_bin() / "initdb"),
                    "-D",
                    str(self.data),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                ]
            ),
            what="initdb",
        )

    def start(self) -> None:
        self.sock.mkdir(parents=True, exist_ok=True)
        _chown_pg(self.sock)
        self.log.touch()
        _chown_pg(self.log)
        opts = f"-p {self.port} -k {self.sock} -c listen_addresses=127.0.0.1 -c fsync=off"
        _run(
            _as_pg_user(
                [
                    str(_pg_bin() / "pg_ctl"),
                    "-D",
                    str(self.data),
                    "-l",
                    str(self.log),
                    "-o",
                    opts,
                    "-w",
                    "-t",
                    "60",
                    "start",
                ]
            ),
            what="pg_ctl start",
        )
        self.started = True

    def psql(self, sql: str) -> None:
        _run(
            [
                str(_pg_bin() / "psql"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                sql,
            ],
            what=f"psql {sql[:40]}",
        )

    def stop(self) -> None:
        if self.started:
            with contextlib.suppress(PortalError):
                _run(
                    _as_pg_user(
                        [
                            str(_pg_bin() / "pg_ctl"),
                            "-D",
                            str(self.data),
                            "-m",
                            "fast",
                            "-w",
                            "stop",
                        ]
                    ),
                    what="pg_ctl stop",
                )
            self.started = False


# --------------------------------------------------------------------------- the portal


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_http(url: str, timeout_s: float, proc: subprocess.Popen[bytes] | None = None) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    return False


@dataclass
class CkanPortal:
    """A running portal. ``url`` and ``token`` (sysadmin API token) are what tests use."""

    workdir: Path
    harvest_enabled: bool = True
    url: str = ""
    token: str = ""
    ini: Path = field(init=False)
    timings: dict[str, float] = field(default_factory=dict)
    _procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    _pg: _Postgres | None = None
    _env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.ini = self.workdir / "ckan.ini"

    # ---- helpers
    @property
    def ckan_bin(self) -> str:
        return str(venv_dir() / "bin" / "ckan")

    def ckan(self, *args: str, timeout: float = 300) -> str:
        """Run ``ckan -c ckan.ini ARGS`` in the CKAN venv (stdin closed)."""
        return _run(
            [self.ckan_bin, "-c", str(self.ini), *args],
            what=f"ckan {args[0]}",
            env=self._env,
            timeout=timeout,
            cwd=self.workdir,
        )

    def log_tail(self, name: str = "ckan.log", chars: int = 4000) -> str:
        path = self.workdir / name
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    def _spawn(self, cmd: list[str], log_name: str) -> subprocess.Popen[bytes]:
        with (self.workdir / log_name).open("wb") as log:  # the child keeps its own copy
            try:
                proc = subprocess.Popen(
                    cmd,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    env=self._env,
                    cwd=self.workdir,
                    start_new_session=True,  # its own process group: stopped as a whole
                )
            except OSError as exc:
                raise PortalError(
                    f"cannot start {cmd[0]} ({exc}): run scripts/setup-test-env.sh"
                ) from exc
        self._procs.append(proc)
        return proc

    # ---- life cycle
    def start(self) -> CkanPortal:
        t0 = time.monotonic()
        ensure_venv()
        self.timings["venv"] = time.monotonic() - t0
        self._env = {
            k: v
            for k, v in os.environ.items()
            if k not in {"PYTHONPATH", "VIRTUAL_ENV", "CKAN_INI", "PYTHONHOME"}
        }
        self._env["PATH"] = f"{venv_dir() / 'bin'}:{self._env.get('PATH', '/usr/bin:/bin')}"
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.workdir.chmod(0o755)  # the postgres user must reach its data folder
        pg_port, redis_port, solr_port, ckan_port = (_free_port() for _ in range(4))
        self._pg = _Postgres(
            self.workdir / "pg", pg_port, self.workdir / "pgsock", self.workdir / "postgres.log"
        )

        t1 = time.monotonic()
        self._spawn(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(redis_port),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            "redis.log",
        )
        self._spawn(
            [
                sys.executable,
                str(FAKESOLR),
                "--host",
                "127.0.0.1",
                "--port",
                str(solr_port),
                "--schema-version",
                CKAN_VERSION.rsplit(".", 1)[0],
            ],
            "fakesolr.log",
        )
        with _install_lock():
            template = template_dir(self.harvest_enabled)
            if (template / "ok").exists():
                shutil.copytree(template / "pg", self._pg.data, symlinks=True)
                _chown_pg(self._pg.data)
                shutil.copy2(template / "ckan.ini", self.ini)
                self.token = (template / "token.txt").read_text().strip()
                fresh = False
            else:
                self._pg.init()
                fresh = True
        self._pg.start()
        self.timings["postgres"] = time.monotonic() - t1

        self.url = f"http://127.0.0.1:{ckan_port}"
        storage = self.workdir / "storage"
        storage.mkdir()
        settings = {
            "sqlalchemy.url": f"postgresql://{DB_USER}:{DB_PASSWORD}@127.0.0.1:{pg_port}/{DB_NAME}",
            "ckan.site_url": self.url,
            "ckan.storage_path": str(storage),
            "solr_url": f"http://127.0.0.1:{solr_port}/solr/ckan",
            "ckan.redis.url": f"redis://127.0.0.1:{redis_port}/0",
            "ckan.plugins": PLUGINS if self.harvest_enabled else "activity",
            "ckan.harvest.mq.type": "redis",
            "ckan.harvest.mq.hostname": "127.0.0.1",
            "ckan.harvest.mq.port": str(redis_port),
            "ckan.harvest.mq.redis_db": "0",
            # Quiet, fast test portal: no e-mail, no tracking of page views.
            "ckan.auth.create_user_via_web": "false",
        }
        t2 = time.monotonic()
        if fresh:
            self.ckan_generate_config()
        self._write_settings(settings)
        if fresh:
            self._initialise_database()
            self._save_template()
        self.timings["database"] = time.monotonic() - t2

        t3 = time.monotonic()
        proc = self._spawn(
            [
                self.ckan_bin,
                "-c",
                str(self.ini),
                "run",
                "-H",
                "127.0.0.1",
                "-p",
                str(ckan_port),
                "--disable-reloader",
                "-t",
            ],
            "ckan.log",
        )
        if not _wait_http(f"{self.url}/api/3/action/status_show", 120, proc):
            raise PortalError(f"CKAN did not answer on {self.url}\n{self.log_tail()}")
        self.timings["ckan"] = time.monotonic() - t3
        self.timings["total"] = time.monotonic() - t0
        return self

    def harvest(self, source: str, timeout: float = 300) -> str:
        """Run one synchronous harvest of ``source`` (``ckan harvester run-test``), with the
        recipe's workarounds, in ONE CKAN process (each `ckan` command costs seconds of start-up):
        abort a job left "Running" by a dead run (else run-test waits for a y/n answer), and
        rebuild the source's index entry (ckanext-harvest 1.6.3 on CKAN 2.12 loses
        ``source_type`` after a job: the next run-test fails with KeyError: 'source_type')."""
        if not self.harvest_enabled:
            raise PortalError("portal started without the harvest plugins (harvest=False)")
        return _run(
            [str(venv_dir() / "bin" / "python"), "-c", _HARVEST_SCRIPT, str(self.ini), source],
            what=f"harvest {source}",
            env=self._env,
            timeout=timeout,
            cwd=self.workdir,
        )

    def ckan_generate_config(self) -> None:
        _run(
            [self.ckan_bin, "generate", "config", str(self.ini)],
            what="ckan generate config",
            env=self._env,
            cwd=self.workdir,
        )

    def _write_settings(self, settings: dict[str, str]) -> None:
        # What `ckan config-tool` does, without starting CKAN (a second each time).
        text = self.ini.read_text()
        for key, value in settings.items():
            line = f"{key} = {value}"
            pattern = re.compile(rf"^#?\s*{re.escape(key)}\s*=.*$", re.M)
            if pattern.search(text):
                text = pattern.sub(line.replace("\\", r"\\"), text, count=1)
            else:
                text = text.replace("[app:main]\n", f"[app:main]\n{line}\n", 1)
        self.ini.write_text(text)

    def _initialise_database(self) -> None:
        assert self._pg is not None
        self._pg.psql(f"CREATE USER {DB_USER} WITH PASSWORD '{DB_PASSWORD}'")
        self._pg.psql(f"CREATE DATABASE {DB_NAME} OWNER {DB_USER} ENCODING 'UTF8'")
        self.ckan("db", "init")
        if self.harvest_enabled:
            self.ckan("db", "upgrade", "-p", "harvest")
        self.ckan("user", "add", ADMIN, "email=admin@example.org", f"password={ADMIN_PASSWORD}")
        self.ckan("sysadmin", "add", ADMIN)
        out = self.ckan("user", "token", "add", ADMIN, "itest")
        match = re.search(r"eyJ\S+", out)
        if not match:
            raise PortalError(f"no API token in the output of `ckan user token add`: {out}")
        self.token = match.group(0)

    def _save_template(self) -> None:
        # Snapshot the initialised cluster (stopped, so the copy is consistent).
        assert self._pg is not None
        self._pg.stop()
        template = template_dir(self.harvest_enabled)
        tmp = template.with_name(template.name + ".tmp")
        with _install_lock():
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir(parents=True)
            shutil.copytree(self._pg.data, tmp / "pg", symlinks=True)
            shutil.copy2(self.ini, tmp / "ckan.ini")
            (tmp / "token.txt").write_text(self.token)
            (tmp / "ok").write_text(json.dumps({"ckan": CKAN_VERSION, "plugins": PLUGINS}))
            shutil.rmtree(template, ignore_errors=True)
            tmp.rename(template)
        self._pg.start()

    def stop(self) -> None:
        for proc in reversed(self._procs):
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=5)
        self._procs.clear()
        if self._pg is not None:
            self._pg.stop()


def start_portal(harvest: bool = True, keep: bool = False) -> CkanPortal:
    """Start a portal in a fresh temporary folder; on failure stop what was started."""
    workdir = Path(tempfile.mkdtemp(prefix="iat-ckan-"))
    portal = CkanPortal(workdir=workdir, harvest_enabled=harvest)
    try:
        return portal.start()
    except BaseException:
        portal.stop()
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)
        raise


def stop_portal(portal: CkanPortal, keep: bool = False) -> None:
    portal.stop()
    if not keep:
        shutil.rmtree(portal.workdir, ignore_errors=True)


_shared: CkanPortal | None = None
_failure: PortalError | None = None
_users = 0


@contextlib.contextmanager
def shared_portal() -> Iterator[CkanPortal]:
    """One portal for the whole test session, whatever the number of modules that use it: the
    first user starts it, the last one stops it (and ``atexit`` makes sure it goes)."""
    global _shared, _users, _failure
    if _failure is not None:
        raise _failure  # do not pay a failing start-up twice in one session
    if _shared is None:
        try:
            _shared = start_portal()
        except PortalError as exc:
            _failure = exc
            raise
        atexit.register(_stop_shared)
    _users += 1
    try:
        yield _shared
    finally:
        _users -= 1
        if _users == 0:
            _stop_shared()


def _stop_shared() -> None:
    global _shared
    if _shared is not None:
        portal, _shared = _shared, None
        stop_portal(portal)


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    command = args[0] if args else "install"
    if command == "install":
        t0 = time.monotonic()
        ensure_venv()
        if not (template_dir() / "ok").exists():
            stop_portal(start_portal())
        print(f"CKAN {CKAN_VERSION} prêt / ready in {time.monotonic() - t0:.1f}s: {CACHE}")
        return 0
    if command == "run":
        portal = start_portal(keep=True)
        print(
            json.dumps(
                {
                    "url": portal.url,
                    "token": portal.token,
                    "ini": str(portal.ini),
                    "timings_s": {k: round(v, 1) for k, v in portal.timings.items()},
                },
                indent=2,
            ),
            flush=True,
        )

        def _exit(signum: int, _frame: object) -> None:
            raise SystemExit(0)

        # Explicit handlers: a background job may have SIGINT ignored, and `kill PID` is SIGTERM.
        signal.signal(signal.SIGTERM, _exit)
        signal.signal(signal.SIGINT, _exit)
        try:
            signal.pause()
        finally:
            stop_portal(portal)
        return 0
    print("usage: ckan_portal.py [install|run]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
