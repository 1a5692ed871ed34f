"""The compiled validator raises the same :class:`ShapesError` as ``registry.validate``."""

from __future__ import annotations

from registry.validate import ShapesError


def shapes_error(fr: str, en: str) -> ShapesError:
    return ShapesError(f"Formes SHACL : {fr}", f"SHACL shapes: {en}")
