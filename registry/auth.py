"""Organisations that publish, and their API tokens.

Tokens are secrets, so they never enter the RDF store (the public SPARQL endpoint could read
them): they live in a small SQLite database (``Settings.auth_db_path``), stored only as an
argon2 hash. A token reads ``iat_<id>_<secret>``: the id finds the row, argon2 checks the secret.
Argon2 is slow on purpose, so a successful check is remembered in memory for a short while
(revocation is still read from the database on every request, so it takes effect at once).

Organisations themselves are public RDF (``{base}id/organisation/{siren}``, reference data or
an organisation entry); the database only remembers which ones may publish.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from registry.errors import ConflictError, InputError, NotFoundError, PermissionDenied
from registry.layout import Layout

TOKEN_PREFIX = "iat"
_TOKEN_RE = re.compile(r"^iat_(?P<id>[a-z0-9]{12})_(?P<secret>[A-Za-z0-9_-]{20,200})$")
# Tokens carry 256 random bits: no stretching is needed against guessing, so a light argon2
# (one pass, 8 MiB) keeps a check near 10 ms; successful checks are cached anyway.
_HASHER = PasswordHasher(time_cost=1, memory_cost=8_192, parallelism=1)
CACHE_TTL_S = 300.0
LAST_USED_EVERY_S = 60.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS organisations (
    siren TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
    id TEXT PRIMARY KEY,
    siren TEXT REFERENCES organisations(siren),
    is_admin INTEGER NOT NULL DEFAULT 0,
    label TEXT NOT NULL DEFAULT '',
    secret_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT,
    last_used_at TEXT
);
"""


@dataclass(frozen=True)
class Principal:
    """Who is writing: an organisation's token, an admin token, or the registry itself (CLI)."""

    organisation: str | None  # IRI of the organisation the token speaks for
    is_admin: bool = False
    token_id: str | None = None
    siren: str | None = None
    label: str = ""

    @classmethod
    def system(cls, layout: Layout) -> Principal:
        """The registry's own jobs (``load``, ``orgs add``): an administrator."""
        return cls(organisation=layout.registry_agent, is_admin=True, label="système / system")

    @property
    def agent(self) -> str | None:
        return self.organisation


@dataclass(frozen=True)
class Organisation:
    siren: str
    name: str
    created_at: str


@dataclass(frozen=True)
class TokenInfo:
    id: str
    siren: str | None
    is_admin: bool
    label: str
    created_at: str
    revoked_at: str | None
    last_used_at: str | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def check_siren(siren: str) -> str:
    """A SIREN: nine digits passing the Luhn check (La Poste's 356000000 is the one exception)."""
    siren = siren.strip().replace(" ", "")
    if not re.fullmatch(r"[0-9]{9}", siren) or not (_luhn(siren) or siren == "356000000"):
        raise InputError(
            f"SIREN invalide : {siren!r} (9 chiffres, clé de Luhn).",
            f"Invalid SIREN: {siren!r} (9 digits with a valid Luhn check digit).",
            field="siren",
        )
    return siren


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class AuthDB:
    """The organisations allowed to publish and their tokens (SQLite, safe across threads)."""

    def __init__(self, path: Path | str, layout: Layout) -> None:
        self.path = Path(path)
        self.layout = layout
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA busy_timeout=5000")
        self._conn.executescript(_SCHEMA)
        self._lock = threading.Lock()
        # sha256(token) -> (principal, verified at); only for tokens argon2 already accepted.
        self._verified: dict[bytes, tuple[Principal, float]] = {}
        self._last_used_written: dict[str, float] = {}

    def close(self) -> None:
        self._conn.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    # ---- organisations -----------------------------------------------------------------------
    def add_organisation(self, siren: str, name: str) -> Organisation:
        siren = check_siren(siren)
        if not name.strip():
            raise InputError("Le nom de l'organisation est vide.", "Empty organisation name.")
        org = Organisation(siren, name.strip(), _now())
        with self._tx() as db:
            if db.execute("SELECT 1 FROM organisations WHERE siren=?", (siren,)).fetchone():
                db.execute("UPDATE organisations SET name=? WHERE siren=?", (org.name, siren))
                row = db.execute(
                    "SELECT siren, name, created_at FROM organisations WHERE siren=?", (siren,)
                ).fetchone()
                return Organisation(*row)
            db.execute(
                "INSERT INTO organisations (siren, name, created_at) VALUES (?, ?, ?)",
                (org.siren, org.name, org.created_at),
            )
        return org

    def get_organisation(self, siren: str) -> Organisation:
        with self._lock:
            row = self._conn.execute(
                "SELECT siren, name, created_at FROM organisations WHERE siren=?", (siren,)
            ).fetchone()
        if row is None:
            raise NotFoundError(
                f"Organisation inconnue du registre : SIREN {siren} (ajoutez-la avec "
                "« ia-territoires orgs add »).",
                f"Organisation not registered: SIREN {siren} (add it with "
                "'ia-territoires orgs add').",
                siren=siren,
            )
        return Organisation(*row)

    def list_organisations(self) -> list[Organisation]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT siren, name, created_at FROM organisations ORDER BY name, siren"
            ).fetchall()
        return [Organisation(*r) for r in rows]

    # ---- tokens ------------------------------------------------------------------------------
    def create_token(
        self, siren: str | None, *, admin: bool = False, label: str = ""
    ) -> tuple[TokenInfo, str]:
        """A new token. Returns its description and the token itself, which is shown once and
        never stored: only its hash is."""
        if siren is None and not admin:
            raise InputError(
                "Un jeton non administrateur doit appartenir à une organisation (--org SIREN).",
                "A non-admin token must belong to an organisation (--org SIREN).",
                field="org",
            )
        if siren is not None:
            siren = self.get_organisation(check_siren(siren)).siren
        token_id = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        token = f"{TOKEN_PREFIX}_{token_id}_{secret}"
        info = TokenInfo(token_id, siren, admin, label, _now(), None, None)
        with self._tx() as db:
            if db.execute("SELECT 1 FROM tokens WHERE id=?", (token_id,)).fetchone():
                raise ConflictError("Collision d'identifiant de jeton.", "Token id collision.")
            db.execute(
                "INSERT INTO tokens (id, siren, is_admin, label, secret_hash, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (token_id, siren, int(admin), label, _HASHER.hash(secret), info.created_at),
            )
        return info, token

    def list_tokens(self, siren: str | None = None) -> list[TokenInfo]:
        sql = "SELECT id, siren, is_admin, label, created_at, revoked_at, last_used_at FROM tokens"
        args: tuple[str, ...] = ()
        if siren is not None:
            sql += " WHERE siren=?"
            args = (siren,)
        with self._lock:
            rows = self._conn.execute(sql + " ORDER BY created_at, id", args).fetchall()
        return [TokenInfo(r[0], r[1], bool(r[2]), r[3], r[4], r[5], r[6]) for r in rows]

    def revoke(self, token_id: str) -> TokenInfo:
        with self._tx() as db:
            db.execute(
                "UPDATE tokens SET revoked_at=? WHERE id=? AND revoked_at IS NULL",
                (_now(), token_id),
            )
            exists = db.execute("SELECT 1 FROM tokens WHERE id=?", (token_id,)).fetchone()
        if not exists:
            raise NotFoundError(
                f"Jeton inconnu : {token_id}.", f"Unknown token: {token_id}.", token=token_id
            )
        self._verified = {k: v for k, v in self._verified.items() if v[0].token_id != token_id}
        return next(t for t in self.list_tokens() if t.id == token_id)

    def authenticate(self, token: str | None) -> Principal:
        """The principal a bearer token speaks for; PermissionDenied if missing, malformed,
        unknown, wrong or revoked (one message for all, so that nothing leaks)."""
        m = _TOKEN_RE.match(token.strip()) if token else None
        if m is None:
            raise _denied()
        token_id = m["id"]
        with self._lock:
            row = self._conn.execute(
                "SELECT siren, is_admin, label, secret_hash, revoked_at FROM tokens WHERE id=?",
                (token_id,),
            ).fetchone()
        if row is None or row[4] is not None:
            raise _denied()
        siren, is_admin, label, secret_hash, _ = row
        digest = hashlib.sha256(token.encode()).digest()  # type: ignore[union-attr]
        hit = self._verified.get(digest)
        now = time.monotonic()
        if hit is not None and now - hit[1] < CACHE_TTL_S:
            principal = hit[0]
        else:
            try:
                _HASHER.verify(secret_hash, m["secret"])
            except (VerificationError, InvalidHashError):
                raise _denied() from None
            principal = Principal(
                organisation=self.layout.organisation_iri(siren)
                if siren
                else self.layout.registry_agent,
                is_admin=bool(is_admin),
                token_id=token_id,
                siren=siren,
                label=label,
            )
            self._verified[digest] = (principal, now)
        self._touch(token_id, now)
        return principal

    def _touch(self, token_id: str, now: float) -> None:
        # Written at most once a minute per token: a write per request would serialise the API.
        if now - self._last_used_written.get(token_id, -LAST_USED_EVERY_S) < LAST_USED_EVERY_S:
            return
        self._last_used_written[token_id] = now
        with self._lock:
            self._conn.execute("UPDATE tokens SET last_used_at=? WHERE id=?", (_now(), token_id))


class AuthenticationRequired(PermissionDenied):
    """No usable token (HTTP 401, unlike a valid token acting outside its scope: 403)."""

    code = "unauthenticated"
    http_status = 401


def _denied() -> PermissionDenied:
    return AuthenticationRequired(
        "Jeton d'accès absent, invalide ou révoqué.",
        "Missing, invalid or revoked access token.",
    )
