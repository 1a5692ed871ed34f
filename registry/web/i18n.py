"""Every string of the public pages, in French (default) and English, and how a request picks its
language: ``?lang=`` first (and it is then remembered in a cookie), then the ``lang`` cookie, then
``Accept-Language``, else French. Templates call ``t("key")``; a missing key fails loudly in
tests (tests/unit/test_web_i18n.py checks that every key used by a template is here)."""

from __future__ import annotations

from collections.abc import Callable

LANGS = ("fr", "en")
DEFAULT_LANG = "fr"
COOKIE = "lang"

MESSAGES: dict[str, tuple[str, str]] = {
    # layout
    "site.name": ("IA territoires", "IA territoires"),
    "site.tagline": (
        "Registre ouvert des systèmes d'IA des collectivités territoriales",
        "Open register of the AI systems used by French local governments",
    ),
    "skip": ("Aller au contenu", "Skip to content"),
    "nav.label": ("Navigation principale", "Main navigation"),
    "nav.home": ("Observatoire", "Observatory"),
    "nav.register": ("Registre", "Register"),
    "nav.sparql": ("Requêtes SPARQL", "SPARQL queries"),
    "nav.publish": ("Publier", "Publish"),
    "nav.api": ("API", "API"),
    "nav.catalog": ("Catalogue DCAT", "DCAT catalogue"),
    "lang.switch": ("English", "Français"),
    "lang.switch.label": ("Read this page in English", "Lire cette page en français"),
    "footer.data": (
        "Données ouvertes : API REST, SPARQL, catalogue DCAT-AP, formats RDF sur chaque IRI.",
        "Open data: REST API, SPARQL, DCAT-AP catalogue, RDF formats on every IRI.",
    ),
    "footer.map": (
        "Fond de carte : @svg-maps/france (Victor Cazanave, CC BY 4.0).",
        "Base map: @svg-maps/france (Victor Cazanave, CC BY 4.0).",
    ),
    "yes": ("oui", "yes"),
    "no": ("non", "no"),
    "unknown": ("non renseigné", "not stated"),
    "none": ("aucun", "none"),
    # home / observatory
    "home.title": (
        "Observatoire de l'IA dans les collectivités",
        "Observatory of AI in local government",
    ),
    "home.intro": (
        "Ce que les collectivités publient dans le registre : chiffres clés, répartitions et "
        "carte. Chaque graphique a son tableau de données et son export CSV.",
        "What local governments publish in the register: key figures, breakdowns and map. "
        "Every chart comes with its data table and a CSV export.",
    ),
    "kf.title": ("Chiffres clés", "Key figures"),
    "kf.deployments": ("déploiements publiés", "published deployments"),
    "kf.systems": ("systèmes d'IA", "AI systems"),
    "kf.organisations": ("collectivités et organismes publiant", "publishing organisations"),
    "kf.individual": ("fondent des décisions individuelles", "ground individual decisions"),
    "kf.highrisk": ("à haut risque (AI Act)", "high-risk (AI Act)"),
    "home.breakdowns": ("Répartitions", "Breakdowns"),
    "entry.confidence": ("Confiance dans les sources", "Confidence in the sources"),
    "chart.table": ("Tableau de données", "Data table"),
    "chart.csv": ("Télécharger en CSV", "Download as CSV"),
    "chart.value": ("Valeur", "Value"),
    "chart.count": ("Déploiements", "Deployments"),
    "chart.share": ("Part", "Share"),
    "chart.empty": ("Aucune donnée pour l'instant.", "No data yet."),
    "chart.theme": ("Par domaine d'action publique", "By policy domain"),
    "chart.purpose": ("Par finalité", "By purpose"),
    "chart.family": ("Par famille de techniques d'IA", "By AI technique family"),
    "chart.riskLevel": ("Par classification AI Act", "By AI Act classification"),
    "chart.status": ("Par statut", "By status"),
    "chart.organisationType": ("Par type d'organisation", "By type of organisation"),
    "chart.startYear": ("Par année de mise en service", "By start year"),
    "chart.departement": ("Par département", "By département"),
    "chart.region": ("Par région", "By region"),
    "chart.note.multi": (
        "Un déploiement peut compter dans plusieurs catégories.",
        "A deployment may count in several categories.",
    ),
    "map.title": ("Carte des déploiements par département", "Map of deployments by département"),
    "map.desc": (
        "Chaque département est coloré selon le nombre de déploiements publiés ; un clic mène à "
        "leur liste. Le tableau qui suit donne les mêmes chiffres.",
        "Each département is shaded by the number of published deployments; a click opens "
        "their list. The table below gives the same figures.",
    ),
    "map.legend": ("Légende", "Legend"),
    "map.outside": (
        "Hors de la carte (outre-mer, non localisé)",
        "Not on the map (overseas, unlocated)",
    ),
    "map.regions": ("Par région", "By region"),
    "reuse.title": ("Systèmes d'IA les plus réutilisés", "Most reused AI systems"),
    "reuse.system": ("Système d'IA", "AI system"),
    "reuse.orgs": ("Organisations", "Organisations"),
    "reuse.deployments": ("Déploiements", "Deployments"),
    # listing
    "list.title": ("Registre des déploiements", "Register of deployments"),
    "list.search": ("Rechercher", "Search"),
    "list.search.label": ("Mots recherchés", "Search terms"),
    "list.search.hint": (
        "Titre, description ou système ; accents et majuscules indifférents.",
        "Title, description or system; accents and capitals ignored.",
    ),
    "list.filters": ("Filtres", "Filters"),
    "list.apply": ("Appliquer", "Apply"),
    "list.reset": ("Tout effacer", "Clear all"),
    "list.results": ("résultat(s)", "result(s)"),
    "list.none": ("Aucun déploiement ne correspond.", "No deployment matches."),
    "list.sort": ("Trier par", "Sort by"),
    "list.sort.title": ("titre", "title"),
    "list.sort.-modified": ("mise à jour la plus récente", "most recently updated"),
    "list.sort.-start": ("mise en service la plus récente", "most recent start"),
    "list.sort.start": ("mise en service la plus ancienne", "oldest start"),
    "list.sort.identifier": ("identifiant", "identifier"),
    "list.page": ("Page", "Page"),
    "list.prev": ("Page précédente", "Previous page"),
    "list.next": ("Page suivante", "Next page"),
    "list.pagination": ("Pagination", "Pagination"),
    "list.download": ("Cette liste en", "This list as"),
    "list.active": ("Filtres actifs", "Active filters"),
    "list.remove": ("Retirer le filtre", "Remove filter"),
    "list.col.title": ("Déploiement", "Deployment"),
    "list.col.org": ("Organisation", "Organisation"),
    "list.col.system": ("Système d'IA", "AI system"),
    "list.col.status": ("Statut", "Status"),
    "list.col.start": ("Début", "Start"),
    "facet.theme": ("Domaine", "Policy domain"),
    "facet.purpose": ("Finalité", "Purpose"),
    "facet.family": ("Famille d'IA", "AI family"),
    "facet.ai_act": ("Classification AI Act", "AI Act classification"),
    "facet.status": ("Statut", "Status"),
    "facet.organisation_type": ("Type d'organisation", "Organisation type"),
    "facet.departement": ("Département", "Département"),
    "facet.region": ("Région", "Region"),
    "facet.provider": ("Fournisseur", "Provider"),
    "facet.individual_decision": ("Décisions individuelles", "Individual decisions"),
    "facet.organisation": ("Organisation", "Organisation"),
    "facet.system": ("Système d'IA", "AI system"),
    "facet.more": ("valeurs", "values"),
    # entry pages
    "entry.cite": ("IRI à citer", "IRI to cite"),
    "entry.downloads": ("Télécharger cette fiche", "Download this entry"),
    "entry.withdrawn": (
        "Ce déploiement est arrêté : la fiche reste publiée pour mémoire.",
        "This deployment has been retired: the entry stays published for the record.",
    ),
    "entry.suspended": ("Ce déploiement est suspendu.", "This deployment is suspended."),
    "entry.completeness": ("Complétude", "Completeness"),
    "entry.completeness.help": (
        "Part des champs recommandés renseignés.",
        "Share of the recommended fields filled in.",
    ),
    "entry.missing": ("Champs recommandés manquants", "Missing recommended fields"),
    "entry.complete": (
        "Tous les champs recommandés sont renseignés.",
        "All recommended fields are filled in.",
    ),
    "entry.sources": ("Sources", "Sources"),
    "entry.source.date": ("publiée le", "published"),
    "entry.system": ("Le système d'IA", "The AI system"),
    "entry.others": ("Autres organisations qui l'utilisent", "Other organisations using it"),
    "entry.others.none": ("Aucune autre organisation publiée.", "No other organisation published."),
    "entry.deployer": ("L'organisation", "The organisation"),
    "entry.territory": ("Territoire", "Territory"),
    "entry.history": ("Historique des versions", "Version history"),
    "entry.history.version": ("Version", "Version"),
    "entry.history.date": ("Date", "Date"),
    "entry.history.summary": ("Changements", "Changes"),
    "entry.history.by": ("Auteur", "Author"),
    "entry.history.diff": ("voir les différences", "see the changes"),
    "entry.history.none": ("Aucune version enregistrée.", "No recorded version."),
    "entry.other": ("Autres informations", "Other information"),
    "entry.edit": ("Modifier cette fiche", "Edit this entry"),
    "entry.field": ("Champ", "Field"),
    "entry.values": ("Valeur", "Value"),
    "entry.deployments": ("Déploiements", "Deployments"),
    "entry.deployments.none": ("Aucun déploiement publié.", "No published deployment."),
    "entry.catalog": (
        "Catalogue DCAT de cette organisation",
        "DCAT catalogue of this organisation",
    ),
    "entry.concepts": ("Concepts du schéma", "Concepts of the scheme"),
    "entry.scheme": ("Schéma de concepts", "Concept scheme"),
    "entry.notation": ("Notation", "Notation"),
    "entry.definition": ("Définition", "Definition"),
    "entry.broader": ("Concept plus large", "Broader concept"),
    "entry.narrower": ("Concepts plus précis", "Narrower concepts"),
    "entry.in_register": ("Déploiements ayant cette valeur", "Deployments with this value"),
    "entry.provider": ("Fournisseur", "Provider"),
    "entry.families": ("Famille d'IA", "AI family"),
    "entry.description": ("Description", "Description"),
    "entry.name": ("Nom", "Name"),
    "entry.siren": ("SIREN", "SIREN"),
    "entry.category": ("Catégorie juridique", "Legal category"),
    "diff.title": ("Différences entre versions", "Changes between versions"),
    "diff.from": ("De la version", "From version"),
    "diff.to": ("à la version", "to version"),
    "diff.show": ("Comparer", "Compare"),
    "diff.removed": ("Retiré", "Removed"),
    "diff.added": ("Ajouté", "Added"),
    "diff.none": ("Aucune différence.", "No difference."),
    "diff.back": ("Retour à la fiche", "Back to the entry"),
    # SPARQL page
    "sparql.title": ("Requêtes SPARQL", "SPARQL queries"),
    "sparql.intro": (
        "Interrogez le registre en SPARQL 1.1 (lecture seule). Choisissez un exemple ou "
        "écrivez votre requête ; les résultats s'affichent en tableau, téléchargeables en CSV, "
        "JSON ou TSV. Point d'accès pour vos outils :",
        "Query the register in SPARQL 1.1 (read only). Pick an example or write your own "
        "query; results are shown as a table, downloadable as CSV, JSON or TSV. Endpoint for "
        "your tools:",
    ),
    "sparql.examples": ("Exemples", "Examples"),
    "sparql.use": ("Utiliser cet exemple", "Use this example"),
    "sparql.query": ("Requête", "Query"),
    "sparql.run": ("Exécuter", "Run"),
    "sparql.results": ("Résultats", "Results"),
    "sparql.rows": ("ligne(s)", "row(s)"),
    "sparql.download": ("Télécharger", "Download"),
    "sparql.error": ("La requête a échoué", "The query failed"),
    "sparql.boolean": ("Réponse", "Answer"),
    "sparql.graph": (
        "Cette requête renvoie un graphe : téléchargez-le.",
        "This query returns a graph: download it.",
    ),
    "sparql.truncated": (
        "Seules les premières lignes sont affichées.",
        "Only the first rows are shown.",
    ),
    # publishing
    "pub.title": ("Espace de publication", "Publishing space"),
    "pub.intro": (
        "Réservé aux référents données des organisations : connectez-vous avec le jeton de "
        "votre organisation pour importer un tableur ou modifier vos fiches.",
        "For the data officers of organisations: sign in with your organisation's token to "
        "import a spreadsheet or edit your entries.",
    ),
    "pub.token": ("Jeton de l'organisation", "Organisation token"),
    "pub.token.hint": (
        "Remis par l'administrateur du registre ; il n'est jamais affiché ni stocké dans le "
        "navigateur.",
        "Issued by the registry administrator; never shown nor stored in the browser.",
    ),
    "pub.signin": ("Se connecter", "Sign in"),
    "pub.signout": ("Se déconnecter", "Sign out"),
    "pub.signed_as": ("Connecté pour", "Signed in for"),
    "pub.bad_token": (
        "Jeton refusé : vérifiez-le ou demandez-en un nouveau.",
        "Token refused: check it or ask for a new one.",
    ),
    "pub.csrf": (
        "Formulaire expiré ou envoyé d'ailleurs : rechargez la page et recommencez.",
        "Form expired or sent from elsewhere: reload the page and try again.",
    ),
    "pub.need_signin": ("Connectez-vous d'abord.", "Sign in first."),
    "pub.entries": ("Vos fiches", "Your entries"),
    "pub.new": ("Nouvelle fiche", "New entry"),
    "pub.import": ("Importer un tableur (CSV ou XLSX)", "Import a spreadsheet (CSV or XLSX)"),
    "pub.import.file": ("Fichier CSV ou XLSX", "CSV or XLSX file"),
    "pub.import.check": ("Vérifier le fichier", "Check the file"),
    "pub.import.confirm": ("Publier les lignes valides", "Publish the valid rows"),
    "pub.import.report": ("Rapport ligne par ligne", "Row-by-row report"),
    "pub.import.row": ("Ligne", "Row"),
    "pub.import.key": ("Fiche", "Entry"),
    "pub.import.outcome": ("Résultat", "Outcome"),
    "pub.import.messages": ("Messages", "Messages"),
    "pub.import.ok": ("valide", "valid"),
    "pub.import.outcome.created": ("nouvelle fiche", "new entry"),
    "pub.import.outcome.updated": ("mise à jour", "update"),
    "pub.import.outcome.unchanged": ("inchangée", "unchanged"),
    "pub.import.outcome.skipped": ("ignorée", "skipped"),
    "pub.import.outcome.rejected": ("refusée", "refused"),
    "pub.import.refused": ("refusée", "refused"),
    "pub.import.blocked": (
        "Corrigez les lignes refusées puis envoyez à nouveau le fichier : rien n'a été publié.",
        "Fix the refused rows and send the file again: nothing was published.",
    ),
    "pub.import.ready": (
        "Le fichier est valide. Rien n'est encore publié : confirmez pour publier.",
        "The file is valid. Nothing is published yet: confirm to publish.",
    ),
    "pub.import.done": ("Import publié", "Import published"),
    "pub.import.unavailable": (
        "L'import de tableurs n'est pas disponible sur ce serveur.",
        "Spreadsheet import is not available on this server.",
    ),
    "pub.import.template": ("Modèle de tableur", "Spreadsheet template"),
    "pub.form.create": ("Créer une fiche", "Create an entry"),
    "pub.form.edit": ("Modifier la fiche", "Edit the entry"),
    "pub.form.save": ("Enregistrer", "Save"),
    "pub.form.refused": (
        "La fiche n'a pas été enregistrée : corrigez les erreurs signalées.",
        "The entry was not saved: fix the errors shown.",
    ),
    "pub.form.saved": ("Fiche enregistrée (version {n}).", "Entry saved (version {n})."),
    "pub.form.warnings": ("Avertissements", "Warnings"),
    "pub.form.info": ("Suggestion", "Suggestion"),
    "pub.form.violations": ("Erreurs bloquantes", "Blocking errors"),
    "pub.form.required": ("obligatoire", "required"),
    "pub.form.recommended": ("recommandé", "recommended"),
    "pub.form.choose": ("— choisir —", "— choose —"),
    "pub.form.multi": (
        "Plusieurs choix possibles (Ctrl ou Cmd + clic).",
        "Several choices allowed (Ctrl or Cmd + click).",
    ),
    "pub.form.iri_hint": (
        "Identifiant dans le registre (ex. {example}).",
        "Identifier in the registry (e.g. {example}).",
    ),
    "pub.form.date_hint": ("AAAA, AAAA-MM ou AAAA-MM-JJ", "YYYY, YYYY-MM or YYYY-MM-DD"),
    "pub.form.other_fields": (
        "Les autres informations de la fiche (sources, contact, données…) sont conservées "
        "telles quelles ; modifiez-les par l'API ou l'import.",
        "The entry's other information (sources, contact, data…) is kept as it is; change it "
        "through the API or the import.",
    ),
    "pub.form.stale": (
        "La fiche a été modifiée entre-temps : rechargez-la avant d'enregistrer.",
        "The entry changed meanwhile: reload it before saving.",
    ),
    "pub.form.start": ("Date de mise en service", "Start date"),
    "pub.form.start.help": (
        "Obligatoire quand le statut est « en service ».",
        "Required when the status is “in operation”.",
    ),
    "pub.form.forbidden": (
        "Cette fiche appartient à une autre organisation.",
        "This entry belongs to another organisation.",
    ),
    "error.title": ("Erreur", "Error"),
    "error.404": ("Page introuvable.", "Page not found."),
    "error.back": ("Retour à l'accueil", "Back to the home page"),
}

Translator = Callable[..., str]


def translator(lang: str) -> Translator:
    index = 1 if lang == "en" else 0

    def t(key: str, **values: object) -> str:
        text = MESSAGES[key][index]
        return text.format(**values) if values else text

    return t


def pick_language(query: str | None, cookie: str | None, accept_language: str | None) -> str:
    """``?lang=`` > cookie > ``Accept-Language`` (first supported, by q-value) > French."""
    for explicit in (query, cookie):
        if explicit in LANGS:
            return explicit
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGS and quality > 0:
            ranked.append((-quality, position, primary))
    return sorted(ranked)[0][2] if ranked else DEFAULT_LANG


def text_in(texts: dict[str, str], lang: str) -> str:
    """A {lang: text} mapping in the page's language, else French, else anything."""
    return texts.get(lang) or texts.get("fr") or next(iter(texts.values()), "")
