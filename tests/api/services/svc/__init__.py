"""A small real FastAPI service for the api family's tests (run from tests/api/services)."""
