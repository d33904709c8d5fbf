"""Child program of the benchmarks: pyrudof's SHACL validation of data (with the ontology) against the shapes.

``python benchmarks/_rudof.py SHAPES DATA`` prints the number of results.
"""

import sys

import pyrudof

rudof = pyrudof.Rudof(pyrudof.RudofConfig())
rudof.read_data(sys.argv[2])
rudof.read_shacl(sys.argv[1])
report = rudof.validate_shacl()
print(f"results: {len(list(report.violations))}")
