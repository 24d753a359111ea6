import pytest

from bot.catalog.seed import seed_if_empty
from bot.database import open_database
from tests.integration.servers import start_servers


@pytest.fixture(scope="session")
def servers(tmp_path_factory):
    """The real servers, sharing one seeded SQLite database, for the whole session."""
    workdir = tmp_path_factory.mktemp("servers")
    database_url = f"sqlite:///{workdir / 'intake.db'}"
    seed_if_empty(open_database(database_url).sessions)
    running = start_servers(workdir, database_url)
    yield running
    running.stop()
