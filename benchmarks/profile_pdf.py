"""Where a PDF's time goes: WeasyPrint's phases, and the report with each costly feature off in turn.

    python benchmarks/profile_pdf.py PAGE.html PROJECT [--repeat 3]

PAGE.html is a print page (benchmarks/run.py writes tspdocs' as final.html, and Pandoc's beside it).
The phases are read from one cProfile run as the cumulative time of WeasyPrint's own functions:
style (computed styles), layout (boxes and pages), drawing (the page content streams) and writing
(the PDF file: fonts subset and embedded, structure tree, compression). The feature rows then time
render + write (CPU seconds, the least of --repeat runs, as the machine is shared) with one CSS rule
or option added that turns the feature off; the difference from the full page is that feature's cost.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tspdocs.writers.pdf_startup import import_weasyprint

PHASES = {"style": "get_all_computed_styles", "layout": "layout_document", "drawing": "draw_page",
          "writing": "generate_pdf"}
OFF = {  # feature -> (CSS added after the page's own, write_pdf options)
    "contents page numbers and leader": ("nav.contents a { background: none } nav.contents .toc-page { display: none }",
                                         {}),
    "footnotes at the page foot": (".footnote { float: none; display: none }", {}),
    "running headers and page counters": ("@page { @top-left { content: none } @top-right { content: none } "
                                          "@bottom-left { content: none } @bottom-right { content: none } }", {}),
    "hyphenation": ("* { hyphens: manual !important }", {}),
    "SVG charts": ("figure img[src^='data:image/svg'] { display: none }", {}),
    "PDF/UA tagging": ("", {"pdf_variant": None, "pdf_tags": False}),
    "font subsetting (embed whole fonts)": ("", {"full_fonts": True}),
}


def render_and_write(html: str, base: str, options: dict[str, object]) -> tuple[float, float]:
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    variant = options.get("pdf_variant", "pdf/ua-1")
    start = time.process_time()
    document = weasyprint.HTML(string=html, base_url=base).render(font_config=FontConfiguration(),
                                                                  pdf_variant=variant)
    middle = time.process_time()
    document.write_pdf(**{"pdf_variant": variant, **options})
    return middle - start, time.process_time() - middle


def phases(html: str, base: str) -> dict[str, float]:
    profile = cProfile.Profile()
    profile.enable()
    render_and_write(html, base, {})
    profile.disable()
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    found = {}
    for phase, function in PHASES.items():
        found[phase] = max((row[3] for (_file, _line, name), row in stats.items() if name == function), default=0.0)
    found["drawing"] = sum(row[3] for (_f, _l, name), row in stats.items() if name == PHASES["drawing"])
    found["writing"] -= found["drawing"]  # generate_pdf draws the pages, then writes the file
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("page", type=Path)
    parser.add_argument("project", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import_weasyprint()
    html = args.page.read_text(encoding="utf-8")
    base = args.project.resolve().as_uri() + "/"
    print("phase (one cProfile run, cumulative s):", {k: round(v, 2) for k, v in phases(html, base).items()})

    def best(extra_css: str, options: dict[str, object]) -> float:
        page = html.replace("</head>", f"<style>{extra_css}</style></head>", 1) if extra_css else html
        return min(sum(render_and_write(page, base, options)) for _ in range(args.repeat))

    full = best("", {})
    print(f"{'everything on':<40} {full:6.2f} s CPU")
    for feature, (css, options) in OFF.items():
        seconds = best(css, options)
        print(f"{feature + ' off':<40} {seconds:6.2f} s CPU  (feature costs {full - seconds:+.2f} s)")


if __name__ == "__main__":
    main()
