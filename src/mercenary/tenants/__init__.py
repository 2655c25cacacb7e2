"""Organizations: the tenants every client-side record belongs to (DOM-1)."""
