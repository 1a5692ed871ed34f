"""The Solr stand-in of the CKAN test portal gives dates back so that CKAN's package_show keeps
trusting the indexed copy (the only one holding the harvest extras): CKAN compares the first 22
characters of ``metadata_modified`` with the database's."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.tools.fakesolr import _solr_dates


@pytest.mark.parametrize(
    "stamp",
    [
        datetime(2026, 11, 25, 20, 36, 24, 800624),  # the .8Z that made the harvest test flaky
        datetime(2026, 11, 25, 20, 36, 24, 100),
        datetime(2026, 11, 25, 20, 36, 24, 50000),
        datetime(2026, 11, 25, 20, 36, 24, 218087),
    ],
)
def test_metadata_modified_matches_the_database_on_22_characters(stamp: datetime) -> None:
    database = stamp.isoformat()
    indexed = _solr_dates({"metadata_modified": database + "Z"})["metadata_modified"]
    assert indexed[:22] == database[:22], (indexed, database)
    assert indexed.endswith("Z") and len(indexed.split(".")[1]) == 4  # milliseconds + Z
