"""Load harness for Mercenary; talks to it only over HTTP and the database URL."""
