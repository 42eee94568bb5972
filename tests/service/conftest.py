"""One real uvicorn service (two workers) over the demo index for the whole module set."""

from __future__ import annotations

import pytest

from fashion_core.service.process import Server


@pytest.fixture(scope="session")
def service(demo_index, tmp_path_factory):
    """A running ``fashion-core serve --index <demo index> --workers 2``; yields the :class:`Server`."""
    server = Server(demo_index, tmp_path_factory.mktemp("service") / "server.log", workers=2)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()
