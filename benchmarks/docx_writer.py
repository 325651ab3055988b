"""tspdocs's DOCX writer alone, on a tree prepared beforehand: python docx_writer.py TREE.pickle OUT.docx PROJECT"""

import pickle
import sys
from pathlib import Path

from tspdocs.project.projectfs import ProjectFS
from tspdocs.writers.base import WriteContext
from tspdocs.writers.docx import write_docx

tree, out, project = sys.argv[1:4]
doc = pickle.loads(Path(tree).read_bytes())
Path(out).write_bytes(write_docx(doc, WriteContext(ProjectFS.at(project), 0)).data)
