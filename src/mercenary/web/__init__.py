"""The thin HTTP layer shared by every domain."""
