"""Files in and out: importers, exports, REFI-QDA exchange."""
