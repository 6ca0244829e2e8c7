"""linli 邻里 — community grid governance and neighbour mutual aid."""

__version__ = "0.1.0"
