"""Mercenary: a freelance marketplace backend."""
