"""Full-text search over open projects and freelancer profiles, on both dialects (DOM-8)."""
