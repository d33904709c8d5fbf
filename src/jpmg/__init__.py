"""The U.S.-Israel Joint Political-Military Group knowledge graph and its tools.

The public API is small on purpose; the command line (``jpmg``) is a thin layer over it:

- :func:`jpmg.dataset.load_dataset` reads the ontology, shapes and data as named graphs;
- :func:`jpmg.validation.validate` runs the whole check pipeline and returns a report;
- :func:`jpmg.queries.run_query` runs one of the competency queries.
"""

__version__ = "0.1.0"
