"""Rendering pages (stub; the pages work fills this in)."""
