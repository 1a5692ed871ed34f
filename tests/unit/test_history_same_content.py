"""history.same_content: the tree-shaped fast path agrees with rdflib's isomorphism."""

from __future__ import annotations

import random

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from registry.history import same_content

S = URIRef("https://w3id.org/ia-territoires/id/deploiement/x")
P = [URIRef(f"https://example.org/p{i}") for i in range(4)]


def _graph(triples: list[tuple]) -> Graph:
    g = Graph()
    for t in triples:
        g.add(t)
    return g


def _entry(period: str = "2020", contact: str = "a@b.fr", prefix: str = "x") -> Graph:
    p, c = BNode(f"{prefix}p"), BNode(f"{prefix}c")
    return _graph(
        [
            (S, P[0], p),
            (p, P[1], Literal(period)),
            (S, P[2], c),
            (c, P[3], Literal(contact)),
        ]
    )


def test_renamed_blank_nodes_are_the_same_content() -> None:
    assert same_content(_entry(prefix="a"), _entry(prefix="b"))


def test_a_changed_value_under_a_blank_node_is_a_change() -> None:
    assert not same_content(_entry(period="2020"), _entry(period="2021"))
    assert not same_content(_entry(contact="a@b.fr"), _entry(contact="c@d.fr"))


def test_one_shared_blank_node_differs_from_two_identical_ones() -> None:
    shared = BNode()
    one = _graph([(S, P[0], shared), (S, P[1], shared), (shared, P[2], Literal("v"))])
    b1, b2 = BNode(), BNode()
    two = _graph([(S, P[0], b1), (S, P[1], b2), (b1, P[2], Literal("v")), (b2, P[2], Literal("v"))])
    assert not same_content(one, two)  # different sizes
    # Same size: the shared node says one more thing, so the counts differ.
    one.add((shared, P[3], Literal("w")))
    assert len(one) == len(two)
    assert not same_content(one, two)
    assert not isomorphic(one, two)


def test_blank_node_cycles_fall_back_on_rdflib() -> None:
    a1, a2 = BNode(), BNode()
    b1, b2 = BNode(), BNode()
    ga = _graph([(S, P[0], a1), (a1, P[1], a2), (a2, P[1], a1)])
    gb = _graph([(S, P[0], b1), (b1, P[1], b2), (b2, P[1], b1)])
    assert same_content(ga, gb)
    gc = _graph([(S, P[0], b1), (b1, P[1], b2), (b2, P[2], b1)])
    assert not same_content(ga, gc)


def test_random_trees_agree_with_rdflib_isomorphism() -> None:
    rng = random.Random(7)
    for _ in range(300):
        triples = []
        nodes: list[URIRef | BNode] = [S]
        for _ in range(rng.randint(1, 8)):
            parent = rng.choice(nodes)
            if rng.random() < 0.5:
                child = BNode()
                triples.append((parent, rng.choice(P), child))
                nodes.append(child)
            else:
                triples.append((parent, rng.choice(P), Literal(rng.choice("ab"))))
        ga = _graph(triples)
        renamed: dict = {}
        gb = Graph()
        for t in ga:
            gb.add(tuple(renamed.setdefault(x, BNode()) if isinstance(x, BNode) else x for x in t))
        mutated = Graph()
        for t in gb:
            mutated.add(t)
        victim = rng.choice(sorted(mutated, key=str))
        mutated.remove(victim)
        mutated.add((victim[0], victim[1], Literal("changed")))
        assert same_content(ga, gb)
        assert same_content(ga, mutated) == isomorphic(ga, mutated)
