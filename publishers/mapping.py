"""Data package → CKAN dataset and resources (pure functions: no portal, no I/O).

The result is the *desired state* that :mod:`publishers.plan` compares with what the portal has.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from publishers.package import DataPackage, PackageFile

# Licence of the data package → candidate CKAN licence ids, best first. CKAN 2.12's default
# licence register has no French licence (its ids: cc-by, odc-odbl, other-at, ...); portals
# configured for France list "fr-lo" (data.gouv.fr's historical id) or "etalab-2.0". The first
# candidate the portal knows wins; when it knows none, the package's own id is passed through.
LICENCES: dict[str, tuple[str, ...]] = {
    "etalab-2.0": ("etalab-2.0", "fr-lo", "lov2", "lo-2.0"),
    "odbl-1.0": ("odc-odbl", "odbl"),
    "odc-odbl": ("odc-odbl", "odbl"),
    "cc-by-4.0": ("cc-by-4.0", "cc-by"),
    "cc0-1.0": ("cc-zero", "cc0-1.0"),
}

# Format labels: canonical names in CKAN's resource_formats.json where one exists (CKAN rewrites
# "csv" to "CSV" on save, so sending the canonical name keeps the second run a no-op).
FORMATS = {
    "csv": "CSV",
    "json": "JSON",
    "ttl": "Turtle",
    "turtle": "Turtle",
    "jsonld": "JSON-LD",
    "json-ld": "JSON-LD",
    "nt": "N-Triples",
    "rdf": "RDF",
    "xlsx": "XLSX",
}

# Extras this publisher owns: anything else found on the portal (added by people or by other
# tools) is kept untouched.
MANAGED_EXTRAS = (
    "identifier",
    "uri",
    "conforms_to",
    "source_registry",
    "created",
    "theme",
    "publisher_name",
    "publisher_uri",
    "publisher_identifier",
    "entry_count",
)

# Dataset fields compared and patched (besides tags and extras).
DATASET_FIELDS = ("title", "notes", "owner_org", "license_id", "version", "url", "private")

# Resource fields compared; the file itself is compared through RESOURCE_HASH_KEY.
RESOURCE_FIELDS = ("name", "description", "format", "mimetype")
RESOURCE_KEY = "iat_key"  # stable key: the data-package resource name
RESOURCE_HASH_KEY = "iat_sha256"  # sha256 of the uploaded bytes

_NAME_OK = re.compile(r"^[a-z0-9_-]{2,100}$")
_TAG_BAD = re.compile(r"[^\w .-]+", re.UNICODE)


def ckan_name(identifier: str) -> str:
    """CKAN dataset/organisation name (2-100 chars of a-z 0-9 - _) from a stable identifier."""
    folded = unicodedata.normalize("NFKD", identifier).encode("ascii", "ignore").decode("ascii")
    name = re.sub(r"[^a-z0-9_-]+", "-", folded.lower()).strip("-")[:100].rstrip("-")
    if not _NAME_OK.match(name):
        raise ValueError(f"no CKAN name can be made from {identifier!r}")
    return name


def ckan_licence(package_licence: str | None, known: Iterable[str] | None) -> str:
    """The portal's id for the package's licence (see :data:`LICENCES`)."""
    if not package_licence:
        return "notspecified"
    candidates = LICENCES.get(package_licence.lower(), (package_licence,))
    if known is not None:
        known_set = set(known)
        for candidate in candidates:
            if candidate in known_set:
                return candidate
    return package_licence


def ckan_format(fmt: str) -> str:
    return FORMATS.get(fmt.lower(), fmt.upper())


def tag_name(text: str) -> str | None:
    """A CKAN tag (letters, digits, space, - _ .; 2-100 chars) or None when nothing is left."""
    cleaned = re.sub(r"\s+", " ", _TAG_BAD.sub(" ", text)).strip()[:100].strip()
    return cleaned if len(cleaned) >= 2 else None


def tags(package: DataPackage) -> list[str]:
    """Keywords then theme labels, cleaned for CKAN, without duplicates (case-insensitive)."""
    raw: list[str] = [str(k) for k in package.descriptor.get("keywords") or []]
    raw += [
        str(t.get("label"))
        for t in package.custom("themes", [])
        if isinstance(t, dict) and t.get("label")
    ]
    seen: set[str] = set()
    out: list[str] = []
    for text in raw:
        tag = tag_name(text)
        if tag and tag.casefold() not in seen:
            seen.add(tag.casefold())
            out.append(tag)
    return out


def extras(package: DataPackage) -> dict[str, str]:
    """The managed extras (string values; lists as JSON, which ckanext-dcat reads)."""
    d = package.descriptor
    out: dict[str, str] = {"identifier": package.identifier}
    if isinstance(d.get("id"), str) and d["id"].startswith(("http://", "https://")):
        out["uri"] = d["id"]
    if package.custom("conformsTo"):
        out["conforms_to"] = str(package.custom("conformsTo"))
    if package.custom("registryUrl"):
        out["source_registry"] = str(package.custom("registryUrl"))
    if d.get("created"):
        out["created"] = str(d["created"])
    theme_iris = [
        str(t["iri"]) for t in package.custom("themes", []) if isinstance(t, dict) and t.get("iri")
    ]
    if theme_iris:
        out["theme"] = json.dumps(theme_iris)
    publisher = package.custom("publisher")
    if isinstance(publisher, dict):
        if publisher.get("name"):
            out["publisher_name"] = str(publisher["name"])
        if publisher.get("iri"):
            out["publisher_uri"] = str(publisher["iri"])
        if publisher.get("identifier"):
            out["publisher_identifier"] = str(publisher["identifier"])
    if package.custom("entryCount") is not None:
        out["entry_count"] = str(package.custom("entryCount"))
    return out


def package_licence(package: DataPackage) -> str | None:
    licences = package.descriptor.get("licenses") or []
    if licences and isinstance(licences[0], dict) and licences[0].get("name"):
        return str(licences[0]["name"])
    return None


def default_org_name(package: DataPackage) -> str | None:
    """The CKAN organisation named by the package itself (per-organisation packages)."""
    publisher = package.custom("publisher")
    if isinstance(publisher, dict) and publisher.get("slug"):
        return ckan_name(str(publisher["slug"]))
    return None


def dataset_fields(package: DataPackage, owner_org: str, licence_id: str) -> dict[str, Any]:
    """Desired dataset fields: those of :data:`DATASET_FIELDS` plus name, tags and extras."""
    d = package.descriptor
    return {
        "name": ckan_name(package.identifier),
        "title": str(d["title"]).strip(),
        "notes": str(d["description"]).strip(),
        "owner_org": owner_org,
        "license_id": licence_id,
        "version": str(d.get("version") or ""),
        "url": str(d.get("homepage") or package.custom("registryUrl") or ""),
        "private": False,
        "tags": tags(package),
        "extras": extras(package),
    }


def resource_fields(file: PackageFile) -> dict[str, str]:
    """Desired metadata of one resource (without the file, which is uploaded separately)."""
    return {
        "name": file.title,
        "description": file.description,
        "format": ckan_format(file.format),
        "mimetype": file.mediatype,
        RESOURCE_KEY: file.key,
        RESOURCE_HASH_KEY: file.sha256,
    }


def organisation_fields(package: DataPackage, name: str) -> dict[str, Any]:
    """What ``organization_create`` receives when the publisher may create the organisation."""
    publisher = package.custom("publisher")
    title = name
    description = ""
    if isinstance(publisher, dict) and publisher.get("name"):
        title = str(publisher["name"])
        if publisher.get("iri"):
            description = f"Organisation du registre ia-territoires : {publisher['iri']}"
    return {"name": name, "title": title, "description": description}
