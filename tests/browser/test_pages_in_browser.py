"""The public and publishing pages in a real browser (Debian's Chromium via Playwright) against a
real ``ia-territoires serve`` loaded with the curated ``datasets/``."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.harness.browser import (
    PUBLISHER_ENTRY,
    Registry,
    axe_violations,
    screenshot,
)

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def results_count(page: Any) -> int:
    text = page.locator("#resultats").inner_text()
    match = re.match(r"\s*([\d\u202f ]+)", text)
    assert match, text
    return int(re.sub(r"\D", "", match.group(1)))


def test_search_and_facet_the_listing_then_open_a_deployment(page: Any) -> None:
    page.goto("/registre")
    total = results_count(page)
    assert total >= 20
    # accents and case folded: "METROPOLE" finds what "métropole" finds
    page.fill("#q", "métropole")
    page.click("form[role=search] button[type=submit]")
    accented = results_count(page)
    assert 0 < accented < total and "q=m%C3%A9tropole" in page.url
    page.goto("/registre?q=METROPOLE")
    assert results_count(page) == accented
    # a facet value narrows the list; the URL carries the state
    page.goto("/registre")
    facet = page.locator("#facette-status + ul a").first
    label, count = (
        facet.inner_text(),
        int(re.sub(r"\D", "", facet.locator("xpath=..").locator(".count").inner_text())),
    )
    facet.click()
    assert "status=" in page.url and results_count(page) == count
    assert page.locator(".active-filters").inner_text().find(label) >= 0
    # open the first deployment of the list
    first = page.locator(".results ul li h3 a").first
    title = first.inner_text()
    first.click()
    assert "/id/deploiement/" in page.url
    assert page.locator("h1").inner_text() == title
    assert page.locator("#completude").is_visible()
    assert page.locator("#historique").is_visible()


def test_switch_language_is_kept(page: Any) -> None:
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "fr"
    page.click("p.lang a")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Observatory of AI in local government"
    page.click("nav.main a[href='/registre']")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Register of deployments" in page.locator("h1").inner_text()
    page.click("p.lang a")
    assert page.locator("html").get_attribute("lang") == "fr"


def test_follow_a_map_area_to_its_listing(page: Any) -> None:
    page.goto("/")
    area = page.locator("svg.map a[href='/registre?departement=06']")
    label = area.get_attribute("aria-label")
    assert label and label.startswith("Alpes-Maritimes (06)")
    expected = int(re.search(r": (\d+)", label).group(1))  # type: ignore[union-attr]
    assert expected >= 1
    area.click()
    assert page.url.endswith("/registre?departement=06")
    assert results_count(page) == expected


def test_run_an_example_sparql_query(page: Any) -> None:
    page.goto("/requetes")
    page.locator("#exemples + ul a").first.click()
    rows = page.locator("#sparql-results tbody tr")
    assert rows.count() >= 1
    assert page.locator("#sparql-results thead th").count() >= 2
    csv_link = page.locator("a", has_text="CSV").first
    href = csv_link.get_attribute("href")
    assert href and href.startswith("/sparql?query=")
    response = page.request.get(href)
    assert response.ok and response.headers["content-type"].startswith("text/csv")


def sign_in(page: Any, registry: Registry) -> None:
    page.goto("/publier")
    page.fill("#token", registry.token)
    page.click("form[action='/publier/connexion'] button")
    assert "Région Île-de-France" in page.locator("main").inner_text()
    cookie = next(c for c in page.context.cookies() if c["name"] == "iat_session")
    assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Strict"


CSV_HEADER = (
    "identifiant;titre;description;systeme;statut;classification_ai_act;finalites;domaines;"
    "decision_individuelle;intervention_humaine;date_debut\n"
)


def test_sign_in_and_import_a_csv_with_an_error_then_fixed(
    page: Any, registry: Registry, tmp_path: Any
) -> None:
    sign_in(page, registry)
    page.click("a[href='/publier/import']")
    row = (
        "fr-idf-essai-navigateur;Essai d'import navigateur;Fiche importée par le test.;spirit;"
        "{status};non-evaluee;aide-redaction;education-jeunesse;non;non-documentee;2025-01\n"
    )
    bad = tmp_path / "fiches-erreur.csv"
    bad.write_text(CSV_HEADER + row.format(status="en-panne"), encoding="utf-8")
    page.set_input_files("#file", str(bad))
    page.click("form.entry button")
    report = page.locator("#import-report")
    assert "en-panne" in report.inner_text()
    assert page.locator("input[name=upload]").count() == 0
    screenshot(page, "import-report-error")
    good = tmp_path / "fiches.csv"
    good.write_text(CSV_HEADER + row.format(status="experimentation"), encoding="utf-8")
    page.set_input_files("#file", str(good))
    page.click("form.entry button")
    page.click("input[name=upload] + button")
    assert page.locator("[role=status]").inner_text().startswith("Import publié")
    page.goto("/id/deploiement/fr-idf-essai-navigateur")
    assert page.locator("h1").inner_text() == "Essai d'import navigateur"


def test_edit_through_the_form_violation_then_saved_and_history(
    page: Any, registry: Registry
) -> None:
    sign_in(page, registry)
    page.goto(f"/publier/fiches/{PUBLISHER_ENTRY}")
    page.fill("#f-title", "")
    page.fill("#f-notes", "Note ajoutée depuis le formulaire.")
    page.click("form.entry > button[type=submit]")
    field = page.locator("#champ-title")
    assert "has-violation" in (field.get_attribute("class") or "")
    assert "Titre en français obligatoire" in field.inner_text()
    assert page.input_value("#f-notes") == "Note ajoutée depuis le formulaire."  # kept
    screenshot(page, "form-violation")
    page.fill("#f-title", "Spirit, assistant d'IA générative (titre modifié)")
    page.click("form.entry > button[type=submit]")
    assert "version 2" in page.locator("[role=status]").inner_text()
    page.goto(f"/id/deploiement/{PUBLISHER_ENTRY}")
    assert page.locator("h1").inner_text() == "Spirit, assistant d'IA générative (titre modifié)"
    history = page.locator("#historique + div table tbody tr")
    assert history.count() == 2
    assert "Titre" in history.first.inner_text()
    history.first.locator("a", has_text="voir les différences").click()
    assert page.locator("td.diff-added", has_text="(titre modifié)").count() == 1
    assert page.locator("td.diff-removed", has_text="lycées").count() == 1
    screenshot(page, "diff")


PAGE_TYPES = {
    "home": "/",
    "listing": "/registre?theme=education-jeunesse",
    "deployment": f"/id/deploiement/{PUBLISHER_ENTRY}",
    "system": "/id/systeme/spirit",
    "organisation": "/id/organisation/237500079",
    "concept": "/vocab/statut/en-service",
    "scheme": "/vocab/finalite",
    "sparql": "/requetes?"
    + urlencode(
        {
            "query": "SELECT ?d WHERE { ?d a <https://w3id.org/ia-territoires/def#Deployment> }"
            " LIMIT 5"
        }
    ),
    "publish": "/publier",
    "diff": f"/historique/deploiement/{PUBLISHER_ENTRY}?de=1&a=1",
}


@pytest.mark.parametrize("name", sorted(PAGE_TYPES))
def test_accessibility_of_each_page_type(page: Any, name: str) -> None:
    page.goto(PAGE_TYPES[name])
    assert page.locator("h1").count() == 1
    problems = axe_violations(page)
    screenshot(page, f"page-{name}-1280")
    page.set_viewport_size({"width": 360, "height": 800})
    screenshot(page, f"page-{name}-360")
    # nothing wider than the screen at 360 px, apart from scrollable tables
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= 360, f"page {name} is {overflow}px wide at 360px"
    assert problems == [], problems


def test_accessibility_of_the_publishing_pages(page: Any, registry: Registry) -> None:
    sign_in(page, registry)
    for name, url in (
        ("import", "/publier/import"),
        ("form", f"/publier/fiches/{PUBLISHER_ENTRY}"),
        ("new", "/publier/fiches/nouvelle"),
    ):
        page.goto(url)
        problems = axe_violations(page)
        screenshot(page, f"page-{name}-1280")
        assert problems == [], (name, problems)
