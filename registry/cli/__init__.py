"""The ``ia-territoires`` command. Each group of jobs lives in its own module of this package,
which registers its commands on :data:`app`. Help texts: French first, English second."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="ia-territoires",
    help="Registre des systèmes d'IA des collectivités territoriales. / "
    "Registry of AI systems used by French local governments.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register() -> None:
    # Imported here so that `import registry.cli` stays cheap and free of side effects.
    from registry.cli import (
        admin_cmd,  # noqa: F401
        load_cmd,  # noqa: F401
        publish_cmd,  # noqa: F401
        serve_cmd,  # noqa: F401
        store_cmd,  # noqa: F401
        tabular_cmd,  # noqa: F401
        validate_cmd,  # noqa: F401
    )


def main() -> None:
    _register()
    app()
