"""Widgets shared by several pages (maps, tiles, badges), each with its own callbacks."""
