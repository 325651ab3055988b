"""What a build keeps under build/: atomic outputs, incremental state, the cache and provenance."""
