"""Assemble one document: choose its findings, render its template, splice in each file's tree."""
