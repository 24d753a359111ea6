"""Real PostgreSQL, Redis and nginx for the production-profile tests, and the topology on them.

Without the server programs these tests skip, except under `.ci/run`, which
installs them and sets INTAKE_REQUIRE_PROD_TESTS=1 so that a missing one fails.
"""
import os
from typing import Callable, TypeVar

import pytest

from bot import proxy
from tests.prod.cluster import start_cluster
from tests.prod.stores import MissingServer, PostgresServer, RedisServer

Server = TypeVar("Server")


def _or_skip(start: Callable[[], Server]) -> Server:
    try:
        return start()
    except (MissingServer, proxy.ProxyError) as missing:
        if os.environ.get("INTAKE_REQUIRE_PROD_TESTS") == "1":
            pytest.fail(str(missing))
        pytest.skip(str(missing))


@pytest.fixture(scope="package")
def postgres():
    server = _or_skip(PostgresServer)
    yield server
    server.destroy()


@pytest.fixture(scope="package")
def redis_server():
    server = _or_skip(RedisServer)
    yield server
    server.stop()


@pytest.fixture(scope="package")
def cluster(tmp_path_factory, postgres, redis_server):
    """The action server and two Rasa servers behind nginx, shared by this package's tests and stopped after them."""
    _or_skip(proxy.nginx_binary)
    running = start_cluster(tmp_path_factory.mktemp("cluster"), postgres.url, redis_server.url)
    yield running
    running.shutdown()
