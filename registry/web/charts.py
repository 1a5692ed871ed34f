"""Server-rendered charts: horizontal bars (plain HTML, with a data table alternative) and the
map of France by département (inline SVG from the vendored @svg-maps base map), each area
linking to the listing filtered on it. Pure functions: counts in, plain dicts out."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from registry.web.render import STATIC

VENDOR = STATIC / "vendor"
MAP_CLASSES = 6  # m0 (none) .. m5 (most)


def bars(
    name: str,
    counts: Mapping[str, int],
    label_of: Callable[[str], str],
    filter_param: str | None,
    total: int,
    *,
    order: str = "count",
) -> dict[str, Any]:
    """One chart: rows sorted by count (or by value for years), each with its share of the
    deployments, bar width relative to the largest, and a link to the filtered listing."""
    items = list(counts.items())
    if order == "value":
        items.sort(key=lambda kv: kv[0])
    else:
        items.sort(key=lambda kv: (-kv[1], label_of(kv[0]).lower()))
    top = max((n for _, n in items), default=0)
    rows = [
        {
            "value": value,
            "label": label_of(value),
            "count": count,
            "share": count / total if total else 0.0,
            "width": round(100 * count / top, 1) if top else 0,
            "href": f"/registre?{urlencode({filter_param: value})}" if filter_param else None,
        }
        for value, count in items
    ]
    return {"name": name, "rows": rows, "csv": f"/observatoire/{name}.csv"}


@lru_cache(maxsize=2)
def base_map(kind: str = "departments") -> dict[str, Any]:
    with (VENDOR / f"france-{kind}.json").open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def map_class(count: int, top: int) -> int:
    """0 for none, else 1..5 in proportion to the largest count (which always gets 5)."""
    if count <= 0 or top <= 0:
        return 0
    return max(1, min(MAP_CLASSES - 1, -(-count * (MAP_CLASSES - 1) // top)))


def legend(top: int) -> list[dict[str, int]]:
    """The count range of each class in use."""
    out: list[dict[str, int]] = []
    for n in range(1, top + 1):
        cls = map_class(n, top)
        if out and out[-1]["class"] == cls:
            out[-1]["to"] = n
        else:
            out.append({"class": cls, "from": n, "to": n})
    return out


def departement_map(
    counts: Mapping[str, int], names: Mapping[str, str], lang: str
) -> dict[str, Any]:
    """The départements of the base map with their counts, class and link; the legend; and the
    départements with deployments that the map does not show (overseas)."""
    base = base_map("departments")
    top = max(counts.values(), default=0)
    shown = set()
    areas = []
    for location in base["locations"]:
        code = str(location["id"]).upper()
        shown.add(code)
        count = counts.get(code, 0)
        name = names.get(code, location["name"])
        areas.append(
            {
                "code": code,
                "name": name,
                "count": count,
                "class": map_class(count, top),
                "path": location["path"],
                "href": f"/registre?{urlencode({'departement': code})}",
            }
        )
    outside = [
        {
            "code": code,
            "name": names.get(code, code),
            "count": n,
            "href": f"/registre?{urlencode({'departement': code})}",
        }
        for code, n in sorted(counts.items())
        if code not in shown and n > 0
    ]
    del lang
    return {"viewBox": base["viewBox"], "areas": areas, "legend": legend(top), "outside": outside}
