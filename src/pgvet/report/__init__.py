"""Renderers: one module per output format, each a set of pure functions of results."""
