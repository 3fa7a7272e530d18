"""The credit example's scoring service (run: `uvicorn service.app:app` from examples/credit)."""
