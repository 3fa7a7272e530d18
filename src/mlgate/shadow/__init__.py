"""The shadow family (registered by its own issue; nothing declared yet)."""
