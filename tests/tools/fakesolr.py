#!/usr/bin/env python3
# Copied from shared/tools/fakesolr.py (the CKAN test-portal recipe); this project owns it from
# now on: fix it here. Started by tests/harness/ckan_portal.py as the Solr stand-in.
"""fakesolr.py - a tiny in-memory stand-in for the Solr core CKAN talks to.

Test double only: stdlib, no dependencies. Implements just enough of the Solr
HTTP API as used by CKAN 2.11/2.12 through pysolr:

  GET/POST <core>/select            q, fq (list), fl, rows, start, sort,
                                    facet.field (list), facet.limit,
                                    facet.mincount, wt=json
  POST     <core>/update[?commit=]  JSON doc list (pysolr add), XML
                                    <delete><id|query/></delete>, <commit/>
  GET      <core>/schema?wt=schema.xml   minimal schema naming "ckan-<ver>"
  GET      <core>/admin/ping

Query support is deliberately approximate: a small Lucene-ish parser for
field:value / field:"phrase" / field:(a OR b) / +, -, NOT, AND, OR, (groups),
field:[x TO y] (treated as "field present"), '*' wildcards; free-text (dismax)
queries match when every word occurs (case-insensitive substring) somewhere in
the document. Relevance ('score') is ignored when sorting.

Usage: python fakesolr.py [--host 127.0.0.1] [--port 8983] [--schema-version 2.11]
                          [--persist FILE.json]
"""

import argparse
import datetime
import fnmatch
import json
import re
import sys
import threading
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

DOCS = {}  # uniqueKey -> doc
LOCK = threading.Lock()
ARGS = None


# ----------------------------------------------------------------- query eval
TOKEN_RE = re.compile(
    r"""\s*(
    \(|\)|
    "(?:\\.|[^"\\])*"|
    [^\s()"\[{]+:\[[^\]]*\]|[^\s()"\[{]+:\{[^}]*\}|
    \[[^\]]*\]|\{[^}]*\}|
    [+-]|
    [^\s()"]+
)""",
    re.X,
)


def tokenize(s):
    pos, out = 0, []
    s = s.strip()
    while pos < len(s):
        m = TOKEN_RE.match(s, pos)
        if not m or m.end() == pos:
            break
        tok = m.group(1)
        # a '+'/'-' only counts as an operator at the start of a clause
        out.append(tok)
        pos = m.end()
    return out


def _values(doc, field):
    if field not in doc:
        return None
    v = doc[field]
    return v if isinstance(v, list) else [v]


def _text_blob(doc):
    parts = []
    for k, v in doc.items():
        if k in ("data_dict", "validated_data_dict", "index_id"):
            continue
        for x in v if isinstance(v, list) else [v]:
            if isinstance(x, (str, int, float)):
                parts.append(str(x))
    return " ".join(parts).lower()


def _unquote(v):
    if len(v) >= 2 and v[0] == '"' and v[-1] == '"':
        return v[1:-1].replace('\\"', '"'), True
    return v.replace("\\", ""), False


def match_value(doc, field, raw):
    """Does doc[field] match the (possibly quoted / wildcard / range) value?"""
    if raw.startswith("[") or raw.startswith("{"):
        vals = _values(doc, field)
        if vals is None:
            return field == "*"
        lo, _, hi = raw[1:-1].partition(" TO ")
        now = datetime.datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")
        lo, hi = lo.strip().strip('"'), hi.strip().strip('"')
        lo = now if lo.startswith("NOW") else lo
        hi = now if hi.startswith("NOW") else hi

        def _cmp(x):
            try:
                return float(x)
            except (TypeError, ValueError):
                return str(x)

        for x in vals:
            try:
                if (lo == "*" or _cmp(x) >= _cmp(lo)) and (hi == "*" or _cmp(x) <= _cmp(hi)):
                    return True
            except TypeError:
                if (lo == "*" or str(x) >= lo) and (hi == "*" or str(x) <= hi):
                    return True
        return False
    val, quoted = _unquote(raw)
    lval = val.lower()
    if field in ("text", "_text_", "*") or field is None:
        if lval == "*":
            return True
        return all(w in _text_blob(doc) for w in lval.split())
    vals = _values(doc, field)
    if vals is None:
        return False
    if lval == "*":
        return True
    for x in vals:
        sx = str(x).lower()
        if "*" in lval or "?" in lval:
            if fnmatch.fnmatchcase(sx, lval):
                return True
        elif sx == lval:
            return True
        elif not quoted and lval in re.split(r"[\s,;:/._-]+", sx):
            return True  # crude tokenised match for text fields
        elif quoted and " " in lval and lval in sx:
            return True
    return False


class Parser:
    def __init__(self, tokens, default_op="AND", default_field=None):
        self.t = tokens
        self.i = 0
        self.default_op = default_op
        self.default_field = default_field

    def peek(self):
        return self.t[self.i] if self.i < len(self.t) else None

    def next(self):
        tok = self.peek()
        self.i += 1
        return tok

    def parse_expr(self, field=None):
        """returns predicate(doc) for a sequence of clauses until ')' or end"""
        clauses = []  # (occur, pred) occur in MUST/SHOULD/NOT
        pending_op = None
        while True:
            tok = self.peek()
            if tok is None or tok == ")":
                break
            if tok in ("AND", "&&"):
                self.next()
                pending_op = "AND"
                if clauses and clauses[-1][0] == "SHOULD" and not clauses[-1][2]:
                    clauses[-1] = ("MUST", clauses[-1][1], False)
                continue
            if tok in ("OR", "||"):
                self.next()
                pending_op = "OR"
                if clauses and clauses[-1][0] == "MUST" and not clauses[-1][2]:
                    clauses[-1] = ("SHOULD", clauses[-1][1], False)
                continue
            occur, explicit = None, False
            if tok == "+":
                self.next()
                occur, explicit = "MUST", True
            elif tok == "-" or tok in ("NOT", "!"):
                self.next()
                occur, explicit = "NOT", True
            pred = self.parse_clause(field)
            if occur is None:
                if pending_op == "OR":
                    occur = "SHOULD"
                elif pending_op == "AND":
                    occur = "MUST"
                else:
                    occur = "MUST" if self.default_op == "AND" else "SHOULD"
            clauses.append((occur, pred, explicit))
            pending_op = None

        def pred(doc):
            must = [p for o, p, _ in clauses if o == "MUST"]
            should = [p for o, p, _ in clauses if o == "SHOULD"]
            nots = [p for o, p, _ in clauses if o == "NOT"]
            if any(p(doc) for p in nots):
                return False
            if not all(p(doc) for p in must):
                return False
            if should and not must:
                return any(p(doc) for p in should)
            if not must and not should:
                return True  # pure negative query
            return True

        return pred

    def parse_clause(self, field):
        tok = self.next()
        if tok == "(":
            p = self.parse_expr(field)
            if self.peek() == ")":
                self.next()
            return p
        # field:value ?
        if not tok.startswith('"') and ":" in tok and not tok.startswith("["):
            f, _, rest = tok.partition(":")
            if f == "*" and rest == "*":
                return lambda doc: True
            if rest == "":
                nxt = self.peek()
                if nxt == "(":
                    self.next()
                    p = self.parse_expr(f)
                    if self.peek() == ")":
                        self.next()
                    return p
                if nxt is not None:
                    rest = self.next()
            return lambda doc, f=f, v=rest: match_value(doc, f, v)
        fld = field or self.default_field
        return lambda doc, f=fld, v=tok: match_value(doc, f, v)


def compile_query(q, default_op="AND"):
    q = (q or "").strip()
    if q in ("", "*:*", "*"):
        return lambda doc: True
    return Parser(tokenize(q), default_op).parse_expr()


def compile_dismax(q):
    words = [w.strip('"+').lower() for w in q.split() if w not in ("AND", "OR")]
    words = [w for w in words if w and not w.startswith("-")]

    def pred(doc):
        blob = _text_blob(doc)
        return all(w in blob for w in words)

    return pred


# ----------------------------------------------------------------- handlers
def do_select(params):
    def g(k, d=None):
        return params.get(k, [d])[-1]

    q = g("q", "*:*") or "*:*"
    deftype = g("defType", "lucene")
    q_op = g("q.op", "AND")
    if deftype in ("dismax", "edismax") and ":" not in q:
        qpred = compile_dismax(q)
    else:
        qpred = compile_query(q, q_op)
    fpreds = [compile_query(fq, "AND") for fq in params.get("fq", []) if fq.strip()]
    with LOCK:
        docs = list(DOCS.values())
    hits = [d for d in docs if qpred(d) and all(p(d) for p in fpreds)]

    # sort (score ignored)
    sort = g("sort", "") or ""
    keys = []
    for part in [p.strip() for p in sort.split(",") if p.strip()]:
        bits = part.split()
        fname = bits[0]
        desc = len(bits) > 1 and bits[1].lower() == "desc"
        if fname != "score":
            keys.append((fname, desc))
    for fname, desc in reversed(keys):
        hits.sort(
            key=lambda d: (
                str(d.get(fname, "")).lower()
                if not isinstance(d.get(fname), (int, float))
                else d.get(fname)
            ),
            reverse=desc,
        )

    start = int(g("start", 0) or 0)
    rows = int(g("rows", 10) or 0)
    page = hits[start : start + rows] if rows >= 0 else hits[start:]
    fl = g("fl", "*") or "*"
    fields = [f for f in re.split(r"[\s,]+", fl) if f]
    if "*" in fields or not fields:
        out = [dict(d) for d in page]
    else:
        out = [{f: d[f] for f in fields if f in d} for d in page]
    for d in out:
        if "score" in fields:
            d["score"] = 1.0

    resp = {
        "responseHeader": {"status": 0, "QTime": 0, "params": {}},
        "response": {"numFound": len(hits), "start": start, "docs": out},
    }
    if g("facet", "false") == "true":
        limit = int(g("facet.limit", 50) or 50)
        mincount = int(g("facet.mincount", 1) or 0)
        ff = {}
        for field in params.get("facet.field", []):
            counts = {}
            for d in hits:
                for v in _values(d, field) or []:
                    counts[v] = counts.get(v, 0) + 1
            items = sorted(
                ((k, c) for k, c in counts.items() if c >= mincount),
                key=lambda kc: (-kc[1], str(kc[0])),
            )
            if limit >= 0:
                items = items[:limit]
            ff[field] = [x for kc in items for x in kc]
        resp["facet_counts"] = {
            "facet_queries": {},
            "facet_fields": ff,
            "facet_ranges": {},
            "facet_intervals": {},
            "facet_heatmaps": {},
        }
    return resp


DATE_RE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?Z$")


def _solr_dates(doc):
    """Mimic the Solr pdate round-trip: millisecond precision, always three digits.

    package_show trusts the indexed copy of a dataset only when its metadata_modified agrees
    with the database's on the first 22 characters (``2026-11-25T20:36:24.80``); otherwise it
    rebuilds the dataset from the database, WITHOUT the harvest extras (harvest_source_id...)
    that only exist in the index. Solr 9 writes ``.800Z`` (java.time.Instant); cutting the
    trailing zeros (``.8Z``) failed that check for 1 update in 100 and made harvested datasets
    vanish from the tests at random. Real Solr also writes no fraction when the milliseconds
    are exactly 0 (CKAN then falls back to the database, 1 time in 1000): the stand-in keeps
    ``.000`` so that the tests stay deterministic."""
    for k, v in doc.items():
        if isinstance(v, str) and (k.startswith("metadata_") or k.endswith("_date")):
            m = DATE_RE.match(v)
            if m:
                frac = ((m.group(2) or "")[1:4]).ljust(3, "0")
                doc[k] = f"{m.group(1)}.{frac}Z"
    return doc


def _key(doc):
    return doc.get("index_id") or doc.get("id")


def persist():
    if ARGS.persist:
        with open(ARGS.persist, "w") as f:
            json.dump(DOCS, f)


def do_update(body, ctype):
    body = body.strip()
    if not body:
        return
    if body[:1] in (b"[", b"{") or "json" in ctype:
        data = json.loads(body)
        if isinstance(data, dict):
            data = [] if "delete" in data else [data]
        with LOCK:
            for doc in data:
                DOCS[_key(doc)] = _solr_dates(doc)
            persist()
        return
    root = ET.fromstring(body)
    with LOCK:
        if root.tag == "add":
            for d in root.findall("doc"):
                doc = {}
                for f in d.findall("field"):
                    n = f.get("name")
                    v = f.text or ""
                    if n in doc:
                        doc[n] = (doc[n] if isinstance(doc[n], list) else [doc[n]]) + [v]
                    else:
                        doc[n] = v
                DOCS[_key(doc)] = _solr_dates(doc)
        elif root.tag == "delete":
            for e in root.findall("id"):
                DOCS.pop(e.text, None)
                for k, d in list(DOCS.items()):
                    if d.get("id") == e.text:
                        DOCS.pop(k, None)
            for e in root.findall("query"):
                pred = compile_query(e.text or "", "AND")
                for k, d in list(DOCS.items()):
                    if pred(d):
                        DOCS.pop(k, None)
        # <commit/>, <optimize/>: nothing to do
        persist()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *a):
        if not ARGS.quiet:
            sys.stderr.write("fakesolr: " + (fmt % a) + "\n")

    def _send(self, code, payload, ctype="application/json; charset=utf-8"):
        data = (
            payload
            if isinstance(payload, bytes)
            else (payload.encode() if isinstance(payload, str) else json.dumps(payload).encode())
        )
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _route(self, method):
        u = urlsplit(self.path)
        params = parse_qs(u.query, keep_blank_values=True)
        body = b""
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            body = self.rfile.read(n)
        ctype = self.headers.get("Content-Type", "")
        path = u.path.rstrip("/")
        try:
            if path.endswith("/select"):
                if method == "POST" and "x-www-form-urlencoded" in ctype:
                    for k, v in parse_qs(body.decode(), keep_blank_values=True).items():
                        params.setdefault(k, []).extend(v)
                return self._send(200, do_select(params))
            if path.endswith("/update"):
                do_update(body, ctype)
                return self._send(200, {"responseHeader": {"status": 0, "QTime": 0}})
            if path.endswith("/schema") or path.endswith("/admin/file"):
                xml = (
                    '<?xml version="1.0"?>'
                    f'<schema name="ckan-{ARGS.schema_version}" version="1.6"/>'
                )
                return self._send(200, xml, "application/xml; charset=utf-8")
            if path.endswith("/admin/ping"):
                return self._send(200, {"status": "OK"})
            return self._send(
                404, {"error": {"msg": "fakesolr: no handler for " + u.path, "code": 404}}
            )
        except Exception as e:  # report like Solr does
            return self._send(
                400,
                {
                    "responseHeader": {"status": 400},
                    "error": {"msg": f"fakesolr: {type(e).__name__}: {e}", "code": 400},
                },
            )

    def do_GET(self):
        self._route("GET")

    def do_POST(self):
        self._route("POST")


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8983)
    ap.add_argument("--schema-version", default="2.11")
    ap.add_argument("--persist", default=None)
    ap.add_argument("--quiet", action="store_true")
    ARGS = ap.parse_args()
    if ARGS.persist:
        try:
            with open(ARGS.persist) as f:
                DOCS.update(json.load(f))
        except FileNotFoundError:
            pass
    srv = ThreadingHTTPServer((ARGS.host, ARGS.port), Handler)
    print(f"fakesolr listening on http://{ARGS.host}:{ARGS.port}", flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
