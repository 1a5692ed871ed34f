"""Property-based run of schemathesis against /openapi.json (in-process): no operation answers
a 5xx, whatever the generated parameters and bodies."""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from tests.harness.registry_server import SampleSizes, sample_app

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

_app, _store = sample_app(Path(__import__("tempfile").mkdtemp()), SampleSizes(10, 4, 3))
schema = schemathesis.openapi.from_asgi("/openapi.json", _app)


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_error(case: schemathesis.Case) -> None:
    response = case.call()
    case.validate_response(response, checks=(not_a_server_error,))
