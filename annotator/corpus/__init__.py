"""The corpus: the YAML workspace on disk, its records and their safe reading and writing."""
