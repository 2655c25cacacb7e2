"""Proposals: freelancers bid on open projects; the client accepts or rejects (DOM-6)."""
