"""Storage of tickets, staff accounts, audit log and throttling: all behind SQLAlchemy and one
database URL (embedded SQLite by default, PostgreSQL by setting STEUNPUNT_DATABASE_URL), so
several processes can share it and nothing lives only in one process's memory."""
