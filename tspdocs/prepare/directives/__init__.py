"""Fenced ```{name} blocks, one module per directive, expanded into tree nodes."""
