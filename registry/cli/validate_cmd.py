"""``ia-territoires validate PATH...``: check RDF files against the shapes, entry by entry.

Exit status: 0 = no Violation, 1 = Violations, 2 = unusable input (unreadable file, syntax
error: the message names the file and the line). Output in French unless ``--lang en``.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import typer
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF

from registry.cli import app
from registry.config import load_settings
from registry.errors import InputError, RegistryError
from registry.ingest.context import ReferenceData, context_from_graph, unresolved_instances
from registry.ingest.entries import remainder, split_entries
from registry.ingest.rdf import format_of, parse_graph
from registry.shacl import default_compiled_validator
from registry.validate import ValidationReport, default_validator
from registry.vocab import DEFAULT_BASE, IAT

EXIT_OK, EXIT_VIOLATIONS, EXIT_INPUT = 0, 1, 2


@dataclass
class EntryReport:
    entry: str  # the deployment IRI, or "" for the shared nodes
    key: str
    files: list[str]
    report: ValidationReport
    context_from_reference: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "entry": self.entry or None,
            "key": self.key,
            "files": self.files,
            **self.report.to_dict(),
        }


@dataclass
class Run:
    files: list[Path] = field(default_factory=list)
    entries: list[EntryReport] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        return all(e.report.conforms for e in self.entries)


def collect_files(paths: list[Path]) -> list[Path]:
    """The RDF files named by ``paths`` (folders searched recursively, hidden entries skipped)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file()
                and format_of(p.name) is not None
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.is_file():
            if format_of(path.name) is None:
                raise InputError(
                    f"{path} : format non reconnu (attendus : .ttl, .trig, .nt, .nq, .jsonld, "
                    ".json, éventuellement .gz).",
                    f"{path}: unrecognised format (expected .ttl, .trig, .nt, .nq, .jsonld, "
                    ".json, optionally .gz).",
                    file=str(path),
                )
            files.append(path)
        else:
            raise InputError(
                f"{path} : fichier ou dossier introuvable.",
                f"{path}: no such file or folder.",
                file=str(path),
            )
    if not files:
        raise InputError("Aucun fichier RDF à valider.", "No RDF file to validate.")
    return files


def run_validation(
    paths: list[Path], *, base_iri: str = DEFAULT_BASE, reference: bool = False
) -> Run:
    """``reference``: pySHACL instead of the compiled shapes (same reports, slower)."""
    run = Run(files=collect_files(paths))
    union = Graph()
    origin: dict[URIRef, list[str]] = {}
    for path in run.files:
        graph = parse_graph(path)
        for deployment in graph.subjects(RDF.type, IAT.Deployment):
            if isinstance(deployment, URIRef):
                origin.setdefault(deployment, []).append(str(path))
        union += graph
    validator = default_validator() if reference else default_compiled_validator()
    reference_data = ReferenceData()
    bases = {base_iri, DEFAULT_BASE}
    try:
        entries = split_entries(union)
        groups: list[tuple[str, Graph]] = list(entries.items())
        shared = remainder(union, entries.values())
        if len(shared):
            groups.append(("", shared))
        for iri, data in groups:
            context = context_from_graph(union, data)
            missing = unresolved_instances(data, union, validator.class_checked_predicates, bases)
            if missing:
                context += reference_data.context_for(missing)
            report = validator.validate(data, context=context)
            key = str(union.value(URIRef(iri), DCTERMS.identifier) or iri) if iri else ""
            run.entries.append(
                EntryReport(
                    entry=iri,
                    key=key,
                    files=origin.get(URIRef(iri), []) if iri else [],
                    report=report,
                    context_from_reference=bool(missing),
                )
            )
    finally:
        reference_data.close()
    return run


def render_text(run: Run, lang: str) -> str:
    fr = lang != "en"
    lines: list[str] = []
    for item in run.entries:
        counts = item.report.counts()
        summary = (
            f"{counts['Violation']} erreur(s), {counts['Warning']} avertissement(s), "
            f"{counts['Info']} suggestion(s)"
            if fr
            else f"{counts['Violation']} violation(s), {counts['Warning']} warning(s), "
            f"{counts['Info']} info(s)"
        )
        if item.entry:
            where = f" ({', '.join(item.files)})" if item.files else ""
            title = f"Fiche {item.key}{where}" if fr else f"Entry {item.key}{where}"
        else:
            title = (
                "Ressources partagées (systèmes, organisations, services…)"
                if fr
                else "Shared resources (systems, organisations, services...)"
            )
        lines.append(f"== {title} : {summary}" if fr else f"== {title}: {summary}")
        by_focus_shared = not item.entry
        for result in item.report.results:
            text = result.to_text("fr" if fr else "en")
            if by_focus_shared or result.focus != item.entry:
                text += f" [{result.focus}]"
            lines.append(f"  {text}")
        for comp in item.report.completeness.values():
            missing = ", ".join(m["fr" if fr else "en"] for m in comp.missing)
            line = (
                f"  Complétude : {comp.score:.0%} ({comp.satisfied}/{comp.total} champs "
                "recommandés)"
                if fr
                else f"  Completeness: {comp.score:.0%} ({comp.satisfied}/{comp.total} "
                "recommended fields)"
            )
            if missing:
                line += (" ; manquent : " if fr else "; missing: ") + missing
            lines.append(line)
        lines.append("")
    n_entries = sum(1 for e in run.entries if e.entry)
    n_bad = sum(1 for e in run.entries if not e.report.conforms)
    if fr:
        verdict = "conforme" if run.conforms else f"{n_bad} groupe(s) avec des erreurs"
        lines.append(f"{len(run.files)} fichier(s), {n_entries} fiche(s) : {verdict}.")
    else:
        verdict = "conforms" if run.conforms else f"{n_bad} group(s) with violations"
        lines.append(f"{len(run.files)} file(s), {n_entries} entr(y/ies): {verdict}.")
    return "\n".join(lines)


def render_json(run: Run) -> str:
    body = {
        "conforms": run.conforms,
        "files": [str(p) for p in run.files],
        "entries": [e.to_dict() for e in run.entries],
    }
    return json.dumps(body, ensure_ascii=False, indent=2)


@app.command("validate")
def validate(
    paths: list[Path] = typer.Argument(
        ...,
        help="Fichiers ou dossiers RDF (Turtle, JSON-LD, N-Triples…). / "
        "RDF files or folders (Turtle, JSON-LD, N-Triples...).",
    ),
    lang: str = typer.Option(
        "fr", "--lang", help="Langue du rapport : fr ou en. / Report language: fr or en."
    ),
    output_format: str = typer.Option(
        "text", "--format", help="Format du rapport : text ou json. / Report format: text or json."
    ),
    pyshacl: bool = typer.Option(
        False,
        "--pyshacl",
        help="Valider avec pySHACL, le moteur de référence (mêmes rapports, plus lent) au lieu "
        "des formes compilées. / Validate with pySHACL, the reference engine (same reports, "
        "slower), instead of the compiled shapes.",
    ),
) -> None:
    """Valide des fiches contre les formes SHACL du registre (code de sortie 0 : conforme,
    1 : erreurs, 2 : entrée inutilisable). / Validate entries against the registry's SHACL
    shapes (exit 0: conforms, 1: violations, 2: unusable input)."""
    if lang not in ("fr", "en"):
        _fail(
            InputError(
                f"--lang : « {lang} » inconnu (fr ou en).", f"--lang: unknown {lang!r} (fr or en)."
            ),
            "fr",
        )
    if output_format not in ("text", "json"):
        _fail(
            InputError(
                f"--format : « {output_format} » inconnu (text ou json).",
                f"--format: unknown {output_format!r} (text or json).",
            ),
            lang,
        )
    try:
        settings = load_settings()
        run = run_validation(paths, base_iri=settings.base_iri, reference=pyshacl)
    except RegistryError as exc:
        _fail(exc, lang)
    typer.echo(render_json(run) if output_format == "json" else render_text(run, lang))
    raise typer.Exit(EXIT_OK if run.conforms else EXIT_VIOLATIONS)


def _fail(exc: RegistryError, lang: str) -> NoReturn:
    prefix = "Erreur" if lang != "en" else "Error"
    print(
        f"{prefix} : {exc.message(lang)}" if lang != "en" else f"{prefix}: {exc.message(lang)}",
        file=sys.stderr,
    )
    raise typer.Exit(EXIT_INPUT)
