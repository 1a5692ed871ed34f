"""The listing index now lives in the core (:mod:`registry.index`: it needs no HTTP), so that
core modules such as :mod:`registry.observatory` may use it; re-exported here for the API."""

from registry.index import (
    FACETS,
    AISystem,
    Deployment,
    Index,
    Organisation,
    build_index,
)

__all__ = ["FACETS", "AISystem", "Deployment", "Index", "Organisation", "build_index"]
