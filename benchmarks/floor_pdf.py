"""The floor: bare WeasyPrint turning an HTML file into a tagged PDF, as tspdocs asks it to.

Run in a fresh process by benchmarks/run.py: python floor_pdf.py PAGE.html OUT.pdf PROJECT
"""

import sys

from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

page, out, project = sys.argv[1:4]
HTML(filename=page, base_url=project).write_pdf(out, pdf_variant="pdf/ua-1", font_config=FontConfiguration())
