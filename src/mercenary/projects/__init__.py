"""Projects posted by client organizations (DOM-5)."""
