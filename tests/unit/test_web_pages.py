"""The public pages in-process (FastAPI TestClient over the sample data of the API harness):
language choice, observatory, listing, entry pages on the entries' IRIs, SPARQL page, and the
publishing pages' session, CSRF and form behaviour."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.harness.registry_server import HOSTILE_TITLE, sample_app

HTML = {"accept": "text/html"}
SIREN = "213801855"  # Commune de Grenoble (a valid SIREN, unlike the sample organisations)
BASE = "https://w3id.org/ia-territoires/"


@pytest.fixture(scope="module")
def app_and_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Any]]:
    app, store = sample_app(tmp_path_factory.mktemp("web"))
    store.update(
        f"""INSERT DATA {{ <{BASE}id/organisation/{SIREN}>
          a <http://xmlns.com/foaf/0.1/Organization> , <http://www.w3.org/ns/org#Organization> ;
          <http://xmlns.com/foaf/0.1/name> "Commune de Grenoble" }}"""
    )
    yield app, store
    store.close()


@pytest.fixture(scope="module")
def client(app_and_store: tuple[Any, Any]) -> Iterator[TestClient]:
    with TestClient(app_and_store[0], base_url="https://testserver") as c:
        yield c


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# ---- language -----------------------------------------------------------------------------------
def test_french_by_default_english_by_switch_cookie_and_accept_language(client: TestClient) -> None:
    client.cookies.clear()
    fr = client.get("/", headers=HTML)
    assert fr.status_code == 200
    assert '<html lang="fr">' in fr.text and "Chiffres clés" in fr.text
    assert 'href="/?lang=en"' in fr.text  # the switch
    en = client.get("/?lang=en", headers=HTML)
    assert '<html lang="en">' in en.text and "Key figures" in en.text
    assert "lang=en" in en.headers["set-cookie"]
    # the choice is remembered by the cookie on the next page
    listing = client.get("/registre", headers=HTML)
    assert '<html lang="en">' in listing.text and "Register of deployments" in listing.text
    client.cookies.clear()
    accept = client.get("/registre", headers={**HTML, "accept-language": "en-GB,en;q=0.8"})
    assert '<html lang="en">' in accept.text
    preferred_fr = client.get(
        "/registre", headers={**HTML, "accept-language": "de, fr;q=0.9, en;q=0.5"}
    )
    assert '<html lang="fr">' in preferred_fr.text


# ---- observatory --------------------------------------------------------------------------------
def test_home_key_figures_charts_map_and_reuse(client: TestClient) -> None:
    client.cookies.clear()
    page = client.get("/", headers=HTML).text
    figures = re.findall(r"<li><strong>([^<]+)</strong>", page)
    # 30 sample deployments, 6 systems, 8 organisations; d % 4 == 0 individual (8/30 = 27 %);
    # d % 3 == 0 high-risk (10)
    assert figures[:5] == ["30", "6", "8", "27\u00a0%", "10"]
    for chart in ("theme", "purpose", "family", "riskLevel", "status", "startYear"):
        assert f'id="graphique-{chart}"' in page
        assert f'href="/observatoire/{chart}.csv?lang=fr"' in page
    # the map: one link per département of the base map, Isère coloured and linked
    areas = re.findall(r'<a href="/registre\?departement=([0-9AB]+)" aria-label="([^"]+)"', page)
    assert len(areas) == 96
    isere = dict(areas)["38"]
    assert isere.startswith("Isère (38) : ") and not isere.startswith("Isère (38) : 0 ")
    assert "Système numéro" in page.split('id="reutilises"')[1]


def test_chart_csv_matches_the_counts(client: TestClient) -> None:
    response = client.get("/observatoire/status.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["valeur", "libelle", "deploiements"]
    counts = {r[0]: int(r[2]) for r in rows[1:]}
    # statuses cycle over 4 values for 30 deployments
    assert counts == {"envisage": 8, "experimentation": 8, "en-service": 7, "arrete": 7}
    assert client.get("/observatoire/nope.csv").status_code == 404


# ---- listing ------------------------------------------------------------------------------------
def test_listing_search_is_accent_and_case_folded(client: TestClient) -> None:
    page = client.get("/registre?q=SAINT-etienne", headers=HTML).text
    # organisation 0 (Saint-Étienne-Exemple) deploys d = 0, 8, 16, 24
    assert re.search(r"<h2 id=\"resultats\"[^>]*>4 résultat", page)
    assert client.get("/registre?q=zzzz", headers=HTML).text.count("Aucun déploiement") == 1


def test_listing_facets_count_and_filter_and_state_is_a_url(client: TestClient) -> None:
    page = client.get("/registre?theme=action-sociale", headers=HTML).text
    # d % 4 == 1 -> action-sociale: 1, 5, ..., 29 = 8 deployments
    assert re.search(r"<h2 id=\"resultats\"[^>]*>8 résultat", page)
    # the status facet counts within the theme filter; its links keep the theme
    assert 'href="/registre?status=experimentation&amp;theme=action-sociale"' in page
    # removing the filter is a link too
    assert 'href="/registre"' in page
    both = client.get("/registre?theme=action-sociale&status=experimentation", headers=HTML).text
    assert re.search(r"<h2 id=\"resultats\"[^>]*>8 résultat", both)  # d%4==1 -> status index 1
    csv_link = client.get("/registre.csv?theme=action-sociale")
    rows = list(csv.DictReader(io.StringIO(csv_link.content.decode("utf-8-sig"))))
    assert len(rows) == 8 and {r["themes"] for r in rows} == {"action-sociale"}
    as_json = client.get("/registre.json?theme=action-sociale").json()
    assert as_json["total"] == 8 and len(as_json["items"]) == 8


def test_listing_pages_and_sorts(client: TestClient) -> None:
    first = client.get("/registre?sort=-start", headers=HTML).text
    assert 'href="/registre?sort=-start&amp;page=2"' in first and "Page 1 / 2" in first
    second = client.get("/registre?sort=-start&page=2", headers=HTML).text
    assert "Page 2 / 2" in second and 'rel="prev"' in second
    titles_1 = re.findall(r'<a href="/id/deploiement/(dep-\d+)">', first)
    titles_2 = re.findall(r'<a href="/id/deploiement/(dep-\d+)">', second)
    assert len(titles_1) == 20 and len(titles_2) == 10 and not set(titles_1) & set(titles_2)


def test_hostile_text_is_escaped(client: TestClient) -> None:
    page = client.get("/registre?q=evaluation", headers=HTML).text
    assert HOSTILE_TITLE not in page
    assert "&lt;script&gt;alert(" in page


# ---- entry pages --------------------------------------------------------------------------------
def test_deployment_page_on_its_iri_and_data_formats_unchanged(client: TestClient) -> None:
    page = client.get("/id/deploiement/dep-00001", headers=HTML)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    text = page.text
    assert "<h1>Déploiement 1 de démonstration</h1>" in text
    # grouped by the shapes' groups, labels in the page's language, concepts linked
    assert 'id="groupe-g-usage"' in text and "Finalité" in text
    assert '<a href="/vocab/finalite/controle-fraude">' in text
    assert "Complétude" in text
    assert f"{BASE}id/deploiement/dep-00001" in text
    english = client.get("/id/deploiement/dep-00001?lang=en", headers=HTML).text
    assert '<th scope="row">Purpose</th>' in english and "Inspection and fraud detection" in english
    client.cookies.clear()
    turtle = client.get("/id/deploiement/dep-00001", headers={"accept": "text/turtle"})
    assert turtle.headers["content-type"].startswith("text/turtle")
    assert client.get("/id/deploiement/dep-00001.jsonld").status_code == 200
    assert client.get("/id/deploiement/nope", headers=HTML).status_code == 404


def test_system_organisation_concept_and_scheme_pages(client: TestClient) -> None:
    system = client.get("/id/systeme/systeme-1", headers=HTML).text
    assert "Système numéro 1" in system and "/registre?system=systeme-1" in system
    org = client.get("/id/organisation/200000001", headers=HTML).text
    assert "Commune d&#39;Exemple-1" in org and "/catalog/organisation/200000001" in org
    concept = client.get("/vocab/statut/en-service", headers=HTML).text
    assert "En service" in concept and 'href="/registre?status=en-service"' in concept
    scheme = client.get("/vocab/statut", headers=HTML).text
    assert scheme.count('href="/vocab/statut/') >= 5


# ---- SPARQL page --------------------------------------------------------------------------------
def test_sparql_page_runs_a_query_and_offers_downloads(client: TestClient) -> None:
    page = client.get("/requetes", headers=HTML).text
    assert "/requetes?exemple=0" in page
    query = "SELECT ?d WHERE { ?d a <https://w3id.org/ia-territoires/def#Deployment> } LIMIT 5"
    result = client.get("/requetes", params={"query": query}, headers=HTML).text
    assert "5 ligne(s)" in result and 'id="sparql-results"' in result
    assert "/sparql?query=" in result and "format=csv" in result
    broken = client.get("/requetes", params={"query": "SELEC nothing"}, headers=HTML).text
    assert 'role="alert"' in broken


# ---- publishing ---------------------------------------------------------------------------------
def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "no CSRF field in the form"
    return match.group(1)


@pytest.fixture(scope="module")
def token(app_and_store: tuple[Any, Any]) -> str:
    from registry.api.rest_write import write_services

    auth, _ = write_services(app_and_store[0].state.api)
    auth.add_organisation(SIREN, "Commune de Grenoble")
    return str(auth.create_token(SIREN, label="web tests")[1])


def test_sign_in_needs_csrf_and_sets_a_strict_session_cookie(
    client: TestClient, token: str
) -> None:
    client.cookies.clear()
    form = client.get("/publier", headers=HTML)
    assert form.status_code == 200 and 'type="password"' in form.text
    cookie = form.headers["set-cookie"]
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=strict" in cookie
    refused = client.post("/publier/connexion", data={"token": token}, follow_redirects=False)
    assert refused.status_code == 303 and "pub.csrf" in refused.headers["location"]
    wrong = client.post(
        "/publier/connexion",
        data={"token": "iat_bad", "csrf": _csrf(form.text)},
        follow_redirects=False,
    )
    assert "pub.bad_token" in wrong.headers["location"]
    old_session = client.cookies.get("iat_session")
    ok = client.post(
        "/publier/connexion",
        data={"token": token, "csrf": _csrf(form.text)},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    assert client.cookies.get("iat_session") != old_session  # a new session id after sign-in
    home = client.get("/publier", headers=HTML).text
    assert "Commune de Grenoble" in home and token not in home


def test_form_shows_violations_keeps_input_then_saves(client: TestClient, token: str) -> None:
    client.cookies.clear()
    form = client.get("/publier", headers=HTML)
    client.post("/publier/connexion", data={"token": token, "csrf": _csrf(form.text)})
    blank = client.get("/publier/fiches/nouvelle", headers=HTML)
    assert blank.status_code == 200
    csrf = _csrf(blank.text)
    # fields come from the shapes: groups as fieldsets, drop-downs from the schemes
    assert "<legend>Usage</legend>" in blank.text
    assert '<option value="en-service">En service</option>' in blank.text
    typed = {
        "csrf": csrf,
        "identifier": "fr-grenoble-essai",
        "title": "Essai <b>typé</b>",
        "description": "",  # required: a Violation
        "system": "systeme-1",
        "status": "en-service",
        "risk_level": "non-evaluee",
        "purpose": "information-usagers",
        "theme": "relation-usagers",
        "individual_decision": "false",
        "human_involvement": "non-documentee",
        "start_date": "2024-05",
    }
    refused = client.post("/publier/fiches/nouvelle", data=typed)
    assert refused.status_code == 422
    field = refused.text.split('id="champ-description"')[1].split('id="champ-')[0]
    assert "has-violation" in refused.text.split('id="champ-description"')[0][-80:]
    assert "Description en français obligatoire." in field
    assert 'value="Essai &lt;b&gt;typé&lt;/b&gt;"' in refused.text  # kept, escaped
    assert client.get("/id/deploiement/fr-grenoble-essai", headers=HTML).status_code == 404
    typed["description"] = "Un essai de publication par le formulaire."
    saved = client.post("/publier/fiches/nouvelle", data=typed, follow_redirects=False)
    assert saved.status_code == 303, saved.text[:2000]
    assert saved.headers["location"] == "/publier/fiches/fr-grenoble-essai?enregistre=1"
    page = client.get("/id/deploiement/fr-grenoble-essai", headers=HTML).text
    assert "Un essai de publication par le formulaire." in page
    assert "Commune de Grenoble" in page
    # an edit without the CSRF token changes nothing
    edit = client.get("/publier/fiches/fr-grenoble-essai", headers=HTML).text
    assert 'name="version" value="1"' in edit
    forged = dict(typed, csrf="forged", title="Titre forgé")
    client.post("/publier/fiches/fr-grenoble-essai", data=forged)
    assert "Titre forgé" not in client.get("/id/deploiement/fr-grenoble-essai", headers=HTML).text


def test_publishing_pages_need_a_session(tmp_path: Path) -> None:
    app, store = sample_app(tmp_path)
    try:
        with TestClient(app, base_url="https://testserver") as fresh:
            for url in ("/publier/import", "/publier/fiches/nouvelle", "/publier/fiches/dep-00001"):
                response = fresh.get(url, follow_redirects=False)
                assert response.status_code == 303
                assert response.headers["location"] == "/publier?message=pub.need_signin"
    finally:
        store.close()


IMPORT_HEADER = (
    "identifiant;titre;description;systeme;statut;classification_ai_act;finalites;domaines;"
    "decision_individuelle;intervention_humaine;date_debut\n"
)


def import_csv(status: str) -> bytes:
    return (
        IMPORT_HEADER
        + f"fr-grenoble-import;Import de test;Une fiche importée.;systeme-1;{status};non-evaluee;"
        "information-usagers;relation-usagers;non;non-documentee;2024-01\n"
    ).encode()


def test_import_reports_rows_before_confirming(client: TestClient, token: str) -> None:
    client.cookies.clear()
    form = client.get("/publier", headers=HTML)
    client.post("/publier/connexion", data={"token": token, "csrf": _csrf(form.text)})
    page = client.get("/publier/import", headers=HTML)
    csrf = _csrf(page.text)
    bad = client.post(
        "/publier/import",
        data={"csrf": csrf},
        files={"file": ("fiches.csv", import_csv("inconnu"), "text/csv")},
    )
    assert bad.status_code == 422
    report = bad.text.split('id="import-report"')[1].split("</table>")[0]
    assert "fr-grenoble-import" in report and "inconnu" in report
    assert 'name="upload"' not in bad.text  # nothing to confirm
    good = client.post(
        "/publier/import",
        data={"csrf": csrf},
        files={"file": ("fiches.csv", import_csv("en-service"), "text/csv")},
    )
    assert good.status_code == 200, good.text[-3000:]
    assert client.get("/id/deploiement/fr-grenoble-import", headers=HTML).status_code == 404
    upload = re.search(r'name="upload" value="([^"]+)"', good.text)
    assert upload, "a valid file offers to confirm"
    done = client.post("/publier/import", data={"csrf": csrf, "upload": upload.group(1)})
    assert done.status_code == 200 and "Import publié" in done.text
    assert "Import de test" in client.get("/id/deploiement/fr-grenoble-import", headers=HTML).text
