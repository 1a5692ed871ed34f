"""The Jinja2 environment of the public pages: templates in ``registry/web/templates``,
autoescaping always on (every text from the data is escaped), and the per-request context every
template gets (language, translator, language-switch link)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape

from registry.web.i18n import LANGS, Translator, translator

WEB_DIR = Path(__file__).resolve().parent
TEMPLATES = WEB_DIR / "templates"
STATIC = WEB_DIR / "static"


def number(value: float | int, lang: str = "fr") -> str:
    """1234 -> "1 234" (fr, narrow no-break space) or "1,234" (en)."""
    text = f"{int(value):,}"
    return text.replace(",", "\u202f") if lang == "fr" else text


def percent(value: float, lang: str = "fr") -> str:
    text = f"{value * 100:.0f}"
    return f"{text}\u00a0%" if lang == "fr" else f"{text}%"


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


@dataclass
class PageContext:
    """What the layout needs about the request."""

    lang: str
    path: str
    query: list[tuple[str, str]] = field(default_factory=list)
    signed_in: str | None = None  # organisation name when a publisher is signed in

    @property
    def t(self) -> Translator:
        return translator(self.lang)

    @property
    def other_lang(self) -> str:
        return next(code for code in LANGS if code != self.lang)

    def switch_url(self) -> str:
        """This page in the other language (the choice is then kept in a cookie)."""
        query = [(k, v) for k, v in self.query if k != "lang"] + [("lang", self.other_lang)]
        return f"{self.path}?{urlencode(query)}"

    def num(self, value: float | int) -> str:
        return number(value, self.lang)

    def pct(self, value: float) -> str:
        return percent(value, self.lang)


def render(name: str, page: PageContext, **context: Any) -> str:
    return environment().get_template(name).render(page=page, t=page.t, **context)
