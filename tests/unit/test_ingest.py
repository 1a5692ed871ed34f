"""Parsing input RDF: every format, errors naming file and line, no remote JSON-LD context."""

from __future__ import annotations

import gzip
import json
import socket
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef

from registry.errors import InputError, RemoteContextError
from registry.ingest import Limits, parse_dataset, parse_graph
from registry.ingest.jsonld import own_context_urls
from registry.vocab import DEFAULT_BASE

DATA = Path(__file__).resolve().parents[1] / "data"
COMPLETE = DATA / "valid" / "complete-entry.ttl"
A, B, C, G = (URIRef(f"http://example.org/{x}") for x in "abcg")


def _complete() -> Graph:
    return parse_graph(COMPLETE)


@pytest.mark.parametrize(
    "fmt,suffix",
    [
        ("turtle", ".ttl"),
        ("nt", ".nt"),
        ("json-ld", ".jsonld"),
        ("trig", ".trig"),
        ("nquads", ".nq"),
    ],
)
def test_round_trip_every_format_from_file_bytes_and_text(
    fmt: str, suffix: str, tmp_path: Path
) -> None:
    original = _complete()
    if fmt in ("trig", "nquads"):
        ds = Dataset()
        named = ds.graph(G)
        for triple in original:
            named.add(triple)
        text = ds.serialize(format=fmt)
    else:
        text = original.serialize(format=fmt)
    path = tmp_path / f"entry{suffix}"
    path.write_text(text, encoding="utf-8")
    for source in (path, text, text.encode("utf-8")):
        graph = parse_graph(source, format=None if isinstance(source, Path) else fmt)
        assert graph.isomorphic(original), (fmt, type(source))


def test_gzipped_file(tmp_path: Path) -> None:
    path = tmp_path / "entry.ttl.gz"
    path.write_bytes(gzip.compress(COMPLETE.read_bytes()))
    assert parse_graph(path).isomorphic(_complete())


def test_quads_keep_their_graph_in_a_dataset() -> None:
    ds = parse_dataset(f"<{A}> <{B}> <{C}> <{G}> .\n", format="nquads")
    assert (A, B, C, G) in set(ds.quads((None, None, None, None)))
    assert len(parse_graph(f"<{A}> <{B}> <{C}> <{G}> .\n", format="nquads")) == 1


def test_turtle_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.ttl"
    path.write_text('@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b "x .\n')
    with pytest.raises(InputError) as info:
        parse_graph(path)
    assert str(path) in info.value.message_fr and "ligne 3" in info.value.message_fr
    assert str(path) in info.value.message_en and "line 3" in info.value.message_en
    assert info.value.details["line"] == 3


def test_ntriples_syntax_error_names_the_line() -> None:
    text = f"<{A}> <{B}> <{C}> .\n\n<{A}> <{B}> oops .\n"
    with pytest.raises(InputError) as info:
        parse_graph(text, format="nt", name="data.nt")
    assert "data.nt, ligne 3" in info.value.message_fr
    assert "data.nt, line 3" in info.value.message_en


def test_json_syntax_error_names_the_line() -> None:
    with pytest.raises(InputError) as info:
        parse_graph('{\n  "@id": "http://example.org/a",\n  oops\n}', name="x.jsonld")
    assert "x.jsonld, ligne 3" in info.value.message_fr


def test_not_utf8_names_the_line() -> None:
    with pytest.raises(InputError) as info:
        parse_graph(
            b'<http://a> <http://b> "ok" .\n<http://a> <http://b> "\xff" .\n',
            format="nt",
            name="latin.nt",
        )
    assert "ligne 2" in info.value.message_fr and "UTF-8" in info.value.message_en


def test_size_limits() -> None:
    text = f"<{A}> <{B}> <{C}> .\n<{A}> <{B}> <{G}> .\n"
    with pytest.raises(InputError, match="volumineux"):
        parse_graph(text, format="nt", limits=Limits(max_bytes=10))
    with pytest.raises(InputError, match="triplets"):
        parse_graph(text, format="nt", limits=Limits(max_triples=1))
    assert len(parse_graph(text, format="nt", limits=Limits(max_bytes=1000, max_triples=2))) == 2


def test_unreadable_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        parse_graph(tmp_path / "absent.ttl")
    assert "absent.ttl" in info.value.message_fr


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a connection fails the test loudly."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.mark.parametrize(
    "context",
    [
        "https://schema.org/",
        ["https://example.org/context.jsonld", {"name": "http://schema.org/name"}],
        {"@import": "https://example.org/ctx.jsonld"},
        {"term": {"@id": "http://example.org/term", "@context": "http://169.254.169.254/latest"}},
    ],
)
@pytest.mark.usefixtures("no_network")
def test_remote_context_refused_without_fetching(context: object) -> None:
    doc = json.dumps(
        {
            "@context": context,
            "@id": "http://example.org/a",
            "term": {"@id": "http://example.org/b"},
        }
    )
    with pytest.raises(RemoteContextError) as info:
        parse_graph(doc, format="json-ld", name="remote.jsonld")
    assert "remote.jsonld" in info.value.message_fr
    assert "distant" in info.value.message_fr and "remote" in info.value.message_en


@pytest.mark.usefixtures("no_network")
def test_nested_remote_context_in_data_refused() -> None:
    doc = json.dumps(
        {
            "@context": {"@vocab": "http://example.org/"},
            "@id": "http://example.org/a",
            "child": {"@context": "https://evil.example/ctx", "@id": "http://example.org/b"},
        }
    )
    with pytest.raises(RemoteContextError):
        parse_graph(doc, format="json-ld")


@pytest.mark.usefixtures("no_network")
def test_own_context_url_resolves_to_the_local_file() -> None:
    url = f"{DEFAULT_BASE}context.jsonld"
    assert url in own_context_urls()
    doc = json.dumps(
        {
            "@context": url,
            "@id": f"{DEFAULT_BASE}id/deploiement/fx-test",
            "@type": "iat:Deployment",
        }
    )
    graph = parse_graph(doc, format="json-ld")
    deployment = URIRef(f"{DEFAULT_BASE}id/deploiement/fx-test")
    assert (deployment, None, URIRef(f"{DEFAULT_BASE}def#Deployment")) in graph


@pytest.mark.usefixtures("no_network")
def test_inline_context_accepted() -> None:
    doc = json.dumps(
        {"@context": {"ex": "http://example.org/"}, "@id": "ex:a", "ex:b": {"@id": "ex:c"}}
    )
    assert (A, B, C) in parse_graph(doc, format="json-ld")
