"""The reference rig: by default a 1 OCPU / 1 GB VM (service and data tier on one core, capped) driven
by a load generator alone on the other core (``layout``)."""
