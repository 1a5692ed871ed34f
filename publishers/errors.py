"""The publishers' one exception root.

Every error a publisher raises on purpose derives from :class:`PublishError` and carries a French
and an English message (``publishers`` never imports ``registry``, so it has its own root; the
CLI shows it the same way as a ``RegistryError``).

Hierarchy::

    PublishError
    ├── PackageError            the data package on disk is unusable (names the file and field)
    ├── PortalError             the portal answered something the publisher cannot act on
    │   ├── TokenError          401/403: token missing, wrong, expired, or lacking rights
    │   ├── PortalNotFoundError      404 on something the publisher asked for
    │   ├── OrganisationMissingError 404 on the organisation (and --create-org not given)
    │   ├── PortalValidationError  409 / ValidationError: CKAN's error_dict, field by field
    │   └── PortalUnavailableError   5xx or timeouts, still failing after the retries
"""

from __future__ import annotations

from typing import Any


class PublishError(Exception):
    """Root of every error the publishers raise on purpose."""

    code = "publish-error"

    def __init__(self, message_fr: str, message_en: str | None = None, **details: Any) -> None:
        super().__init__(message_fr)
        self.message_fr = message_fr
        self.message_en = message_en or message_fr
        self.details = details

    def message(self, lang: str = "fr") -> str:
        return self.message_en if lang == "en" else self.message_fr


class PackageError(PublishError):
    code = "invalid-package"


class PortalError(PublishError):
    code = "portal-error"


class TokenError(PortalError):
    code = "token-refused"


class PortalNotFoundError(PortalError):
    code = "not-found"


class OrganisationMissingError(PortalError):
    code = "unknown-organisation"


class PortalValidationError(PortalError):
    code = "portal-validation"

    def __init__(self, action: str, error_dict: dict[str, Any]) -> None:
        fields = "; ".join(
            f"{k}: {_flatten(v)}" for k, v in sorted(error_dict.items()) if k != "__type"
        )
        super().__init__(
            f"Le portail a refusé {action} : {fields}",
            f"The portal rejected {action}: {fields}",
            action=action,
            error_dict=error_dict,
        )
        self.error_dict = error_dict


class PortalUnavailableError(PortalError):
    code = "portal-unavailable"


def _flatten(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_flatten(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_flatten(v)}" for k, v in value.items())
    return str(value)
