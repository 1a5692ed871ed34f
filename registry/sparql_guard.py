"""Read-only guard and light rewriting of SPARQL query strings, for the public endpoint.

A full SPARQL parse in Python (rdflib's pyparsing grammar) costs ~25 ms per query: too slow for
the endpoint's hot path, whose point queries must stay within ~2 ms of the store. So the hot path
uses a small *tokenizer* that understands comments, strings and IRIs (never a bare regex over the
text) to find the query form, the dataset clauses and the top-level LIMIT; the store's own parser
then checks the whole query. Only when the store refuses a query do we ask rdflib's grammar whether
it was an *update* (answered 403) or just malformed (answered 400 with the parser's message).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from registry.errors import InputError, PermissionDenied

QueryForm = Literal["SELECT", "ASK", "CONSTRUCT", "DESCRIBE"]

QUERY_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)

# One token: a comment, a string (long or short, either quote), an IRI, a variable, a word
# (keyword or prefixed name) or one punctuation character. The order of the alternatives matters.
_TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00B7-\uFFFF]+)
  | (?P<word>[A-Za-z_\u00C0-\uFFFF][\w.\-:%\u00B7-\uFFFF]*|:[\w.\-:%\u00B7-\uFFFF]*)
  | (?P<number>[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?)
  | (?P<punct>\^\^|&&|\|\||!=|<=|>=|[{}()\[\].,;*+\-/!=<>^|@])
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int
    end: int
    depth: int  # nesting depth of braces *before* this token

    @property
    def upper(self) -> str:
        return self.text.upper()


def tokenize(query: str) -> list[Token]:
    """Tokens of a query, comments and whitespace dropped. Raises InputError on a stray character
    (e.g. an unterminated string), naming its line and column."""
    tokens: list[Token] = []
    depth = 0
    pos = 0
    while pos < len(query):
        m = _TOKEN_RE.match(query, pos)
        if m is None or m.end() == pos:
            line = query.count("\n", 0, pos) + 1
            col = pos - (query.rfind("\n", 0, pos) + 1) + 1
            raise InputError(
                f"Requête SPARQL illisible : caractère inattendu ligne {line}, colonne {col}.",
                f"Unreadable SPARQL query: unexpected character at line {line}, column {col}.",
                line=line,
                column=col,
            )
        kind = m.lastgroup or "punct"
        if kind not in ("ws", "comment"):
            tokens.append(Token(kind, m.group(), m.start(), m.end(), depth))
            if m.group() == "{":
                depth += 1
            elif m.group() == "}":
                depth = max(0, depth - 1)
        pos = m.end()
    return tokens


@dataclass
class QueryInfo:
    form: QueryForm
    tokens: list[Token]
    form_index: int  # index of the form keyword in tokens
    has_dataset_clause: bool = False
    limit: int | None = None  # the top-level LIMIT, if any
    limit_token: int | None = None  # index of the LIMIT value token
    trailing_values: int | None = None  # index of a top-level VALUES after the WHERE group
    dataset_tokens: list[tuple[int, int]] = field(default_factory=list)  # FROM clauses spans


def _skip_prologue(tokens: list[Token]) -> int:
    i = 0
    while i < len(tokens):
        word = tokens[i].upper
        if word == "BASE" and i + 1 < len(tokens):
            i += 2
        elif word == "PREFIX" and i + 2 < len(tokens):
            i += 3
        else:
            break
    return i


def inspect_query(query: str) -> QueryInfo:
    """Find the form of a query and the positions the endpoint may rewrite.

    Raises PermissionDenied for an update request (the endpoint is read-only) and InputError when
    no query form can be found.
    """
    tokens = tokenize(query)
    i = _skip_prologue(tokens)
    if i >= len(tokens):
        raise InputError(
            "Requête SPARQL vide ou sans forme (SELECT, ASK, CONSTRUCT, DESCRIBE).",
            "Empty SPARQL query, or no query form (SELECT, ASK, CONSTRUCT, DESCRIBE).",
        )
    word = tokens[i].upper
    if word in UPDATE_KEYWORDS:
        raise update_refused()
    if word not in QUERY_FORMS:
        raise InputError(
            f"Requête SPARQL invalide : « {tokens[i].text[:40]} » trouvé là où SELECT, ASK, "
            "CONSTRUCT ou DESCRIBE était attendu.",
            f"Invalid SPARQL query: found '{tokens[i].text[:40]}' where SELECT, ASK, CONSTRUCT "
            "or DESCRIBE was expected.",
        )
    info = QueryInfo(form=word, tokens=tokens, form_index=i)  # type: ignore[arg-type]
    _find_dataset_clauses(info)
    _find_solution_modifiers(info)
    return info


def update_refused() -> PermissionDenied:
    return PermissionDenied(
        "Ce point d'accès SPARQL est en lecture seule : les mises à jour (INSERT, DELETE, LOAD, "
        "CLEAR, DROP…) sont refusées. Publiez via l'API REST.",
        "This SPARQL endpoint is read-only: updates (INSERT, DELETE, LOAD, CLEAR, DROP…) are "
        "refused. Publish through the REST API.",
        reason="update-refused",
    )


def _find_dataset_clauses(info: QueryInfo) -> None:
    tokens = info.tokens
    i = info.form_index + 1
    if info.form == "CONSTRUCT" and i < len(tokens) and tokens[i].text == "{":
        close = _matching_close(tokens, i)
        i = (close + 1) if close is not None else len(tokens)
    while i < len(tokens) and tokens[i].depth == 0:
        if tokens[i].upper == "FROM":
            end = i + 2 if i + 1 < len(tokens) and tokens[i + 1].upper != "NAMED" else i + 3
            info.dataset_tokens.append((i, min(end, len(tokens))))
            info.has_dataset_clause = True
            i = end
            continue
        if tokens[i].text == "{":
            break
        i += 1


def _matching_close(tokens: list[Token], open_index: int) -> int | None:
    depth = tokens[open_index].depth + 1
    for idx in range(open_index + 1, len(tokens)):
        if tokens[idx].text == "}" and tokens[idx].depth == depth:
            return idx
    return None


def _where_close(info: QueryInfo) -> int | None:
    """Index of the brace closing the query's WHERE group (top level)."""
    tokens = info.tokens
    i = info.form_index + 1
    if info.form == "CONSTRUCT" and i < len(tokens) and tokens[i].text == "{":
        close = _matching_close(tokens, i)
        if close is None:
            return None
        i = close + 1
    for idx in range(i, len(tokens)):
        if tokens[idx].text == "{" and tokens[idx].depth == 0:
            return _matching_close(tokens, idx)
    return None


def _find_solution_modifiers(info: QueryInfo) -> None:
    tokens = info.tokens
    where_close = _where_close(info)
    start = (where_close + 1) if where_close is not None else info.form_index + 1
    for idx in range(start, len(tokens)):
        tok = tokens[idx]
        if tok.depth != 0:
            continue
        if tok.upper == "LIMIT" and idx + 1 < len(tokens) and tokens[idx + 1].kind == "number":
            info.limit = int(float(tokens[idx + 1].text))
            info.limit_token = idx + 1
        elif tok.upper == "VALUES" and info.trailing_values is None:
            info.trailing_values = idx


def with_row_cap(query: str, info: QueryInfo, cap: int) -> str:
    """The query with a top-level LIMIT of at most ``cap`` (so the store never builds more rows
    than the endpoint will send). Queries whose own LIMIT is lower are returned unchanged."""
    if info.form not in ("SELECT", "CONSTRUCT", "DESCRIBE"):
        return query
    if info.limit is not None and info.limit_token is not None:
        if info.limit <= cap:
            return query
        tok = info.tokens[info.limit_token]
        return query[: tok.start] + str(cap) + query[tok.end :]
    if info.trailing_values is not None:
        pos = info.tokens[info.trailing_values].start
        return query[:pos] + f"LIMIT {cap}\n" + query[pos:]
    return query.rstrip() + f"\nLIMIT {cap}\n"


def with_dataset(
    query: str, info: QueryInfo, default_graphs: list[str], named_graphs: list[str]
) -> str:
    """Apply the protocol's ``default-graph-uri``/``named-graph-uri``: they replace the query's own
    FROM / FROM NAMED clauses (SPARQL 1.1 Protocol §2.1.4)."""
    if not default_graphs and not named_graphs:
        return query
    for iri in (*default_graphs, *named_graphs):
        if not re.fullmatch(r"[^<>\"{}|^`\\\s]+", iri):
            raise InputError(
                f"IRI de graphe invalide : {iri[:80]!r}.", f"Invalid graph IRI: {iri[:80]!r}."
            )
    clauses = "".join(f" FROM <{g}>" for g in default_graphs)
    clauses += "".join(f" FROM NAMED <{g}>" for g in named_graphs)
    tokens = info.tokens
    # Remove the query's own dataset clauses, last first so offsets stay valid.
    text = query
    for start, end in reversed(info.dataset_tokens):
        text = text[: tokens[start].start] + text[tokens[end - 1].end :]
    insert_at = _dataset_insertion_point(info)
    removed_before = sum(
        tokens[e - 1].end - tokens[s].start
        for s, e in info.dataset_tokens
        if tokens[s].start < insert_at
    )
    pos = insert_at - removed_before
    return text[:pos] + clauses + " " + text[pos:]


def _dataset_insertion_point(info: QueryInfo) -> int:
    tokens = info.tokens
    i = info.form_index
    if info.form == "ASK":
        return tokens[i].end
    if info.form == "CONSTRUCT":
        if i + 1 < len(tokens) and tokens[i + 1].text == "{":
            # skip the template to its closing brace
            close = _matching_close(tokens, i + 1)
            return tokens[close].end if close is not None else tokens[-1].end
        return tokens[i].end
    # SELECT / DESCRIBE: before the first top-level "{", WHERE, FROM or solution modifier
    stops = {"WHERE", "FROM", "ORDER", "LIMIT", "OFFSET", "VALUES", "GROUP", "HAVING"}
    for tok in tokens[i + 1 :]:
        if tok.depth == 0 and (tok.text == "{" or tok.upper in stops):
            return tok.start
    return tokens[-1].end


def explain_refusal(query: str, store_message: str) -> InputError | PermissionDenied:
    """Error for a query the store refused to parse: an update (403) or a malformed query (400
    carrying the parser's own message)."""
    from rdflib.plugins.sparql.parser import parseUpdate  # slow grammar: only on the error path

    try:
        parseUpdate(query)
    except Exception:
        pass
    else:
        return update_refused()
    return InputError(
        f"Requête SPARQL invalide : {store_message}",
        f"Invalid SPARQL query: {store_message}",
        parser_message=store_message,
    )
