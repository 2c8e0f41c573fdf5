"""JSON Schemas shipped inside the wheel as `checker.schemas` (see pyproject.toml)."""
