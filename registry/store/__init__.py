"""Where the registry's quads live: the :class:`~registry.store.base.Store` protocol and its two
backends. :func:`open_store` picks one from the settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from registry.store.base import NotAcceptable, QueryTimeout, Row, Store

if TYPE_CHECKING:
    from registry.config import Settings

__all__ = ["NotAcceptable", "QueryTimeout", "Row", "Store", "open_store"]


def open_store(settings: Settings) -> Store:
    """The remote backend when ``settings.sparql_query_url`` is set, else the embedded store
    at ``settings.store_path``."""
    if settings.sparql_query_url:
        from registry.store.remote import RemoteStore

        auth = None
        if settings.sparql_user:
            secret = settings.sparql_password
            password = secret.get_secret_value() if secret else ""
            auth = (settings.sparql_user, password)
        return RemoteStore(
            query_url=settings.sparql_query_url,
            update_url=settings.sparql_update_url,
            graph_store_url=settings.sparql_graph_store_url,
            auth=auth,
            timeout_s=settings.remote_timeout_s,
        )
    from registry.store.embedded import EmbeddedStore

    return EmbeddedStore(settings.store_path)
