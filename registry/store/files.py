"""RDF files on disk: format from the extension (``.gz`` allowed), opened as a byte stream."""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast

import pyoxigraph as ox

from registry.errors import InputError

_EXTENSIONS: dict[str, ox.RdfFormat] = {
    "ttl": ox.RdfFormat.TURTLE,
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "json": ox.RdfFormat.JSON_LD,
    "rdf": ox.RdfFormat.RDF_XML,
    "owl": ox.RdfFormat.RDF_XML,
    "xml": ox.RdfFormat.RDF_XML,
    "n3": ox.RdfFormat.N3,
}


@dataclass(frozen=True)
class RdfFile:
    path: Path
    format: ox.RdfFormat
    gzipped: bool

    @property
    def media_type(self) -> str:
        return str(self.format.media_type)

    @property
    def has_graphs(self) -> bool:
        return bool(self.format.supports_datasets)

    def open(self) -> IO[bytes]:
        if self.gzipped:
            return cast(IO[bytes], gzip.open(self.path, "rb"))
        return self.path.open("rb")


def rdf_file(path: Path) -> RdfFile:
    """Describe ``path``; :class:`InputError` naming the file when the extension is unknown."""
    suffixes = [s.lower().lstrip(".") for s in path.suffixes]
    gzipped = bool(suffixes) and suffixes[-1] == "gz"
    if gzipped:
        suffixes = suffixes[:-1]
    fmt = _EXTENSIONS.get(suffixes[-1]) if suffixes else None
    if fmt is None:
        raise InputError(
            f"{path} : format RDF inconnu (extensions reconnues : "
            f"{', '.join(sorted(_EXTENSIONS))}, suivies éventuellement de .gz).",
            f"{path}: unknown RDF format (known extensions: "
            f"{', '.join(sorted(_EXTENSIONS))}, optionally followed by .gz).",
            file=str(path),
        )
    if not path.is_file():
        raise InputError(
            f"{path} : fichier introuvable.", f"{path}: file not found.", file=str(path)
        )
    return RdfFile(path=path, format=fmt, gzipped=gzipped)
