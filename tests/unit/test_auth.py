"""Organisations and tokens: SIREN checks, tokens shown once and stored hashed, revocation,
fast repeated checks."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from registry.auth import AuthDB, AuthenticationRequired, check_siren
from registry.errors import InputError, NotFoundError, PermissionDenied
from registry.layout import Layout

LAYOUT = Layout("https://w3id.org/ia-territoires/")
PLAISIR = "217804905"


@pytest.fixture
def auth(tmp_path: Path) -> AuthDB:
    db = AuthDB(tmp_path / "auth.sqlite3", LAYOUT)
    db.add_organisation(PLAISIR, "Commune de Plaisir")
    return db


@pytest.mark.parametrize("bad", ["21780490", "217804906", "abcdefghi", ""])
def test_invalid_siren_refused(bad: str) -> None:
    with pytest.raises(InputError) as err:
        check_siren(bad)
    assert "SIREN" in err.value.message_fr


def test_valid_siren_accepted() -> None:
    assert check_siren(" 217 804 905 ") == PLAISIR
    assert check_siren("356000000") == "356000000"  # La Poste, the Luhn exception


def test_token_is_shown_once_and_stored_only_hashed(auth: AuthDB, tmp_path: Path) -> None:
    info, token = auth.create_token(PLAISIR, label="essai")
    assert token.startswith(f"iat_{info.id}_")
    secret = token.split("_", 2)[2]
    raw = (tmp_path / "auth.sqlite3").read_bytes()
    wal = tmp_path / "auth.sqlite3-wal"
    raw += wal.read_bytes() if wal.exists() else b""
    assert secret.encode() not in raw
    stored = (
        sqlite3.connect(tmp_path / "auth.sqlite3")
        .execute("SELECT secret_hash FROM tokens WHERE id=?", (info.id,))
        .fetchone()[0]
    )
    assert stored.startswith("$argon2")
    listed = auth.list_tokens()
    assert [t.id for t in listed] == [info.id] and listed[0].label == "essai"


def test_authenticate_scopes_the_principal(auth: AuthDB) -> None:
    _, token = auth.create_token(PLAISIR)
    principal = auth.authenticate(token)
    assert principal.organisation == LAYOUT.organisation_iri(PLAISIR)
    assert not principal.is_admin and principal.siren == PLAISIR
    _, admin = auth.create_token(None, admin=True)
    assert auth.authenticate(admin).is_admin


@pytest.mark.parametrize("token", [None, "", "nope", "iat_000000000000_" + "a" * 43, "Bearer x"])
def test_bad_tokens_refused(auth: AuthDB, token: str | None) -> None:
    with pytest.raises(AuthenticationRequired):
        auth.authenticate(token)


def test_wrong_secret_refused(auth: AuthDB) -> None:
    info, token = auth.create_token(PLAISIR)
    forged = f"iat_{info.id}_{'x' * 43}"
    with pytest.raises(PermissionDenied):
        auth.authenticate(forged)
    assert auth.authenticate(token).token_id == info.id


def test_revoked_token_refused_at_once_even_when_cached(auth: AuthDB) -> None:
    info, token = auth.create_token(PLAISIR)
    auth.authenticate(token)  # now in the verification cache
    revoked = auth.revoke(info.id)
    assert revoked.revoked_at is not None and not revoked.active
    with pytest.raises(PermissionDenied):
        auth.authenticate(token)
    with pytest.raises(NotFoundError):
        auth.revoke("000000000000")


def test_revocation_from_another_process_is_seen(auth: AuthDB, tmp_path: Path) -> None:
    info, token = auth.create_token(PLAISIR)
    auth.authenticate(token)
    other = AuthDB(tmp_path / "auth.sqlite3", LAYOUT)  # e.g. the CLI while the API runs
    other.revoke(info.id)
    other.close()
    with pytest.raises(PermissionDenied):
        auth.authenticate(token)


def test_repeated_checks_are_fast_and_record_last_use(auth: AuthDB) -> None:
    _info, token = auth.create_token(PLAISIR)
    auth.authenticate(token)
    start = time.perf_counter()
    for _ in range(200):
        auth.authenticate(token)
    per_check = (time.perf_counter() - start) / 200
    assert per_check < 0.002, per_check
    assert auth.list_tokens()[0].last_used_at is not None


def test_token_needs_a_registered_organisation(auth: AuthDB) -> None:
    with pytest.raises(NotFoundError):
        auth.create_token("213502388")
    with pytest.raises(InputError):
        auth.create_token(None)


def test_organisations_listed(auth: AuthDB) -> None:
    auth.add_organisation("213502388", "Autre")
    assert [o.siren for o in auth.list_organisations()] == ["213502388", PLAISIR]
    assert auth.add_organisation(PLAISIR, "Ville de Plaisir").name == "Ville de Plaisir"
