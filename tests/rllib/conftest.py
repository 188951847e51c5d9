"""The RLlib tests run where RLlib's extra is installed (``make test-rllib``, in .venv-rllib); elsewhere they
are skipped, saying why."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from pygym.adapters.libraries import require_rllib
    from pygym.errors import LibraryMissing, LibraryVersionError

    try:
        require_rllib()
    except (LibraryMissing, LibraryVersionError) as e:
        skip = pytest.mark.skip(reason=f"RLlib tests run in the RLlib virtualenv (make test-rllib): {e}")
        for item in items:
            if "tests/rllib/" in str(item.path):
                item.add_marker(skip)
