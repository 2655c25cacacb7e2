"""Users and their roles (DOM-2)."""
