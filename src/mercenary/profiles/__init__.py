"""Freelancer profiles (DOM-4): headline, bio, hourly rate, skills, availability."""
