"""Reports of a run: JSON (the stable schema), Markdown (the SLO table) and a self-contained HTML page."""
