"""The product catalog the hands-on exercise tests: SKUs in a real PostgreSQL table.

The rule: two products never share a SKU, whatever its capitals or surrounding spaces
("ABC-123" and " abc-123" are one SKU). `VARIANTS` holds the correct table and the
buggy ones the checker uses to find out whether a learner's test can fail.
"""

import uuid
from dataclasses import dataclass

import psycopg2

from lab.settings import PostgresSettings
from lab.votes.outcomes import VoteResult, accepted, from_sqlstate, unavailable


@dataclass(frozen=True)
class Variant:
    """A version of the products table: its DDL and, for a buggy one, what it gets wrong."""

    name: str
    ddl: str
    flaw: str = ""
    catch_it: str = ""


CORRECT = Variant(
    "correct",
    "CREATE TABLE products (sku text NOT NULL, name text NOT NULL);"
    "CREATE UNIQUE INDEX products_sku_whatever_its_capitals ON products (lower(btrim(sku)));",
)
NO_UNIQUE = Variant(
    "no_unique",
    "CREATE TABLE products (sku text NOT NULL, name text NOT NULL);",
    "a table with no UNIQUE constraint (the same SKU gets in twice)",
    "add a SKU twice and assert the second add is refused",
)
CASE_SENSITIVE = Variant(
    "case_sensitive",
    "CREATE TABLE products (sku text NOT NULL UNIQUE, name text NOT NULL);",
    "a table that compares SKUs exactly ('abc-123' gets in beside 'ABC-123')",
    "add the same SKU in other capitals or with spaces around it",
)
LOWER_ONLY = Variant(  # half the rule: a test of capitals alone passes on it
    "lower_only",
    "CREATE TABLE products (sku text NOT NULL, name text NOT NULL);"
    "CREATE UNIQUE INDEX products_sku_lowered ON products (lower(sku));",
    "a table that ignores capitals but not spaces (' ABC-123 ' gets in)",
    "add the same SKU with spaces around it",
)
TRIM_ONLY = Variant(  # the other half: a test of spaces alone passes on it
    "trim_only",
    "CREATE TABLE products (sku text NOT NULL, name text NOT NULL);"
    "CREATE UNIQUE INDEX products_sku_trimmed ON products (btrim(sku));",
    "a table that ignores spaces but not capitals ('abc-123' gets in)",
    "add the same SKU in other capitals",
)

VARIANTS = {variant.name: variant for variant in (CORRECT, NO_UNIQUE, CASE_SENSITIVE, LOWER_ONLY, TRIM_ONLY)}
MUTANTS = [NO_UNIQUE, CASE_SENSITIVE, LOWER_ONLY, TRIM_ONLY]


class Catalog:
    """Products in their own throwaway schema on a real PostgreSQL, one table variant."""

    def __init__(self, settings: PostgresSettings, variant: Variant = CORRECT) -> None:
        self.variant = variant
        self.schema = f"exercise_{uuid.uuid4().hex[:12]}"
        self.connection = psycopg2.connect(**settings.connect_kwargs(), options=f"-c search_path={self.schema}")
        with self.connection.cursor() as cursor:
            cursor.execute(f"CREATE SCHEMA {self.schema}")
            cursor.execute(variant.ddl)
        self.connection.commit()

    def add(self, sku: str, name: str = "A product") -> VoteResult:
        """Add a product; a refused one comes back as DUPLICATE/INVALID with its SQLSTATE."""
        try:
            with self.connection.cursor() as cursor:
                cursor.execute("INSERT INTO products (sku, name) VALUES (%s, %s)", (sku, name))
            self.connection.commit()
            return accepted("Product added.")
        except psycopg2.OperationalError as error:
            self.connection.rollback()
            return unavailable(error.pgcode)
        except psycopg2.Error as error:
            self.connection.rollback()
            return from_sqlstate(error.pgcode, getattr(error.diag, "constraint_name", None))

    def count(self) -> int:
        """How many products are stored."""
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM products")
            (number,) = cursor.fetchone()
        self.connection.rollback()
        return number

    def skus(self) -> list[str]:
        """Every stored SKU, in the order they were added."""
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT sku FROM products ORDER BY ctid")
            rows = [sku for (sku,) in cursor.fetchall()]
        self.connection.rollback()
        return rows

    def drop(self) -> None:
        """Remove the schema and close the connection."""
        try:
            self.connection.rollback()
            with self.connection.cursor() as cursor:
                cursor.execute(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")
            self.connection.commit()
        finally:
            self.connection.close()
