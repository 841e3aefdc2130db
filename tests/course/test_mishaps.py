"""Lesson 6's mishaps: a test that fails midway leaves something different behind under each strategy."""

import io

import pytest
from rich.console import Console

from lab.course import mishaps
from lab.course.mishaps import Aftermath


@pytest.mark.realdb
def test_a_failed_test_leaves_what_each_strategy_lets_it_leave(postgres_settings):
    results = mishaps.measure(postgres_settings)

    in_fixture = {name: after for name, (after, _) in results.items()}
    skipped = {name: after for name, (_, after) in results.items()}
    half = len(mishaps.HALF)
    assert set(in_fixture.values()) == {Aftermath(0, 0, 0)}  # pytest runs a fixture's teardown on failure
    assert skipped == {
        "ROLLBACK": Aftermath(rows_left=0, schemas_left=0, next_test_finds=half),  # uncommitted, same transaction
        "TRUNCATE": Aftermath(rows_left=half, schemas_left=0, next_test_finds=half),
        "schema per test": Aftermath(rows_left=half, schemas_left=1, next_test_finds=0),
    }


@pytest.mark.realdb
def test_measuring_leaves_nothing_on_the_server(postgres_settings):
    import psycopg2

    mishaps.measure(postgres_settings)

    with psycopg2.connect(**postgres_settings.connect_kwargs()) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM information_schema.schemata WHERE schema_name LIKE 'mishap\\_%'")
        (schemas,) = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM information_schema.tables WHERE table_name LIKE 'mishap\\_%'")
        (tables,) = cursor.fetchone()
    connection.close()
    assert (schemas, tables) == (0, 0)


def test_the_table_fits_80_columns_and_says_both_numbers():
    results = {"ROLLBACK": (Aftermath(0, 0, 0), Aftermath(0, 0, 10)),
               "schema per test": (Aftermath(0, 0, 0), Aftermath(10, 1, 0))}
    console = Console(file=io.StringIO(), width=80, color_system=None)

    console.print(mishaps.mishaps_table(results))

    text = console.file.getvalue()
    assert max(len(line) for line in text.splitlines()) <= 80
    rows = {line.split("│")[1].strip(): [cell.strip() for cell in line.split("│")[2:6]]
            for line in text.splitlines() if line.startswith("│") and line.split("│")[1].strip()}
    assert rows["ROLLBACK"] == ["0", "0", "0", "10"]
    assert rows["schema per test"] == ["0", "0", "10 in 1 schema", "0"]
