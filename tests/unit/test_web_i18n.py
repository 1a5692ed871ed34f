"""The UI catalogue: every key a template or a view uses exists in French and English, and the
language of a request is chosen as documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from registry.web.charts import legend, map_class
from registry.web.i18n import MESSAGES, pick_language, translator

WEB = Path(__file__).resolve().parents[2] / "registry" / "web"
API = Path(__file__).resolve().parents[2] / "registry" / "api"
KEY_USE = re.compile(r"""\bt\(\s*["']([a-z0-9_.-]+)["']""")


def used_keys() -> set[str]:
    keys: set[str] = set()
    sources = [
        *WEB.glob("templates/*.html"),
        *(p for p in WEB.glob("*.py") if p.name != "i18n.py"),
        API / "pages.py",
        API / "pages_publish.py",
    ]
    for path in sources:
        keys |= set(KEY_USE.findall(path.read_text(encoding="utf-8")))
    return keys


def test_every_used_key_is_translated() -> None:
    keys = used_keys()
    assert len(keys) > 80  # the scan found the templates
    missing = sorted(k for k in keys if k not in MESSAGES and not k.endswith("."))
    assert missing == []
    for key, (fr, en) in MESSAGES.items():
        assert fr.strip() and en.strip(), key


def test_dynamic_keys_exist() -> None:
    # keys built in templates: "chart." ~ name, "facet." ~ param, "list.sort." ~ value
    from registry.web.home import CHART_NAMES
    from registry.web.listing import EXTRA_FILTERS, FACETS, SORTS

    for name in CHART_NAMES:
        assert f"chart.{name}" in MESSAGES
    for param in (*FACETS, *EXTRA_FILTERS[:2]):
        assert f"facet.{param}" in MESSAGES
    for sort in SORTS:
        assert f"list.sort.{sort}" in MESSAGES


@pytest.mark.parametrize(
    ("query", "cookie", "accept", "expected"),
    [
        (None, None, None, "fr"),
        ("en", None, None, "en"),
        ("en", "fr", "fr", "en"),
        (None, "en", "fr", "en"),
        ("xx", None, "en-US,en;q=0.9", "en"),
        (None, None, "de-DE, en;q=0.3, fr;q=0.7", "fr"),
        (None, None, "de-DE, en;q=0.8, fr;q=0.7", "en"),
        (None, None, "en;q=0, fr;q=0.1", "fr"),
        (None, None, "es", "fr"),
    ],
)
def test_pick_language(
    query: str | None, cookie: str | None, accept: str | None, expected: str
) -> None:
    assert pick_language(query, cookie, accept) == expected


def test_translator_formats_values() -> None:
    assert translator("fr")("pub.form.saved", n=3) == "Fiche enregistrée (version 3)."
    assert translator("en")("pub.form.saved", n=3) == "Entry saved (version 3)."
    with pytest.raises(KeyError):
        translator("fr")("no.such.key")


def test_map_classes_give_the_largest_count_the_darkest_class() -> None:
    assert map_class(0, 10) == 0
    assert map_class(10, 10) == 5
    assert map_class(1, 10) == 1
    assert map_class(2, 2) == 5 and map_class(1, 2) == 3
    ranges = legend(10)
    assert ranges[0] == {"class": 1, "from": 1, "to": 2}
    assert ranges[-1]["to"] == 10 and [r["class"] for r in ranges] == [1, 2, 3, 4, 5]
