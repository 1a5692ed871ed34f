"""Import mode for the Etalab "inventaire des principaux traitements algorithmiques" (CRPA
L312-1-3): a collectivité loads the inventory it already keeps, as is. The crosswalk (column →
our field, defaults, what stays missing) is documented in
``ontology/crosswalks/etalab-inventaire.md``.

Each inventory row gives one deployment and one AI system (key ``{deployment}-systeme``). Columns
the crosswalk does not know are kept as notes (``Colonne : valeur``), never dropped. Columns with
our own names (``finalites``, ``domaines``...) may be added to the inventory to fill what it lacks.
"""

from __future__ import annotations

from collections.abc import Callable

from registry.tabular.columns import TABLES
from registry.tabular.importer import TableRows
from registry.tabular.reader import Sheet
from registry.tabular.report import ImportReport, Issue
from registry.vocab import fold, slugify

# Inventory column (folded; several spellings) → our deployment column.
ALIASES: dict[str, tuple[str, ...]] = {
    "titre": (
        "nom du traitement",
        "nom de l'algorithme",
        "nom du traitement algorithmique",
        "nom",
        "traitement",
        "algorithme",
        "intitule",
    ),
    "description": (
        "description",
        "description du traitement",
        "fonctionnement",
        "description du fonctionnement",
        "regles de traitement",
        "principales regles",
    ),
    "contact_nom": (
        "service",
        "service responsable",
        "direction",
        "direction responsable",
        "entite responsable",
        "service gestionnaire",
    ),
    "contact_courriel": ("contact", "courriel", "email", "adresse de contact", "mail"),
    "date_debut": (
        "date de mise en service",
        "mise en service",
        "date de mise en oeuvre",
        "annee de mise en service",
    ),
    "pages": (
        "lien",
        "lien vers la documentation",
        "documentation",
        "mention explicite",
        "lien vers la mention explicite",
        "url",
    ),
    "depot_code": ("code source", "lien vers le code source", "depot de code"),
    "statut": ("statut", "etat"),
}
# Inventory columns whose content has no field of ours: kept as a note, labelled.
AS_NOTES: dict[str, str] = {
    "finalite": "Finalité",
    "objectif": "Objectif",
    "objectif du traitement": "Objectif",
    "base legale": "Base légale",
    "texte de reference": "Texte de référence",
    "textes de reference": "Textes de référence",
    "fondement juridique": "Fondement juridique",
    "public concerne": "Public concerné",
    "personnes concernees": "Personnes concernées",
    "nombre de decisions": "Nombre de décisions",
    "nombre de decisions par an": "Nombre de décisions par an",
    "decision automatisee": "Décision automatisée",
    "niveau d'automatisation": "Niveau d'automatisation",
    "aide a la decision ou decision automatisee": "Aide à la décision ou décision automatisée",
    "type de decision": "Type de décision",
    "donnees utilisees": "Données utilisées",
}
# What an inventory row implies (CRPA L312-1-3 lists algorithms in use that ground individual
# decisions); each default is reported as a Warning so that it is checked.
DEFAULTS: dict[str, tuple[str, str, str]] = {
    "decision_individuelle": (
        "oui",
        "l'inventaire CRPA recense des traitements fondant des décisions individuelles",
        "the CRPA inventory lists processings that ground individual decisions",
    ),
    "statut": (
        "en-service",
        "l'inventaire recense des traitements en service",
        "the inventory lists processings in operation",
    ),
    "classification_ai_act": (
        "non-evaluee",
        "classification AI Act non évaluée",
        "AI Act classification not assessed",
    ),
    "intervention_humaine": (
        "non-documentee",
        "intervention humaine non documentée",
        "human involvement not documented",
    ),
}
SYSTEM_FAMILY_DEFAULT = "regles"


def header_map(header: list[str]) -> dict[int, tuple[str, str]]:
    """Position → ("column", our column) | ("note", label) | ("native", our column)."""
    deployments = TABLES["deploiements"]
    native = {fold(c.name): c.name for c in deployments.columns}
    aliases = {fold(a): col for col, names in ALIASES.items() for a in names}
    out: dict[int, tuple[str, str]] = {}
    for i, cell in enumerate(header):
        key = fold(cell).replace("’", "'")
        if not key:
            continue
        if key in native:
            out[i] = ("column", native[key])
        elif key in aliases:
            out[i] = ("column", aliases[key])
        elif key in AS_NOTES:
            out[i] = ("note", AS_NOTES[key])
        else:
            out[i] = ("note", cell.strip())
    return out


def etalab_tables(sheet: Sheet, report: ImportReport, org: str | None) -> list[TableRows]:
    mapping = header_map(sheet.header)
    names: list[str | None] = [f"col{i}" for i in range(len(sheet.header))]
    if not any(kind == "column" and col == "titre" for kind, col in mapping.values()):
        report.aborted = True
        report.add_issue(
            Issue(
                "Violation",
                f"{sheet.path.name} : aucune colonne de nom du traitement (« Nom du traitement »)",
                f"{sheet.path.name}: no column naming the processing ('Nom du traitement')",
                table=sheet.name,
            )
        )
    for i, (kind, _target) in mapping.items():
        if kind == "note":
            report.add_issue(
                Issue(
                    "Info",
                    f"colonne « {sheet.header[i]} » conservée en note",
                    f"column '{sheet.header[i]}' kept as a note",
                    table=sheet.name,
                    column=sheet.header[i],
                )
            )
    return [
        TableRows(TABLES["systemes"], sheet, names, _adapter(mapping, sheet, org, system=True)),
        TableRows(
            TABLES["deploiements"], sheet, names, _adapter(mapping, sheet, org, system=False)
        ),
    ]


def _adapter(
    mapping: dict[int, tuple[str, str]], sheet: Sheet, org: str | None, *, system: bool
) -> Callable[[dict[str, str]], tuple[dict[str, str], list[Issue]]]:
    def adapt(raw: dict[str, str]) -> tuple[dict[str, str], list[Issue]]:
        row: dict[str, str] = {}
        notes: list[str] = []
        for i, (kind, target) in mapping.items():
            value = raw.get(f"col{i}", "").strip()
            if not value:
                continue
            if kind == "column":
                if row.get(target):
                    row[target] = f"{row[target]} | {value}" if target == "pages" else row[target]
                else:
                    row[target] = value
            else:
                notes.append(f"{target} : {value}")
        issues: list[Issue] = []
        title = row.get("titre", "")
        key = row.get("identifiant") or slugify(f"{org or ''} {title}")[:90].strip("-")
        row["identifiant"] = key
        if system:
            if not row.get("familles"):
                issues.append(
                    Issue(
                        "Warning",
                        f"famille d'IA absente : « {SYSTEM_FAMILY_DEFAULT} » (système à "
                        "base de règles) par défaut ; à vérifier",
                        f"AI family missing: '{SYSTEM_FAMILY_DEFAULT}' (rule-based system) by "
                        "default; to be checked",
                        column="familles",
                        value=SYSTEM_FAMILY_DEFAULT,
                    )
                )
            return _system_row(row, key), issues
        if notes:
            existing = row.get("notes", "")
            parts = ([existing] if existing else []) + [n.replace("|", "\\|") for n in notes]
            row["notes"] = " | ".join(parts)
        if "@" not in row.get("contact_courriel", "@") and row.get("contact_courriel"):
            row["contact_nom"] = row.get("contact_nom") or row["contact_courriel"]
            row["contact_courriel"] = ""
        row["systeme"] = f"{key}-systeme"[:100] if key else ""
        if not row.get("description") and title:
            issues.append(
                Issue(
                    "Violation",
                    "description absente de l'inventaire : ajouter une colonne « description »",
                    "no description in the inventory: add a 'description' column",
                    column="description",
                )
            )
        for column, (value, fr, en) in DEFAULTS.items():
            if not row.get(column):
                row[column] = value
                issues.append(
                    Issue(
                        "Warning",
                        f"valeur par défaut « {value} » : {fr} ; à vérifier",
                        f"default value '{value}': {en}; to be checked",
                        column=column,
                        value=value,
                    )
                )
        for column in ("finalites", "domaines"):
            if not row.get(column):
                issues.append(
                    Issue(
                        "Violation",
                        f"absent de l'inventaire Etalab : ajouter une colonne « {column} » "
                        "(valeurs de la liste du modèle)",
                        f"not in the Etalab inventory: add a '{column}' column (values from the "
                        "template's list)",
                        column=column,
                    )
                )
        return row, issues

    return adapt


def _system_row(row: dict[str, str], key: str) -> dict[str, str]:
    return {
        "identifiant": f"{key}-systeme"[:100] if key else "",
        "titre": row.get("titre", ""),
        "description": row.get("description", ""),
        "familles": row.get("familles", "") or SYSTEM_FAMILY_DEFAULT,
        "depot_code": row.get("depot_code", ""),
    }
