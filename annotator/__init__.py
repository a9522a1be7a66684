"""annotator: find textual evidence and tag it with themes."""

__version__ = "0.1.0"
