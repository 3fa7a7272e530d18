"""The api family (registered by its own issue; nothing declared yet)."""
