"""Track2: a self-hostable platform for Track 2 diplomacy."""

__version__ = "0.1.0"
