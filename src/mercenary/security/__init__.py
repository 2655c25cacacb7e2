"""Who is calling and what they may do: the principal, role checks, access tokens and password
hashing. Shared by ``web/`` (which reads the bearer token) and every domain (which checks roles)."""
