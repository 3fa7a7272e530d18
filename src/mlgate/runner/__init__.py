"""The runner: pytest collects each declared check as an item and runs it."""
