"""Reviews after a project and per-user rating aggregates (DOM-7)."""
