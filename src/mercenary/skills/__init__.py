"""The skills taxonomy (DOM-3): slugs and aliases; admins manage it, everyone reads it."""
