"""Input: RDF documents (Turtle, TriG, N-Triples, N-Quads, JSON-LD) to rdflib graphs."""

from registry.ingest.rdf import Limits, format_of, is_rdf_file, parse_dataset, parse_graph

__all__ = ["Limits", "format_of", "is_rdf_file", "parse_dataset", "parse_graph"]
