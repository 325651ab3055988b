"""tspdocs: one evidence base, every document a policy research project publishes.

Markdown findings and tabular data go in; reports, journal manuscripts and
audience briefings come out as PDF, DOCX and HTML from one document tree.
"""

__version__ = "0.1.0"
