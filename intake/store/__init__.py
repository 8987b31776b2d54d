"""Storage: SQLAlchemy models, repository functions and the content-addressed file store."""
