"""The ready-to-fill template: CSV (the deployments table) or XLSX (one sheet per table, a help
row, drop-down lists for every coded field, a documentation sheet, one marked example row)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from registry.errors import InputError
from registry.tabular.columns import SEPARATOR, TABLES, Table
from registry.tabular.reader import HELP_MARK
from registry.tabular.schemas import facts, is_required, scheme_concepts, texts

TEMPLATE_TABLES = ("deploiements", "systemes", "organisations", "sources")
EXAMPLE_ROWS: dict[str, dict[str, str]] = {
    "deploiements": {
        "identifiant": "exemple-callbot-accueil",
        "organisation": "exemple-organisation",
        "systeme": "exemple-systeme",
        "statut": "en-service",
        "classification_ai_act": "transparence-art-50",
        "finalites": "information-usagers",
        "domaines": "relation-usagers",
        "decision_individuelle": "non",
        "intervention_humaine": "supervision-continue",
        "date_debut": "2024-09",
        "mode_acquisition": "solution-editeur",
        "contact_nom": "Direction du numérique",
        "contact_courriel": "numerique@ville.example",
        "titre": "EXEMPLE (ligne à supprimer) : callbot de l'accueil téléphonique",
        "description": "EXEMPLE : un agent conversationnel répond aux appels du standard et "
        "oriente les usagers vers le bon service.",
        "date_mise_a_jour": "2026-01-15",
    },
    "systemes": {
        "identifiant": "exemple-systeme",
        "titre": "EXEMPLE (ligne à supprimer) : callbot",
        "description": "EXEMPLE : agent conversationnel vocal.",
        "familles": f"agent-conversationnel{SEPARATOR}parole",
        "capacites": "ai:SpeechRecognition",
    },
    "organisations": {
        "identifiant": "exemple-organisation",
        "nom": "EXEMPLE (ligne à supprimer) : éditeur",
        "publique": "non",
    },
    "sources": {
        "deploiement": "exemple-callbot-accueil",
        "url": "https://ville.example/deliberations/2024-06",
        "titre": "EXEMPLE (ligne à supprimer) : délibération du conseil municipal",
        "date": "2024-06-27",
        "type_document": "deliberation",
    },
}


def write_template(out: Path, lang: str = "fr", table: str = "deploiements") -> None:
    suffix = out.suffix.lower()
    if suffix == ".csv":
        _write_csv(out, TABLES[table], lang)
    elif suffix == ".xlsx":
        _write_xlsx(out, lang)
    else:
        raise InputError(
            f"{out.name} : extension attendue .csv ou .xlsx.",
            f"{out.name}: expected extension .csv or .xlsx.",
            field="out",
        )


def _write_csv(out: Path, table: Table, lang: str) -> None:
    with out.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, delimiter=";" if lang == "fr" else ",", lineterminator="\r\n")
        writer.writerow(table.names)
        example = EXAMPLE_ROWS.get(table.name, {})
        writer.writerow([example.get(c, "") for c in table.names])


def _write_xlsx(out: Path, lang: str) -> None:
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    all_facts = facts()
    wb = Workbook()
    wb.remove(wb.active)
    lists = wb.create_sheet("listes")
    list_col = 1
    bold = Font(bold=True, color="FFFFFF")
    head_fill = PatternFill("solid", fgColor="1F4E79")
    required_fill = PatternFill("solid", fgColor="C00000")
    help_font = Font(italic=True, color="555555", size=9)
    example_fill = PatternFill("solid", fgColor="FFF2CC")
    for name in TEMPLATE_TABLES:
        table = TABLES[name]
        ws = wb.create_sheet(name)
        example = EXAMPLE_ROWS.get(name, {})
        for i, column in enumerate(table.columns, start=1):
            titles, descriptions = texts(column, all_facts)
            required = is_required(table, column, all_facts)
            head = ws.cell(row=1, column=i, value=column.name)
            head.font = bold
            head.fill = required_fill if required else head_fill
            title = titles.get(lang) or titles.get("fr", "")
            description = descriptions.get(lang) or descriptions.get("fr", "")
            mark = (" (obligatoire)" if lang == "fr" else " (required)") if required else ""
            head.comment = Comment(f"{title}{mark}\n{description}", "ia-territoires")
            help_cell = ws.cell(row=2, column=i, value=f"{HELP_MARK} {title}{mark}")
            help_cell.font = help_font
            help_cell.alignment = Alignment(wrap_text=True, vertical="top")
            cell = ws.cell(row=3, column=i, value=example.get(column.name) or None)
            cell.fill = example_fill
            ws.column_dimensions[get_column_letter(i)].width = max(14, min(40, len(title) + 4))
            concepts = scheme_concepts(column)
            if concepts:
                for r, (notation, _fr, _en) in enumerate(concepts, start=1):
                    lists.cell(row=r, column=list_col, value=notation)
                letter = get_column_letter(list_col)
                ref = f"{quote_sheetname('listes')}!${letter}$1:${letter}${len(concepts)}"
                # Several values: the list offers one, the error is off so that
                # "a | b" can be typed; the importer checks every value.
                dv = DataValidation(
                    type="list", formula1=ref, allow_blank=True, showErrorMessage=not column.multi
                )
                dv.error = "Valeur hors de la liste." if lang == "fr" else "Value not in the list."
                dv.prompt = title
                ws.add_data_validation(dv)
                dv.add(f"{get_column_letter(i)}3:{get_column_letter(i)}5000")
                list_col += 1
                if column.multi:
                    head.comment = Comment(
                        f"{title}{mark}\n{description}\n"
                        + ", ".join(n for n, _fr, _en in concepts),
                        "ia-territoires",
                    )
        ws.freeze_panes = "A3"
        ws.row_dimensions[2].height = 45
        ws.cell(row=3, column=1).comment = Comment(
            "EXEMPLE : ligne à supprimer ou à remplacer (ignorée à l'import tant que "
            "l'identifiant commence par « exemple- »)."
            if lang == "fr"
            else "EXAMPLE: delete or replace this row (skipped on import while the key starts "
            "with 'exemple-').",
            "ia-territoires",
        )
    lists.sheet_state = "hidden"
    _documentation(wb.create_sheet("documentation", 0), lang)
    wb.save(out)


def _documentation(ws: Any, lang: str) -> None:
    from openpyxl.styles import Alignment, Font

    all_facts = facts()
    fr = lang == "fr"
    intro = [
        "Modèle d'import du registre ia-territoires"
        if fr
        else "ia-territoires registry import template",
        "Une feuille par table : deploiements, systemes, organisations, sources. La ligne 2 "
        "(ℹ) est une aide ; la ligne 3 est un EXEMPLE à supprimer (ignorée à l'import : "
        "identifiants commençant par « exemple- »). Colonnes en rouge : obligatoires. "
        "Plusieurs valeurs : séparées par « | ». Dates : AAAA-MM-JJ, JJ/MM/AAAA, AAAA-MM ou "
        "AAAA. Valeurs des listes : notation ou libellé français (accents et majuscules "
        "indifférents). Pas de formule : des valeurs seulement."
        if fr
        else "One sheet per table: deploiements, systemes, organisations, sources. Row 2 (ℹ) is "
        "help; row 3 is an EXAMPLE to delete (skipped on import: keys starting with "
        "'exemple-'). Red columns are required. Several values: separated by ' | '. Dates: "
        "YYYY-MM-DD, DD/MM/YYYY, YYYY-MM or YYYY. List values: notation or French label "
        "(accents and case ignored). No formulas: values only.",
        "",
    ]
    for r, text in enumerate(intro, start=1):
        ws.cell(row=r, column=1, value=text)
    ws.cell(row=1, column=1).font = Font(bold=True, size=14)
    ws.cell(row=2, column=1).alignment = Alignment(wrap_text=True)
    header = (
        ["table", "colonne", "titre", "obligatoire", "description", "valeurs admises"]
        if fr
        else ["table", "column", "title", "required", "description", "allowed values"]
    )
    row = len(intro) + 1
    for c, text in enumerate(header, start=1):
        ws.cell(row=row, column=c, value=text).font = Font(bold=True)
    for name in TEMPLATE_TABLES:
        table = TABLES[name]
        for column in table.columns:
            row += 1
            titles, descriptions = texts(column, all_facts)
            values = "; ".join(
                f"{n} ({label_fr if fr else label_en or label_fr})"
                for n, label_fr, label_en in scheme_concepts(column)
            )
            cells = [
                name,
                column.name,
                titles.get(lang) or titles.get("fr", ""),
                ("oui" if fr else "yes") if is_required(table, column, all_facts) else "",
                descriptions.get(lang) or descriptions.get("fr", ""),
                values,
            ]
            for c, text in enumerate(cells, start=1):
                ws.cell(row=row, column=c, value=text).alignment = Alignment(
                    wrap_text=True, vertical="top"
                )
    for letter, width in zip("ABCDEF", (14, 24, 30, 11, 70, 70), strict=True):
        ws.column_dimensions[letter].width = width
