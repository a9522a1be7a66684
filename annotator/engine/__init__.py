"""The search engine: the only package that imports Whoosh."""
