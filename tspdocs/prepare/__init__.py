"""Prepare the assembled tree: data, values, citations, pictures and numbers resolved once for every writer."""
