"""The app's own database connections: PostgreSQL without JIT compilation."""

import pytest
from django.db import connection


@pytest.mark.postgresql
@pytest.mark.django_db
def test_the_apps_postgresql_connections_run_without_jit():
    # JIT compilation cost 874 ms of the review page's 980 ms query at 50,000 actions.
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
