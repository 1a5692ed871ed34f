"""SPARQL results, from the store's SPARQL-JSON to the other standard formats (XML, CSV, TSV).

The endpoint asks the store for JSON (serialised natively by the store), counts the rows to
enforce the row cap, and converts here only when the client asked for another format.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any
from xml.sax.saxutils import escape, quoteattr

SPARQL_JSON = "application/sparql-results+json"
SPARQL_XML = "application/sparql-results+xml"
SPARQL_CSV = "text/csv"
SPARQL_TSV = "text/tab-separated-values"

Binding = dict[str, dict[str, str]]


def to_xml(result: dict[str, Any]) -> bytes:
    out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n']
    if "boolean" in result:
        out.append("<head/>\n")
        out.append(f"<boolean>{'true' if result['boolean'] else 'false'}</boolean>\n</sparql>\n")
        return "".join(out).encode()
    variables: list[str] = result["head"].get("vars", [])
    out.append("<head>")
    out.extend(f"<variable name={quoteattr(v)}/>" for v in variables)
    out.append("</head>\n<results>\n")
    for row in result["results"]["bindings"]:
        out.append("<result>")
        for var, term in row.items():
            out.append(f"<binding name={quoteattr(var)}>{_xml_term(term)}</binding>")
        out.append("</result>\n")
    out.append("</results>\n</sparql>\n")
    return "".join(out).encode()


def _xml_term(term: dict[str, str]) -> str:
    kind = term.get("type")
    value = escape(term.get("value", ""))
    if kind == "uri":
        return f"<uri>{value}</uri>"
    if kind == "bnode":
        return f"<bnode>{value}</bnode>"
    attrs = ""
    if "xml:lang" in term:
        attrs = f" xml:lang={quoteattr(term['xml:lang'])}"
    elif "datatype" in term:
        attrs = f" datatype={quoteattr(term['datatype'])}"
    return f"<literal{attrs}>{value}</literal>"


def to_csv(result: dict[str, Any]) -> bytes:
    """SPARQL 1.1 CSV: plain values (lexical forms, IRIs, ``_:`` blank nodes), CRLF lines."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if "boolean" in result:
        writer.writerow(["boolean"])
        writer.writerow(["true" if result["boolean"] else "false"])
        return buffer.getvalue().encode()
    variables: list[str] = result["head"].get("vars", [])
    writer.writerow(variables)
    for row in result["results"]["bindings"]:
        writer.writerow([_csv_value(row.get(v)) for v in variables])
    return buffer.getvalue().encode()


def _csv_value(term: dict[str, str] | None) -> str:
    if term is None:
        return ""
    if term.get("type") == "bnode":
        return f"_:{term['value']}"
    return term.get("value", "")


def to_tsv(result: dict[str, Any]) -> bytes:
    """SPARQL 1.1 TSV: terms in Turtle syntax, one line per row."""
    if "boolean" in result:
        return f"?boolean\n{'true' if result['boolean'] else 'false'}\n".encode()
    variables: list[str] = result["head"].get("vars", [])
    lines = ["\t".join(f"?{v}" for v in variables)]
    for row in result["results"]["bindings"]:
        lines.append("\t".join(_tsv_term(row.get(v)) for v in variables))
    return ("\n".join(lines) + "\n").encode()


def _escape_literal(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )


def _tsv_term(term: dict[str, str] | None) -> str:
    if term is None:
        return ""
    kind = term.get("type")
    value = term.get("value", "")
    if kind == "uri":
        return f"<{value}>"
    if kind == "bnode":
        return f"_:{value}"
    literal = f'"{_escape_literal(value)}"'
    if "xml:lang" in term:
        return f"{literal}@{term['xml:lang']}"
    if "datatype" in term and term["datatype"] != "http://www.w3.org/2001/XMLSchema#string":
        return f"{literal}^^<{term['datatype']}>"
    return literal


def to_json(result: dict[str, Any]) -> bytes:
    return json.dumps(result, ensure_ascii=False, separators=(",", ":")).encode()


CONVERTERS = {SPARQL_JSON: to_json, SPARQL_XML: to_xml, SPARQL_CSV: to_csv, SPARQL_TSV: to_tsv}
