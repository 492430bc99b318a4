"""The station database: SQLModel tables, engine set-up and Alembic migrations."""
