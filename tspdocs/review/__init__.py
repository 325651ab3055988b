"""The Word review loop: anchors a DOCX carries back to the source, and reading a reviewed file."""
