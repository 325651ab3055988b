"""The floor: bare WeasyPrint turning an HTML file into a tagged PDF, as tspdocs asks it to.

Run in a fresh process by benchmarks/run.py: python floor_pdf.py PAGE.html OUT.pdf PROJECT [--quick-import]

With --quick-import, WeasyPrint is imported the way tspdocs imports it (through
the linker cache, see tspdocs/writers/pdf_startup.py), which shows how much of
tspdocs's lead over bare WeasyPrint comes from that alone.
"""

import sys

if "--quick-import" in sys.argv:
    from tspdocs.writers.pdf_startup import import_weasyprint

    import_weasyprint()

from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

page, out, project = sys.argv[1:4]
HTML(filename=page, base_url=project).write_pdf(out, pdf_variant="pdf/ua-1", font_config=FontConfiguration())
