"""Data package → CKAN dataset mapping (pure functions) and the data-package reader."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from publishers import mapping
from publishers.errors import PackageError
from publishers.package import read_package, sha256_file, sub_packages, validate_package

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "packages"
NATIONAL = SAMPLES / "national"


def test_read_package_lists_every_resource_then_the_descriptor() -> None:
    package = read_package(NATIONAL)
    keys = [f.key for f in package.files]
    assert keys == [
        "deploiements",
        "organisations",
        "registre-turtle",
        "registre-jsonld",
        "datapackage",
    ]
    turtle = package.files[2]
    assert turtle.path == NATIONAL / "rdf" / "registre.ttl"
    assert turtle.sha256 == sha256_file(turtle.path)
    assert turtle.size == turtle.path.stat().st_size
    assert package.identifier == "ia-territoires-registre-national"


@pytest.mark.parametrize("bad_path", ["../outside.csv", "/etc/passwd", "https://x.example/a.csv"])
def test_read_package_refuses_paths_outside_the_package(tmp_path: Path, bad_path: str) -> None:
    folder = tmp_path / "p"
    shutil.copytree(NATIONAL, folder)
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"][0]["path"] = bad_path
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    with pytest.raises(PackageError) as info:
        read_package(folder)
    assert "resources[0]" in info.value.message_fr and bad_path in info.value.message_en


def test_read_package_names_the_missing_field(tmp_path: Path) -> None:
    (tmp_path / "datapackage.json").write_text('{"name": "x", "resources": []}')
    with pytest.raises(PackageError) as info:
        read_package(tmp_path)
    assert "title" in info.value.message_fr
    assert str(tmp_path / "datapackage.json") in info.value.message_en


def test_validate_package_reports_the_bad_row(tmp_path: Path) -> None:
    folder = tmp_path / "p"
    shutil.copytree(NATIONAL, folder)
    validate_package(read_package(folder))  # the sample is valid
    with (folder / "data" / "deploiements.csv").open("a", encoding="utf-8") as fh:
        fh.write(
            "fr-x,https://w3id.org/ia-territoires/id/deploiement/fr-x,T,D,12,s,inconnu,"
            ",,,false,,,2026-01-01\n"
        )
    with pytest.raises(PackageError) as info:
        validate_package(read_package(folder))
    message = info.value.message_fr
    assert "deploiements.csv" in message
    assert "organisation_siren" in message or "statut" in message


def test_sub_packages_are_the_folders_holding_a_descriptor() -> None:
    found = sub_packages(SAMPLES / "per-organisation")
    assert [p.name for p in found] == ["ca-exemple-sur-loire", "commune-de-plaisir"]
    with pytest.raises(PackageError):
        sub_packages(NATIONAL / "data")


@pytest.mark.parametrize(
    ("identifier", "name"),
    [
        ("ia-territoires-registre-national", "ia-territoires-registre-national"),
        ("Département de l'Isère", "departement-de-l-isere"),
        ("A_b C", "a_b-c"),
    ],
)
def test_ckan_name(identifier: str, name: str) -> None:
    assert mapping.ckan_name(identifier) == name


def test_ckan_name_refuses_what_cannot_be_a_name() -> None:
    with pytest.raises(ValueError):
        mapping.ckan_name("é")


def test_licence_uses_the_first_id_the_portal_knows() -> None:
    default_ckan = ["cc-by", "odc-odbl", "other-at", "notspecified"]
    assert mapping.ckan_licence("etalab-2.0", default_ckan) == "etalab-2.0"  # passed through
    assert mapping.ckan_licence("etalab-2.0", [*default_ckan, "fr-lo"]) == "fr-lo"
    assert mapping.ckan_licence("etalab-2.0", ["fr-lo", "etalab-2.0"]) == "etalab-2.0"
    assert mapping.ckan_licence("odbl-1.0", default_ckan) == "odc-odbl"
    assert mapping.ckan_licence(None, default_ckan) == "notspecified"
    assert mapping.ckan_licence("etalab-2.0", None) == "etalab-2.0"


def test_tags_keep_keywords_and_theme_labels_cleaned_for_ckan() -> None:
    package = read_package(NATIONAL)
    tags = mapping.tags(package)
    assert tags[:4] == [
        "intelligence artificielle",
        "collectivités territoriales",
        "registre des algorithmes",
        "données liées",
    ]
    assert {"Relation aux usagers", "Propreté et déchets", "Action sociale"} <= set(tags)
    assert mapping.tag_name("Données d'État (2025) !") == "Données d État 2025"
    assert mapping.tag_name("!") is None


def test_dataset_fields_from_the_national_sample() -> None:
    package = read_package(NATIONAL)
    fields = mapping.dataset_fields(package, "mon-org", "fr-lo")
    descriptor = package.descriptor
    assert fields["name"] == "ia-territoires-registre-national"
    assert fields["title"] == descriptor["title"]
    assert fields["notes"] == descriptor["description"]
    assert fields["owner_org"] == "mon-org"
    assert fields["license_id"] == "fr-lo"
    assert fields["version"] == descriptor["version"]
    assert fields["url"] == descriptor["homepage"]
    assert fields["private"] is False
    extras = fields["extras"]
    assert extras["identifier"] == "ia-territoires-registre-national"
    assert extras["uri"] == descriptor["id"]
    assert extras["conforms_to"] == "https://w3id.org/ia-territoires/profile/0.1"
    assert extras["source_registry"] == descriptor["ia_territoires:registryUrl"]
    assert json.loads(extras["theme"]) == [t["iri"] for t in descriptor["ia_territoires:themes"]]
    assert "publisher_name" not in extras  # national package: no single publisher
    assert mapping.default_org_name(package) is None


def test_per_organisation_package_names_its_organisation() -> None:
    package = read_package(SAMPLES / "per-organisation" / "commune-de-plaisir")
    assert mapping.default_org_name(package) == "commune-de-plaisir"
    extras = mapping.extras(package)
    assert extras["publisher_name"] == "Commune de Plaisir"
    assert extras["publisher_uri"] == "https://w3id.org/ia-territoires/id/organisation/217804905"
    org = mapping.organisation_fields(package, "commune-de-plaisir")
    assert org["title"] == "Commune de Plaisir"


def test_resource_fields_carry_key_hash_and_canonical_format() -> None:
    package = read_package(NATIONAL)
    by_key = {f.key: mapping.resource_fields(f) for f in package.files}
    assert by_key["deploiements"]["format"] == "CSV"
    assert by_key["registre-turtle"]["format"] == "Turtle"
    assert by_key["registre-turtle"]["mimetype"] == "text/turtle"
    assert by_key["registre-jsonld"]["format"] == "JSON-LD"
    assert by_key["datapackage"]["name"] == "datapackage.json"
    assert by_key["datapackage"][mapping.RESOURCE_KEY] == "datapackage"
    turtle = package.files[2]
    assert by_key["registre-turtle"][mapping.RESOURCE_HASH_KEY] == turtle.sha256
