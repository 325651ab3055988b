"""Read the project: the file gate, YAML, validation, the content model, documents and selections."""
