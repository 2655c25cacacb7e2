"""The reference rig: the service on one core under a 1 GB cap, data tier and load on the other."""
