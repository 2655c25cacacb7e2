"""Freelancer CVs (DOM-4): uploaded versions, parsing into text and skills, shares with organizations."""
