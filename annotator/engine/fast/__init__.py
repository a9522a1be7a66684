"""The engine's fast paths: bulk segment writing, term tables, the NumPy scorer."""
