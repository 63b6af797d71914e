"""Persistence: SQLModel tables, engine factory, migrations and the Repository."""

from storage.db import make_engine, migrate
from storage.repository import Repository

__all__ = ["Repository", "make_engine", "migrate"]
