"""What a publication did (or, with --dry-run, would do), per dataset: text for people, JSON for
machines (``--report FILE.json``)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from publishers.errors import PublishError

Status = Literal["created", "updated", "unchanged", "failed"]

_LABELS = {
    "created": ("créé", "created"),
    "updated": ("mis à jour", "updated"),
    "unchanged": ("inchangé", "unchanged"),
    "failed": ("échec", "failed"),
}


@dataclass
class DatasetReport:
    package: str  # folder of the data package
    name: str | None  # CKAN dataset name (None when the package could not be read)
    status: Status
    dry_run: bool = False
    owner_org: str | None = None
    dataset_url: str | None = None
    changed_fields: list[str] = field(default_factory=list)
    resources: dict[str, list[str]] = field(default_factory=dict)  # action -> keys
    organisation_created: str | None = None
    write_calls: int = 0
    plan: str | None = None  # the rendered diff
    error: dict[str, Any] | None = None

    @classmethod
    def failure(
        cls, package: str, name: str | None, exc: PublishError, dry_run: bool, write_calls: int = 0
    ) -> DatasetReport:
        details = {k: v for k, v in exc.details.items() if _jsonable(v)}
        return cls(
            package=package,
            name=name,
            status="failed",
            dry_run=dry_run,
            write_calls=write_calls,
            error={
                "code": exc.code,
                "message_fr": exc.message_fr,
                "message_en": exc.message_en,
                "details": details,
            },
        )


def _jsonable(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


@dataclass
class PublishReport:
    portal: str
    dry_run: bool
    datasets: list[DatasetReport] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(d.status == "failed" for d in self.datasets)

    def totals(self) -> dict[str, int]:
        counts = dict.fromkeys(_LABELS, 0)
        for d in self.datasets:
            counts[d.status] += 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        return {
            "portal": self.portal,
            "dry_run": self.dry_run,
            "totals": self.totals(),
            "datasets": [asdict(d) for d in self.datasets],
        }

    def write_json(self, path: Path) -> None:
        path.write_text(
            json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )

    def render(self, lang: str = "fr") -> str:
        idx = 1 if lang == "en" else 0
        would = (" (simulation, rien n'a été écrit)", " (dry run, nothing written)")
        lines = []
        for d in self.datasets:
            label = _LABELS[d.status][idx]
            if d.dry_run and d.status in ("created", "updated"):
                label = (f"serait {label}", f"would be {label}")[idx]
            res = ", ".join(f"{a}: {len(k)}" for a, k in d.resources.items() if k and a != "keep")
            lines.append(f"{label:>18}  {d.name or d.package}" + (f"  [{res}]" if res else ""))
            if d.error:
                lines.append(f"{'':>20}{d.error['message_en' if idx else 'message_fr']}")
        t = self.totals()
        lines.append(
            (
                f"{t['created']} créé(s), {t['updated']} mis à jour, {t['unchanged']} inchangé(s), "
                f"{t['failed']} en échec",
                f"{t['created']} created, {t['updated']} updated, "
                f"{t['unchanged']} unchanged, {t['failed']} failed",
            )[idx]
            + (would[idx] if self.dry_run else "")
        )
        return "\n".join(lines)
