"""Publishing the knowledge graph as linked data: a static site to host, and the pieces ``jpmg serve`` reuses.

One module a job:

- :mod:`~jpmg.publish.model`: the loaded dataset with its indexes (labels, types, incoming links), the IRIs it
  answers for, and :func:`~jpmg.publish.model.SiteModel.describe`, *the* description of a resource that every page,
  file and test uses;
- :mod:`~jpmg.publish.formats`: byte-stable serializations (Turtle, compacted JSON-LD, N-Triples, RDF/XML);
- :mod:`~jpmg.publish.dumps`: the whole-dataset dumps (TriG, N-Quads, Turtle and N-Triples via :mod:`jpmg.dump`);
- :mod:`~jpmg.publish.description`: the VoID and DCAT 3 description of the dataset;
- :mod:`~jpmg.publish.diagrams`: the model diagram and the timeline, as SVG;
- :mod:`~jpmg.publish.html`: the pages, from the Jinja2 templates in ``templates/``;
- :mod:`~jpmg.publish.resources`: the machine-readable forms of every resource and of the ontology;
- :mod:`~jpmg.publish.serverconfig`: Apache, nginx and w3id.org rules for content negotiation;
- :mod:`~jpmg.publish.negotiation`: the ``Accept`` header, parsed and matched;
- :mod:`~jpmg.publish.endpoint`: the read-only SPARQL 1.1 Protocol endpoint of ``jpmg serve``;
- :mod:`~jpmg.publish.site`: the whole build, written next to its target and swapped into place.
"""

from __future__ import annotations
