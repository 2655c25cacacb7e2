"""Project documents (DOM-5): files attached to a project, stored in the blob store."""
