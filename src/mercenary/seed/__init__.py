"""Generated datasets: ``demo`` for the run command, ``full`` for measurements (DOM-10).

Every generated user's password is :data:`SEED_PASSWORD` (the load harness logs in with it); the
same ``--seed`` gives the same data.
"""

from mercenary.seed.runner import SEED_PASSWORD, run_seed

__all__ = ["SEED_PASSWORD", "run_seed"]
