"""See ``models`` for what this package keeps."""
