"""The home page / observatory as plain data: key figures, one bar chart per dimension, the
map by département, the table by région, the most reused AI systems; and each chart as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from registry.index import Index
from registry.observatory import Extras, counts_by, key_figures, most_reused_systems
from registry.web import concepts
from registry.web.charts import bars, departement_map

# chart name -> (index dimension, listing parameter, concept scheme, order)
CHARTS: dict[str, tuple[str, str | None, str | None, str]] = {
    "theme": ("theme", "theme", "domaine", "count"),
    "purpose": ("purpose", "purpose", "finalite", "count"),
    "family": ("family", "family", "famille-ia", "count"),
    "riskLevel": ("riskLevel", "ai_act", "classification-ai-act", "count"),
    "status": ("status", "status", "statut", "count"),
    "organisationType": ("organisationType", "organisation_type", None, "count"),
    "startYear": ("startYear", None, None, "value"),
    "region": ("region", "region", None, "count"),
}


def _key(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def label_function(name: str, extras: Extras, lang: str) -> Callable[[str], str]:
    _, _, scheme, _ = CHARTS.get(name, (name, None, None, "count"))
    if scheme:
        return lambda v: concepts.label(scheme, v, lang)
    if name == "organisationType":
        by_key = {_key(iri): iri for iri in extras.category_labels}
        return lambda v: extras.category_label(by_key.get(v, v), lang)
    if name == "region":
        return lambda v: extras.regions.get(v, v)
    if name == "departement":
        return lambda v: f"{extras.departements.get(v, v)} ({v})"
    return lambda v: v


def chart(index: Index, extras: Extras, name: str, lang: str) -> dict[str, Any]:
    dimension, param, _, order = CHARTS.get(name, (name, name, None, "count"))
    counts = counts_by(index, extras, dimension)
    if name == "organisationType":
        counts = type(counts)({_key(k): v for k, v in counts.items()})
    return bars(
        name, counts, label_function(name, extras, lang), param, len(index.deployments), order=order
    )


def home_view(index: Index, extras: Extras, lang: str) -> dict[str, Any]:
    figures = key_figures(index)
    by_departement = counts_by(index, extras, "departement")
    return {
        "figures": figures,
        "charts": [chart(index, extras, name, lang) for name in CHARTS if name != "region"],
        "map": departement_map(by_departement, extras.departements, lang),
        "departements": chart(index, extras, "departement", lang),
        "regions": chart(index, extras, "region", lang),
        "reused": most_reused_systems(index, 10),
    }


def chart_csv(index: Index, extras: Extras, name: str, lang: str) -> bytes:
    """One chart's data table: value, label, deployments (UTF-8 with BOM for spreadsheets;
    cells that a spreadsheet would run as formulas are neutralised)."""
    data = chart(index, extras, name, lang)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(
        [
            "valeur" if lang == "fr" else "value",
            "libelle" if lang == "fr" else "label",
            "deploiements" if lang == "fr" else "deployments",
        ]
    )
    for row in data["rows"]:
        writer.writerow([_safe(row["value"]), _safe(row["label"]), row["count"]])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _safe(text: str) -> str:
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text


CHART_NAMES = (*CHARTS, "departement")
