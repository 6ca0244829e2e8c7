"""See ``models`` for what this part keeps."""
