"""The model family (registered by its own issue; nothing declared yet)."""
