"""The site: URL layout, page kinds, rendering with one catalogue of words."""
