"""Sign-up, log-in, token refresh with rotation and reuse detection, log-out (DOM-2)."""
