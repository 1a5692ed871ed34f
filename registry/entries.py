"""The write path: authorise → parse → check IRIs → validate → write the new version atomically
(previous versions kept) → provenance → catalogue record.

One write is ONE SPARQL Update request, so that a crash leaves each entry entirely at its old or
its new version. The request is guarded by the version the writer read (optimistic concurrency):
if another writer got there first, the guard fails, nothing is written and ``PreconditionFailed``
is raised. The default graph (the public view) is kept in sync in the same request: the previous
version's triples leave it, the new ones enter it, and triples that another public graph still
asserts (a source document two entries cite) are put back.

Validation sees the entry plus the ``rdf:type`` and labels of the nodes it links to, fetched with
one CONSTRUCT: never the whole store, so a write costs the same on a small or a huge registry.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Protocol

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, PROV, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from registry import history
from registry.auth import Principal
from registry.errors import (
    InputError,
    NotFoundError,
    PayloadTooLarge,
    PermissionDenied,
    PreconditionFailed,
    PreconditionRequired,
    RegistryError,
    ValidationFailed,
)
from registry.history import VersionInfo
from registry.layout import (
    CATALOG_RECORD,
    DCAT_VERSION,
    ENTRY_CLASSES,
    HAS_CURRENT_VERSION,
    HAS_VERSION,
    KIND_CLASSES,
    KINDS,
    Layout,
    closure,
    comparable,
    entry_roots,
)
from registry.store.base import Store
from registry.vocab import ADMS, KEY_RE, TECH, concept_iri, entry_graph

MAX_TRIPLES = 20_000
RETIRED = "arrete"
# Triples the registry writes itself: never taken from a payload, ignored when comparing.
MANAGED_ON_METADATA = (HAS_VERSION, HAS_CURRENT_VERSION)
LABELS = (RDFS.label, SKOS.prefLabel, FOAF.name, DCTERMS.title, SKOS.notation)


class Report(Protocol):
    """What the write path needs from a validation report (registry.validate)."""

    @property
    def conforms(self) -> bool: ...

    def to_dict(self) -> dict[str, Any]: ...


class EntryValidator(Protocol):
    def validate(
        self, data: Iterable[Triple], *, context: Iterable[Triple] | None = None
    ) -> Any: ...


@dataclass(frozen=True)
class WriteResult:
    version: VersionInfo
    created: bool
    changed: bool
    report: Any = None  # the ValidationReport (warnings may remain), None when unchanged


Triple = tuple[Node, Node, Node]


@dataclass
class WriteRequest:
    """One entry to write: its own triples (see :meth:`EntryService._extract`) and the version
    the writer changed (``if_match``; ``check_version=False``: whatever version is current)."""

    kind: str
    key: str
    content: Graph
    if_match: str | int | None = None
    summary: tuple[str, str] | None = None
    status: str | None = None
    check_version: bool = True


@dataclass(frozen=True)
class _Plan:
    request: WriteRequest
    current: VersionInfo | None
    old: Graph | None
    now: datetime


@dataclass(frozen=True)
class Checked:
    """A request checked and validated, ready to write (if its report conforms)."""

    request: WriteRequest
    current: VersionInfo | None
    old: Graph | None
    now: datetime
    report: Any


_WRITE_LOCKS: weakref.WeakKeyDictionary[Store, threading.RLock] = weakref.WeakKeyDictionary()
_WRITE_LOCKS_GUARD = threading.Lock()


def _write_lock(store: Store) -> threading.RLock:
    """One lock per store object, shared by every EntryService on it: writes are serialised
    in the process, whichever service makes them."""
    with _WRITE_LOCKS_GUARD:
        lock = _WRITE_LOCKS.get(store)
        if lock is None:
            lock = _WRITE_LOCKS[store] = threading.RLock()
        return lock


def normalise_etag(value: str | int | None) -> str | None:
    """``3``, ``"3"``, ``W/"3"`` → ``3``."""
    if value is None:
        return None
    text = str(value).strip()
    if text.startswith("W/"):
        text = text[2:]
    return text.strip('"')


class EntryService:
    """Writes entries. Safe to share between threads: writes are serialised in-process, and the
    guarded update protects against writers in other processes."""

    def __init__(
        self,
        store: Store,
        layout: Layout,
        validator: EntryValidator | None = None,
        *,
        max_payload_bytes: int = 2_000_000,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.store = store
        self.layout = layout
        self._validator = validator
        self.max_payload_bytes = max_payload_bytes
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = _write_lock(store)

    @property
    def validator(self) -> EntryValidator:
        if self._validator is None:
            # The compiled shapes (registry.shacl): pySHACL's reports, checked against it by
            # tests/unit/test_shacl_compiled.py, at a fiftieth of the cost. Loaded on first use.
            from registry.shacl import default_compiled_validator

            self._validator = default_compiled_validator()
        return self._validator

    # ---- reads used by the API --------------------------------------------------------------
    def current(self, kind: str, key: str) -> tuple[VersionInfo, Graph]:
        return history.get_current(self.store, self.layout, kind, key)

    # ---- the write path -----------------------------------------------------------------------
    def write(
        self,
        principal: Principal | None,
        kind: str,
        key: str,
        payload: Graph | bytes | str,
        *,
        media_type: str | None = None,
        if_match: str | int | None = None,
        summary: tuple[str, str] | None = None,
        status: str | None = None,
    ) -> WriteResult:
        """Create or update an entry. ``if_match`` is required to update an existing entry and
        must name its current version. Unchanged content writes nothing."""
        principal = _require_principal(principal)
        _check_kind_key(kind, key)
        graph = self._parse(payload, media_type)
        content = self._extract(graph, kind, key)
        request = WriteRequest(kind, key, content, if_match, summary=summary, status=status)
        outcome = self.write_many(principal, [request])[0]
        if isinstance(outcome, RegistryError):
            raise outcome
        return outcome

    def write_many(
        self, principal: Principal | None, requests: Sequence[WriteRequest]
    ) -> list[WriteResult | RegistryError]:
        """Write many entries (already extracted) with a few queries and ONE update request:
        the same checks, versions and provenance as :meth:`write` one by one, each entry
        guarded by its own version. Returns, per request, its result or the error that
        refused it (nothing is written for that entry; the others are)."""
        principal = _require_principal(principal)
        with self._lock:
            checked = self.check_many(principal, requests)
            return self._commit(principal, checked)

    def check_many(
        self,
        principal: Principal | None,
        requests: Sequence[WriteRequest],
        *,
        extra_context: Callable[[set[URIRef]], Iterable[Triple]] | None = None,
    ) -> list[Checked | WriteResult | RegistryError]:
        """Everything :meth:`write_many` does before writing: per request, a :class:`Checked`
        (completed content and its validation report, which may not conform), an unchanged
        :class:`WriteResult`, or the error that refuses it. Writes nothing.
        ``extra_context``: triples about linked nodes the store does not have yet (an import
        checks rows that link to entries it has not written)."""
        principal = _require_principal(principal)
        out: list[Checked | WriteResult | RegistryError | None] = [None] * len(requests)
        currents = history.current_versions(
            self.store, self.layout, [(r.kind, r.key) for r in requests if _valid_key(r)]
        )
        # The stored versions, with one query (their content is compared and completed).
        olds = history.get_graphs(self.store, [c.graph for c in currents.values()])
        now = self._clock()
        plans: list[tuple[int, _Plan]] = []
        seen: set[tuple[str, str]] = set()
        for i, request in enumerate(requests):
            try:
                plan = self._plan(principal, request, currents, olds, seen, now)
            except RegistryError as exc:
                out[i] = exc
                continue
            if isinstance(plan, _Plan):
                plans.append((i, plan))
            else:
                out[i] = plan
        checked = self._check([plan for _, plan in plans], extra_context)
        for (i, _), item in zip(plans, checked, strict=True):
            out[i] = item
        return [o for o in out if o is not None]

    def _check(
        self,
        plans: Sequence[_Plan],
        extra_context: Callable[[set[URIRef]], Iterable[Triple]] | None = None,
    ) -> list[Checked]:
        """Validate planned writes together (one context query, one validator run)."""
        if not plans:
            return []
        contexts = self._contexts([p.request.content for p in plans], extra_context)
        # Lists, not graphs: the compiled validator reads a list faster than an rdflib graph.
        reports = self._validate_many(
            [(list(p.request.content), c) for p, c in zip(plans, contexts, strict=True)]
        )
        return [
            Checked(p.request, p.current, p.old, p.now, report)
            for p, report in zip(plans, reports, strict=True)
        ]

    def retire(
        self,
        principal: Principal | None,
        kind: str,
        key: str,
        *,
        if_match: str | int | None,
        status: str = RETIRED,
        end: date | None = None,
    ) -> WriteResult:
        """Retire an entry: a new version with the given status (``arrete`` by default) and an
        end date. Nothing is deleted."""
        principal = _require_principal(principal)
        _check_kind_key(kind, key)
        if not KEY_RE.match(status):
            raise InputError(f"Statut invalide : {status!r}.", f"Invalid status: {status!r}.")
        with self._lock:
            current = history.current_version(self.store, self.layout, kind, key)
            if current is None:
                raise history._not_found(kind, key)
            self._check_precondition(current, if_match, kind, key)
            old = self.store.get_graph(current.graph)
            content = entry_graph()
            for t in old:
                content.add(t)
            node = URIRef(self.layout.entry_iri(kind, key))
            status_iri = URIRef(concept_iri("statut", status))
            content.set((node, ADMS.status, status_iri))
            period = next(iter(content.objects(node, DCTERMS.temporal)), None)
            if period is None:
                period = BNode()
                content.add((node, DCTERMS.temporal, period))
                content.add((period, RDF.type, DCTERMS.PeriodOfTime))
            end_date = end or self._clock().date()
            content.set((period, DCAT.endDate, Literal(end_date, datatype=XSD.date)))
            if kind == "deploiement":
                content.set((node, DCTERMS.modified, Literal(end_date, datatype=XSD.date)))
            summary = (f"Retrait (statut : {status}).", f"Retired (status: {status}).")
            request = WriteRequest(
                kind, key, content, summary=summary, status=status, check_version=False
            )
            plan = self._plan(  # authorises, completes, compares with the old version
                principal,
                request,
                {(kind, key): current},
                {current.graph: old},
                set(),
                self._clock(),
            )
            if isinstance(plan, WriteResult):
                return plan
            outcome = self._commit(principal, self._check([plan]))[0]
            if isinstance(outcome, RegistryError):
                raise outcome
            return outcome

    def restore(
        self,
        principal: Principal | None,
        kind: str,
        key: str,
        n: int,
        *,
        if_match: str | int | None,
    ) -> WriteResult:
        """Write the content of version ``n`` as a new version (nothing is rewritten)."""
        content = history.get_version(self.store, self.layout, kind, key, n)
        summary = (f"Restauration de la version {n}.", f"Restored version {n}.")
        return self.write(principal, kind, key, content, if_match=if_match, summary=summary)

    def purge(self, principal: Principal | None, kind: str, key: str, reason: str) -> int:
        """Delete every version of an entry (legal takedown; administrators only). The purge
        itself is recorded (who, when, why) in the registry graph. Returns how many versions
        were dropped."""
        principal = _require_principal(principal)
        _check_kind_key(kind, key)
        if not principal.is_admin:
            raise PermissionDenied(
                "Seul un administrateur peut purger une fiche.",
                "Only an administrator may purge an entry.",
            )
        if not reason.strip():
            raise InputError(
                "Une purge doit être motivée (raison).",
                "A purge needs a reason.",
                field="reason",
            )
        with self._lock:
            versions = history.list_versions(self.store, self.layout, kind, key)
            current = next((v for v in versions if v.current), versions[-1])
            self.store.update(self._purge_update(principal, kind, key, versions, current, reason))
        return len(versions)

    def ensure_organisation(self, siren: str, name: str | None) -> str:
        """Make sure the organisation with this SIREN is described in the public view: the
        reference data usually has it; otherwise write an organisation entry. Returns its name."""
        iri = self.layout.organisation_iri(siren)
        rows = self.store.select(
            f"SELECT ?name WHERE {{ <{iri}> ?p ?name "
            f"VALUES ?p {{ <{FOAF.name}> <{SKOS.prefLabel}> <{RDFS.label}> }} }} LIMIT 1"
        )
        if rows:
            return name or str(rows[0]["name"])
        if not name:
            raise InputError(
                f"L'organisation {siren} est absente des données de référence : donnez son nom "
                "(--name).",
                f"Organisation {siren} is not in the reference data: give its name (--name).",
                field="name",
            )
        g = Graph()
        node = URIRef(iri)
        ident = BNode()
        g.add((node, RDF.type, FOAF.Organization))
        g.add((node, RDF.type, ORG.Organization))
        g.add((node, FOAF.name, Literal(name)))
        g.add((node, DCTERMS.identifier, Literal(siren)))
        g.add((node, ADMS.identifier, ident))
        g.add((ident, RDF.type, ADMS.Identifier))
        g.add((ident, SKOS.notation, Literal(siren)))
        g.add((ident, ADMS.schemaAgency, Literal("INSEE")))
        current = history.current_version(self.store, self.layout, "organisation", siren)
        self.write(
            Principal.system(self.layout),
            "organisation",
            siren,
            g,
            if_match=current.etag if current else None,
        )
        return name

    # ---- steps --------------------------------------------------------------------------------
    def _parse(self, payload: Graph | bytes | str, media_type: str | None) -> Graph:
        if isinstance(payload, Graph):
            if len(payload) > MAX_TRIPLES:
                raise _too_large(f"{len(payload)} triplets", f"{len(payload)} triples")
            return payload
        size = len(payload.encode("utf-8") if isinstance(payload, str) else payload)
        if size > self.max_payload_bytes:
            raise _too_large(
                f"{size} octets > {self.max_payload_bytes}",
                f"{size} bytes > {self.max_payload_bytes}",
            )
        from registry.ingest.rdf import Limits, parse_graph

        return parse_graph(
            payload,
            format=_format(media_type),
            name="<requête>",
            limits=Limits(max_bytes=self.max_payload_bytes, max_triples=MAX_TRIPLES),
        )

    def _extract(self, graph: Graph, kind: str, key: str) -> Graph:
        """The entry's own triples, after checking that the payload describes exactly this
        entry under this registry's base."""
        layout = self.layout
        node = URIRef(layout.entry_iri(kind, key))
        classes = set(KIND_CLASSES[kind])
        for s, t in graph.subject_objects(RDF.type):
            if t in ENTRY_CLASSES and isinstance(s, URIRef) and not layout.is_instance_iri(str(s)):
                raise InputError(
                    f"<{s}> : l'IRI d'une fiche doit commencer par {layout.base}id/.",
                    f"<{s}>: an entry IRI must start with {layout.base}id/.",
                    field="@id",
                    iri=str(s),
                )
        types = set(graph.objects(node, RDF.type))
        if not types & classes:
            others = sorted(
                str(s)
                for s in graph.subjects(RDF.type, None)
                if isinstance(s, URIRef) and set(graph.objects(s, RDF.type)) & classes
            )
            hint_fr = f" ; le document décrit {', '.join(others)}" if others else ""
            hint_en = f"; the document describes {', '.join(others)}" if others else ""
            expected = ", ".join(f"<{c}>" for c in sorted(classes))
            raise InputError(
                f"Le document ne décrit pas <{node}> (type attendu : {expected}){hint_fr}.",
                f"The document does not describe <{node}> (expected type: {expected}){hint_en}.",
                field="@id",
                iri=str(node),
            )
        meta = URIRef(layout.metadata_subject(kind, key))
        cleaned = entry_graph()
        for s, p, o in graph:
            if s == meta and p in MANAGED_ON_METADATA:
                continue
            if isinstance(s, URIRef) and str(s).startswith(layout.version_prefix):
                continue
            cleaned.add((s, p, o))
        content = closure(cleaned, entry_roots(layout, kind, key), layout)
        stray = {s for s, _p, _o in cleaned if (s, _p, _o) not in content}
        if stray:
            names = ", ".join(sorted(_show(s) for s in stray)[:5])
            raise InputError(
                f"Le document contient des triplets qui n'appartiennent pas à <{node}> : {names} "
                "(une autre fiche se modifie à sa propre adresse).",
                f"The document holds triples that do not belong to <{node}>: {names} "
                "(another entry is changed at its own address).",
                field="@id",
            )
        identifiers = {str(o) for o in content.objects(node, DCTERMS.identifier)}
        if identifiers and identifiers != {key}:
            raise InputError(
                f"dct:identifier {sorted(identifiers)} ne correspond pas à la clé « {key} ».",
                f"dct:identifier {sorted(identifiers)} does not match the key '{key}'.",
                field="dct:identifier",
            )
        for s_, p_, o_ in content:
            for term in (s_, p_, o_):
                _check_term(term)
        return content

    def _check_precondition(
        self, current: VersionInfo | None, if_match: str | int | None, kind: str, key: str
    ) -> None:
        wanted = normalise_etag(if_match)
        if current is None:
            if wanted not in (None, "*", "0"):
                raise PreconditionFailed(
                    f"{kind}/{key} n'existe pas (version demandée : {wanted}).",
                    f"{kind}/{key} does not exist (version named: {wanted}).",
                    current=None,
                )
            return
        if wanted is None:
            raise PreconditionRequired(
                f"{kind}/{key} existe déjà (version {current.etag}) : indiquez la version "
                "modifiée (If-Match).",
                f"{kind}/{key} already exists (version {current.etag}): name the version you "
                "changed (If-Match).",
                current=current.etag,
            )
        if wanted != current.etag:
            raise _stale(kind, key, wanted, current.etag)

    def _authorise(
        self,
        principal: Principal,
        kind: str,
        key: str,
        content: Graph,
        old: Graph | None,
        current: VersionInfo | None,
    ) -> None:
        if principal.is_admin:
            return
        node = URIRef(self.layout.entry_iri(kind, key))
        org = URIRef(principal.organisation) if principal.organisation else None
        if kind == "deploiement":
            deployers = set(content.objects(node, TECH.hasDeployer))
            previous = set(old.objects(node, TECH.hasDeployer)) if old is not None else set()
            if org is None or deployers != {org} or (previous and org not in previous):
                raise PermissionDenied(
                    f"Ce jeton ne peut écrire que les déploiements de <{org}> "
                    f"(tech:hasDeployer : {', '.join(sorted(map(str, deployers | previous)))}).",
                    f"This token may only write deployments of <{org}> "
                    f"(tech:hasDeployer: {', '.join(sorted(map(str, deployers | previous)))}).",
                    field="tech:hasDeployer",
                )
            return
        if current is None:
            return  # shared nodes: any publisher may create one
        creator = self._creator(kind, key)
        if kind == "organisation" and principal.siren == key:
            return
        if org is None or creator != str(org):
            raise PermissionDenied(
                f"{kind}/{key} ne peut être modifié que par son créateur ({creator}) ou un "
                "administrateur.",
                f"{kind}/{key} may only be changed by its creator ({creator}) or an administrator.",
            )

    def _creator(self, kind: str, key: str) -> str | None:
        first = self.layout.version_graph(kind, key, 1)
        rows = self.store.select(
            f"SELECT ?a WHERE {{ GRAPH <{self.layout.registry_graph}> "
            f"{{ <{first}> <{PROV.wasAttributedTo}> ?a }} }} LIMIT 1"
        )
        return str(rows[0]["a"]) if rows else None

    def _plan(
        self,
        principal: Principal,
        request: WriteRequest,
        currents: dict[tuple[str, str], VersionInfo],
        olds: dict[str, Graph],
        seen: set[tuple[str, str]],
        now: datetime,
    ) -> _Plan | WriteResult:
        kind, key, content = request.kind, request.key, request.content
        _check_kind_key(kind, key)
        if (kind, key) in seen:
            raise InputError(
                f"{kind}/{key} figure deux fois dans le même envoi.",
                f"{kind}/{key} appears twice in the same batch.",
                kind=kind,
                key=key,
            )
        seen.add((kind, key))
        for triple in content:  # write() checked them in _extract; write_many's callers may not
            for term in triple:
                _check_term(term)
        current = currents.get((kind, key))
        if request.check_version:
            self._check_precondition(current, request.if_match, kind, key)
        old = olds[current.graph] if current else None
        self._authorise(principal, kind, key, content, old, current)
        same = self.complete(principal, kind, key, content, current, old, now)
        if same is None and old is not None:
            same = history.same_content(
                comparable(old, self.layout, kind, key),
                comparable(content, self.layout, kind, key),
            )
        if same:
            assert current is not None
            return WriteResult(version=current, created=False, changed=False)
        return _Plan(request, current, old, now)

    def _commit(
        self, principal: Principal, checked: Sequence[Checked | WriteResult | RegistryError]
    ) -> list[WriteResult | RegistryError]:
        """Write every conforming :class:`Checked` (:meth:`prepare`, then :meth:`apply`)."""
        out: list[WriteResult | RegistryError | None] = []
        todo: list[tuple[int, Prepared]] = []
        for item in checked:
            if isinstance(item, Checked):
                try:
                    todo.append((len(out), self.prepare(principal, item)))
                    out.append(None)  # filled once applied
                except RegistryError as exc:
                    out.append(exc)
            else:
                out.append(item)
        applied = self.apply([p for _, p in todo])
        for (position, _), result in zip(todo, applied, strict=True):
            out[position] = result
        return [o for o in out if o is not None]

    def prepare(self, principal: Principal, item: Checked) -> Prepared:
        """The update that writes a checked entry (raises ValidationFailed if it does not
        conform). Nothing is written: :meth:`apply` does (an import prepares every row first,
        keeps the updates aside, and applies them once the whole file is known good)."""
        request = item.request
        kind, key, content = request.kind, request.key, request.content
        if not item.report.conforms:
            raise _validation_failed(kind, key, item.report)
        n = item.current.number + 1 if item.current else 1
        summary = request.summary
        if summary is None:
            summary = history.summarise_change(
                comparable(item.old, self.layout, kind, key) if item.old is not None else None,
                comparable(content, self.layout, kind, key),
            )
        status_iri = self._status(content, kind, key, request.status)
        parts = version_update_parts(
            self.layout,
            kind,
            key,
            n,
            content,
            agent=principal.agent,
            token_id=principal.token_id,
            generated_at=item.now,
            summary=summary,
            status=status_iri,
            previous=item.old,
        )
        info = VersionInfo(
            kind,
            key,
            n,
            self.layout.version_graph(kind, key, n),
            generated_at=item.now,
            attributed_to=principal.agent,
            token_id=principal.token_id,
            summary_fr=summary[0],
            summary_en=summary[1],
            status=str(status_iri) if status_iri else None,
            current=True,
        )
        return Prepared(info, item.current is None, parts, item.report)

    def apply(self, prepared: Sequence[Prepared]) -> list[WriteResult | RegistryError]:
        """Run prepared writes as ONE update request, then read back which versions were made
        (a guard fails when another writer made a version in between: that entry is not
        written and gets PreconditionFailed).

        New entries go in one INSERT guarded by all their guards at once: a guard evaluated
        per operation re-reads the pending transaction and costs more than the insert itself
        (measured on Oxigraph: 3.1 against 1.3 ms an entry). If that joint guard fails, the new
        entries are retried one by one, so that only the stale ones fail."""
        if not prepared:
            return []
        with self._lock:
            new = [p for p in prepared if p.created]
            ops = [p.parts.operations() for p in prepared if not p.created]
            bulk = len(new) > 1 and self.store.exclusive_writer and self._all_absent(new)
            if bulk:
                # No other writer can come in between (this process alone writes to the store,
                # and holds the lock): the guards were just checked, the bulk insert follows.
                self.store.insert_atomically("".join(p.parts.nquads() for p in new).encode())
            elif len(new) > 1:
                ops.append(joint_insert([p.parts for p in new]))
            elif new:
                ops.append(new[0].parts.operations())
            if ops:
                self.store.update(" ;\n".join(ops))
            applied = self._applied([p.version for p in prepared])
            if len(new) > 1 and not any(p.version.graph in applied for p in new):
                self.store.update(" ;\n".join(p.parts.operations() for p in new))
                applied |= self._applied([p.version for p in new])
            out: list[WriteResult | RegistryError] = []
            for p in prepared:
                if p.version.graph in applied:
                    out.append(WriteResult(p.version, p.created, True, p.report))
                    continue
                kind, key = p.version.kind, p.version.key
                latest = history.current_version(self.store, self.layout, kind, key)
                wanted = str(p.version.number - 1)
                out.append(_stale(kind, key, wanted, latest.etag if latest else "0"))
            return out

    def _all_absent(self, new: Sequence[Prepared]) -> bool:
        """None of these entries has a version yet (their guards hold)."""
        values = " ".join(
            f"<{self.layout.metadata_subject(p.version.kind, p.version.key)}>" for p in new
        )
        return not self.store.ask(
            f"ASK {{ GRAPH <{self.layout.registry_graph}> {{ "
            f"VALUES ?m {{ {values} }} ?m <{HAS_CURRENT_VERSION}> ?v }} }}"
        )

    def _applied(self, versions: Sequence[VersionInfo]) -> set[str]:
        """The version graphs among ``versions`` that are now current, as written (same time)."""
        rows = " ".join(
            f"(<{self.layout.metadata_subject(v.kind, v.key)}> <{v.graph}> "
            f"{_dt(v.generated_at or datetime.min)})"
            for v in versions
        )
        found = self.store.select(
            f"SELECT ?g WHERE {{ GRAPH <{self.layout.registry_graph}> {{ "
            f"VALUES (?m ?g ?t) {{ {rows} }} "
            f"?m <{HAS_CURRENT_VERSION}> ?g . ?g <{PROV.generatedAtTime}> ?t }} }}"
        )
        return {str(row["g"]) for row in found}

    def _validate_many(self, items: list[tuple[list[Triple], list[Triple]]]) -> list[Any]:
        batch = getattr(self.validator, "validate_many", None)
        if batch is not None:
            return list(batch(items))
        return [self.validator.validate(data, context=context) for data, context in items]

    def complete(
        self,
        principal: Principal,
        kind: str,
        key: str,
        content: Graph,
        current: VersionInfo | None,
        old: Graph | None,
        now: datetime,
    ) -> bool | None:
        """Add what the registry maintains: a deployment's catalogue record (issued, modified,
        profile, revision link) and its ``dct:modified`` when the payload has none.

        Returns whether the completed content is the same as ``old`` when it had to find out
        (to keep the previous ``dct:modified``), else None."""
        if kind != "deploiement":
            return None
        node = URIRef(self.layout.entry_iri(kind, key))
        record = URIRef(self.layout.record_iri(key))
        today = Literal(now.date(), datatype=XSD.date)
        content.add((record, RDF.type, CATALOG_RECORD))
        content.set((record, FOAF.primaryTopic, node))
        if content.value(record, DCTERMS.issued) is None:
            issued = old.value(record, DCTERMS.issued) if old is not None else None
            content.add((record, DCTERMS.issued, issued if issued is not None else today))
        if content.value(record, DCTERMS.conformsTo) is None:
            content.add((record, DCTERMS.conformsTo, URIRef(f"{self.layout.base}profile/0.1")))
        if content.value(record, PROV.wasAttributedTo) is None:
            agent = old.value(record, PROV.wasAttributedTo) if old is not None else None
            if agent is None and principal.agent:
                agent = URIRef(principal.agent)
            if agent is not None:
                content.add((record, PROV.wasAttributedTo, agent))
        content.set((record, DCTERMS.modified, today))
        content.remove((record, PROV.wasRevisionOf, None))
        if current is not None:
            content.add((record, PROV.wasRevisionOf, URIRef(current.graph)))
        if content.value(node, DCTERMS.modified) is None:
            # Keep the previous date if nothing else changed (so that re-sending the same entry
            # is a no-op), else today.
            previous = old.value(node, DCTERMS.modified) if old is not None else None
            content.add((node, DCTERMS.modified, previous if previous is not None else today))
            if old is not None and previous is not None:
                same = history.same_content(
                    comparable(old, self.layout, kind, key),
                    comparable(content, self.layout, kind, key),
                )
                if not same:
                    content.set((node, DCTERMS.modified, today))
                return same
        return None

    def _contexts(
        self,
        contents: Sequence[Graph],
        extra: Callable[[set[URIRef]], Iterable[Triple]] | None = None,
    ) -> list[list[Triple]]:
        """For each content, the types and labels of the nodes it links to (triples: the
        validators take any iterable); one CONSTRUCT for all of them."""
        linked = [linked_nodes(content, self.layout) for content in contents]
        wanted = set().union(*linked)
        if not wanted:
            return [[] for _ in contents]
        about: dict[Node, list[Triple]] = {}
        for t in self.store.construct(context_query(wanted)):
            about.setdefault(t[0], []).append(t)
        if extra is not None:
            for t in extra(wanted):
                about.setdefault(t[0], []).append(t)
        return [[t for node in nodes for t in about.get(node, ())] for nodes in linked]

    def _status(self, content: Graph, kind: str, key: str, status: str | None) -> URIRef | None:
        if status is not None:
            return URIRef(concept_iri("statut", status))
        value = content.value(URIRef(self.layout.entry_iri(kind, key)), ADMS.status)
        return value if isinstance(value, URIRef) else None

    def _purge_update(
        self,
        principal: Principal,
        kind: str,
        key: str,
        versions: list[VersionInfo],
        current: VersionInfo,
        reason: str,
    ) -> str:
        layout = self.layout
        reg = f"<{layout.registry_graph}>"
        meta = f"<{layout.metadata_subject(kind, key)}>"
        cur = f"<{current.graph}>"
        ops = [
            f"DELETE {{ ?s ?p ?o }} WHERE {{ GRAPH {cur} {{ ?s ?p ?o }} }}",
            *_reinsert_shared(layout, cur, self.store.get_graph(current.graph)),
        ]
        for v in versions:
            g = f"<{v.graph}>"
            attribution = f"<{v.graph}#attribution>"
            for subject in (g, attribution):
                ops.append(
                    f"DELETE {{ GRAPH {reg} {{ {subject} ?p ?o }} {subject} ?p ?o }} "
                    f"WHERE {{ GRAPH {reg} {{ {subject} ?p ?o }} }}"
                )
            ops.append(
                f"DELETE DATA {{ GRAPH {reg} {{ {meta} <{HAS_VERSION}> {g} }} "
                f"{meta} <{HAS_VERSION}> {g} }}"
            )
            ops.append(f"DROP SILENT GRAPH {g}")
        ops.append(
            f"DELETE {{ GRAPH {reg} {{ {meta} <{HAS_CURRENT_VERSION}> ?v }} "
            f"{meta} <{HAS_CURRENT_VERSION}> ?v }} "
            f"WHERE {{ GRAPH {reg} {{ {meta} <{HAS_CURRENT_VERSION}> ?v }} }}"
        )
        purge = f"<urn:uuid:{uuid.uuid4()}>"
        now = _dt(self._clock())
        agent = f"<{principal.agent}>" if principal.agent else f"<{layout.registry_agent}>"
        ops.append(
            f"INSERT DATA {{ GRAPH {reg} {{ {purge} a <{PROV.Activity}> ; "
            f'<{DCTERMS.type}> "purge" ; '
            f"<{PROV.invalidated}> <{layout.entry_iri(kind, key)}> ; "
            f"<{PROV.endedAtTime}> {now} ; <{PROV.wasAssociatedWith}> {agent} ; "
            f'<{DCAT_VERSION}> "{len(versions)}" ; '
            f"<{DCTERMS.description}> {Literal(reason).n3()}"
            + (
                f" ; <{DCTERMS.identifier}> {Literal(principal.token_id).n3()}"
                if principal.token_id
                else ""
            )
            + " } }"
        )
        return " ;\n".join(ops)


# ---- the update request ----------------------------------------------------------------------
@dataclass(frozen=True)
class VersionUpdate:
    """The parts of the update that writes version ``n`` of an entry (see
    :func:`version_update_parts`): ``guard`` holds while the entry is still at version
    ``n - 1`` (or absent); ``data`` is the block of quads to insert."""

    guard: str
    before: tuple[str, ...]  # take version n - 1 out of the public view
    after: tuple[str, ...]  # move the current-version pointer
    graph: str  # the version graph, <...>
    registry: str  # the registry graph, <...>
    content: tuple[str, ...]  # the entry's triples, "s p o" each
    metadata: tuple[str, ...]  # the version's description

    @property
    def data(self) -> str:
        """The quads to insert, as a SPARQL Update template: each triple in its graph and in
        the default graph (the public view)."""
        triples = " .\n".join(self.content)
        meta = " .\n".join(self.metadata)
        return (
            f"GRAPH {self.graph} {{\n{triples} .\n}}\n{triples} .\n"
            f"GRAPH {self.registry} {{\n{meta} .\n}}\n{meta} .\n"
        )

    def nquads(self) -> str:
        """The same quads as N-Quads (for a store's bulk insert)."""
        out = []
        for lines, graph in ((self.content, self.graph), (self.metadata, self.registry)):
            for line in lines:
                out.append(f"{line} {graph} .\n{line} .\n")
        return "".join(out)

    def operations(self) -> str:
        """The whole write as one guarded SPARQL Update request."""
        insert = f"INSERT {{ {self.data} }} WHERE {{ {self.guard} }}"
        return " ;\n".join((*self.before, insert, *self.after))


@dataclass(frozen=True)
class Prepared:
    """A checked entry turned into the update that writes it (:meth:`EntryService.prepare`)."""

    version: VersionInfo
    created: bool
    parts: VersionUpdate
    report: Any


def joint_insert(parts: Sequence[VersionUpdate]) -> str:
    """New entries (no ``before``/``after``) as ONE insert guarded by all their guards: all
    are written, or none."""
    data = "\n".join(p.data for p in parts)
    guards = "\n".join(p.guard for p in parts)
    return f"INSERT {{ {data} }} WHERE {{ {guards} }}"


def version_update_parts(
    layout: Layout,
    kind: str,
    key: str,
    n: int,
    content: Graph,
    *,
    agent: str | None,
    token_id: str | None,
    generated_at: datetime,
    summary: tuple[str, str],
    status: URIRef | None,
    previous: Graph | None = None,
) -> VersionUpdate:
    """The update that writes version ``n`` of an entry and makes it the public one, in parts
    (:meth:`VersionUpdate.operations`: ONE SPARQL Update request). Every operation is guarded
    by the entry's current version being ``n - 1`` (or absent), so a writer who read a stale
    version writes nothing. ``previous``: the content of version ``n - 1`` (to put back what
    other entries share with it)."""
    reg = f"<{layout.registry_graph}>"
    meta = f"<{layout.metadata_subject(kind, key)}>"
    new = f"<{layout.version_graph(kind, key, n)}>"
    old = f"<{layout.version_graph(kind, key, n - 1)}>" if n > 1 else None
    if old:
        guard = f"GRAPH {reg} {{ {meta} <{HAS_CURRENT_VERSION}> {old} }}"
    else:
        guard = f"FILTER NOT EXISTS {{ GRAPH {reg} {{ {meta} <{HAS_CURRENT_VERSION}> ?any }} }}"
    # Blank-node labels scoped to the entry: new entries are inserted together (joint_insert),
    # where one label is one node across the whole template.
    scope = hashlib.sha1(f"{kind}/{key}".encode()).hexdigest()[:10] + "_"
    lines = [_statement(t, scope) for t in content]
    metadata = version_metadata(
        layout,
        kind,
        key,
        n,
        agent=agent,
        token_id=token_id,
        generated_at=generated_at,
        summary=summary,
        status=status,
    )
    meta_lines = [_statement(t) for t in metadata]
    before: list[str] = []
    after: list[str] = []
    if old:
        before.append(f"DELETE {{ ?s ?p ?o }} WHERE {{ {guard} GRAPH {old} {{ ?s ?p ?o }} }}")
        before.extend(
            _reinsert_shared(layout, old, previous if previous is not None else Graph(), guard)
        )
        after.append(
            f"DELETE {{ GRAPH {reg} {{ {meta} <{HAS_CURRENT_VERSION}> {old} }} "
            f"{meta} <{HAS_CURRENT_VERSION}> {old} }} WHERE {{ {guard} }}"
        )
    return VersionUpdate(
        guard, tuple(before), tuple(after), new, reg, tuple(lines), tuple(meta_lines)
    )


def version_metadata(
    layout: Layout,
    kind: str,
    key: str,
    n: int,
    *,
    agent: str | None,
    token_id: str | None,
    generated_at: datetime,
    summary: tuple[str, str],
    status: URIRef | None,
) -> list[Triple]:
    """The public description of one version (PROV-O + DCAT 3 versioning), as triples."""
    g: list[Triple] = []
    meta = URIRef(layout.metadata_subject(kind, key))
    v = URIRef(layout.version_graph(kind, key, n))
    g.append((meta, HAS_VERSION, v))
    g.append((meta, HAS_CURRENT_VERSION, v))
    g.append((v, RDF.type, PROV.Entity))
    g.append((v, PROV.specializationOf, URIRef(layout.entry_iri(kind, key))))
    g.append((v, DCAT_VERSION, Literal(str(n))))
    if n > 1:
        g.append((v, PROV.wasRevisionOf, URIRef(layout.version_graph(kind, key, n - 1))))
    g.append((v, PROV.generatedAtTime, Literal(generated_at, datatype=XSD.dateTime)))
    if agent:
        g.append((v, PROV.wasAttributedTo, URIRef(agent)))
        if token_id:
            attribution = URIRef(f"{v}#attribution")
            g.append((v, PROV.qualifiedAttribution, attribution))
            g.append((attribution, RDF.type, PROV.Attribution))
            g.append((attribution, PROV.agent, URIRef(agent)))
            g.append((attribution, DCTERMS.identifier, Literal(token_id)))
    g.append((v, DCTERMS.description, Literal(summary[0], lang="fr")))
    g.append((v, DCTERMS.description, Literal(summary[1], lang="en")))
    if status is not None:
        g.append((v, ADMS.status, status))
    return g


def _reinsert_shared(layout: Layout, leaving: str, previous: Graph, guard: str = "") -> list[str]:
    """Operations that put back into the default graph the triples of the leaving version that
    another public graph (another entry's current version, the vocabulary, the reference data)
    still asserts.

    Only triples about external resources can be shared (an entry's own nodes and blank nodes
    belong to it alone), and they are known to the caller, so each is checked with constant
    terms: an index lookup, whatever the size of the store (a pattern with variables here
    would make the store scan every quad)."""
    reg = f"<{layout.registry_graph}>"
    ops = []
    for t in sorted(previous, key=lambda t: (str(t[0]), str(t[1]), str(t[2]))):
        s, _p, _o = t
        if not isinstance(s, URIRef) or layout.is_under_base(str(s)):
            continue
        if any(isinstance(x, BNode) for x in t):
            continue
        triple = _triple(t)[:-2]
        ops.append(
            f"INSERT {{ {triple} }} WHERE {{ {guard} "
            f"{{ SELECT ?g WHERE {{ GRAPH ?g {{ {triple} }} "
            f"GRAPH {reg} {{ ?r <{HAS_CURRENT_VERSION}> ?g }} FILTER(?g != {leaving}) }} "
            "LIMIT 1 } "
            f"UNION {{ GRAPH <{layout.vocabulary_graph}> {{ {triple} }} }} "
            f"UNION {{ GRAPH <{layout.reference_graph}> {{ {triple} }} }} }}"
        )
    return ops


def linked_nodes(content: Graph, layout: Layout) -> set[URIRef]:
    """The IRIs an entry links to without describing them (its context), except classes and
    version graphs."""
    subjects = set(content.subjects())
    linked = {o for o in content.objects() if isinstance(o, URIRef) and o not in subjects}
    linked -= set(content.objects(None, RDF.type))
    return {o for o in linked if not str(o).startswith(layout.version_prefix)}


def _valid_key(request: WriteRequest) -> bool:
    return request.kind in KINDS and bool(KEY_RE.match(request.key))


def context_query(nodes: Iterable[URIRef]) -> str:
    values = " ".join(f"<{n}>" for n in sorted(nodes))
    labels = " ".join(f"<{p}>" for p in LABELS)
    return (
        # dct:type of a linked AI system carries its AI family, which the art. 50 rule
        # (chatbot or generative system classified minimal risk) reads.
        f"CONSTRUCT {{ ?o a ?t . ?o ?lp ?l . ?o <{SKOS.inScheme}> ?sch . ?o <{SKOS.broader}> ?b . "
        f"?o <{DCTERMS.type}> ?dt }} "
        f"WHERE {{ VALUES ?o {{ {values} }} "
        f"{{ ?o a ?t }} UNION {{ VALUES ?lp {{ {labels} }} ?o ?lp ?l }} "
        f"UNION {{ ?o <{SKOS.inScheme}> ?sch }} UNION {{ ?o <{SKOS.broader}> ?b }} "
        f"UNION {{ ?o <{DCTERMS.type}> ?dt }} }}"
    )


# ---- helpers ---------------------------------------------------------------------------------
def _triple(t: tuple[Node, Node, Node], scope: str = "") -> str:
    return _statement(t, scope) + " ."


def _statement(t: tuple[Node, Node, Node], scope: str = "") -> str:
    return " ".join(_term(x, scope) for x in t)


def _term(term: Node, scope: str = "") -> str:
    kind = type(term)
    if kind is Literal:
        return _literal(term)  # type: ignore[arg-type]
    if kind is BNode:
        return f"_:b{scope}{_safe_bnode(str(term))}"
    if kind is URIRef:
        # Predicates, classes and concepts recur in every entry: write each once.
        text = _IRI_TEXT.get(term)
        if text is None:
            text = _n3(term)
            if len(_IRI_TEXT) < 50_000:
                _IRI_TEXT[term] = text
        return text
    if isinstance(term, Literal):
        return _literal(term)
    if isinstance(term, BNode):
        return f"_:b{scope}{_safe_bnode(str(term))}"
    return _n3(term)


_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def _literal(term: Literal) -> str:
    """N-Triples form (one line: also valid SPARQL, and N-Quads for a bulk insert); rdflib's
    ``n3()`` writes a multi-line value between triple quotes, which N-Quads does not allow."""
    text = f'"{str(term).translate(_ESCAPES)}"'
    if term.language:
        return f"{text}@{term.language}"
    datatype = term.datatype
    if datatype is None:
        return text
    suffix = _DATATYPE_SUFFIX.get(datatype)
    if suffix is None:
        suffix = "" if str(datatype) == str(XSD.string) else f"^^{_n3(URIRef(datatype))}"
        _DATATYPE_SUFFIX[datatype] = suffix
    return text + suffix


_DATATYPE_SUFFIX: dict[object, str] = {}


_IRI_TEXT: dict[Node, str] = {}


def _n3(term: Node) -> str:
    try:
        return str(term.n3())
    except Exception as exc:
        raise InputError(
            f"Terme RDF inutilisable : {term!r}.", f"Unusable RDF term: {term!r}."
        ) from exc


def _safe_bnode(label: str) -> str:
    if label.isalnum():
        return label  # the usual case (rdflib's and the mapper's labels)
    return "".join(c if c.isalnum() else "_" for c in label) or "x"


def _check_term(term: Node) -> None:
    if isinstance(term, URIRef):
        text = str(term)
        if any(c in text for c in '<>"{}|^`\\ \n\t') or ":" not in text:
            raise InputError(
                f"IRI invalide : {text!r}.", f"Invalid IRI: {text!r}.", field="@id", iri=text
            )
    _term(term)


def _dt(value: datetime) -> str:
    return Literal(value, datatype=XSD.dateTime).n3()


def _show(node: Node) -> str:
    return f"<{node}>" if isinstance(node, URIRef) else "[nœud anonyme / blank node]"


def _format(media_type: str | None) -> str | None:
    if media_type is None:
        return None
    from registry.ingest.rdf import format_of

    fmt = format_of(media_type)
    if fmt is None:
        raise InputError(
            f"Type de média non pris en charge : {media_type}.",
            f"Unsupported media type: {media_type}.",
            field="Content-Type",
        )
    return fmt


def _require_principal(principal: Principal | None) -> Principal:
    if principal is None:
        from registry.auth import AuthenticationRequired

        raise AuthenticationRequired(
            "Écriture refusée : jeton d'accès requis.", "Write refused: an access token is needed."
        )
    return principal


def _check_kind_key(kind: str, key: str) -> None:
    if kind not in KINDS:
        raise NotFoundError(
            f"Type de fiche inconnu : {kind} (attendu : {', '.join(KINDS)}).",
            f"Unknown entry kind: {kind} (expected: {', '.join(KINDS)}).",
            field="kind",
        )
    if not KEY_RE.match(key):
        raise InputError(
            f"Clé invalide : {key!r} (minuscules, chiffres et tirets).",
            f"Invalid key: {key!r} (lower-case letters, digits and hyphens).",
            field="key",
        )


def _stale(kind: str, key: str, wanted: str, current: str) -> PreconditionFailed:
    return PreconditionFailed(
        f"{kind}/{key} a changé : vous avez modifié la version {wanted}, la version courante "
        f"est {current}. Rechargez la fiche et recommencez.",
        f"{kind}/{key} has changed: you edited version {wanted}, the current version is "
        f"{current}. Reload the entry and try again.",
        current=current,
    )


def _too_large(what_fr: str, what_en: str) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"Document trop volumineux ({what_fr}).", f"Payload too large ({what_en})."
    )


def _validation_failed(kind: str, key: str, report: Any) -> ValidationFailed:
    results = getattr(report, "results", [])
    err = ValidationFailed(
        f"{kind}/{key} : la fiche ne respecte pas le modèle ({len(results)} résultat(s)) ; "
        "rien n'a été enregistré.",
        f"{kind}/{key}: the entry does not conform ({len(results)} result(s)); nothing was "
        "written.",
        report=report.to_dict() if hasattr(report, "to_dict") else None,
    )
    err.report = report  # type: ignore[attr-defined]
    return err


__all__ = [
    "EntryService",
    "WriteResult",
    "context_query",
    "normalise_etag",
    "version_metadata",
    "version_update_parts",
]
