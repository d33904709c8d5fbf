"""Every fact of the seed article is answerable from the graph, and the answer cites the seed article.

One ASK query per statement of the article (``../shared/seed/joint-political-military-group.txt``), written
against the graph, not the article, so this test runs without ``../shared``.
"""

from __future__ import annotations

import pytest

from jpmg.dataset import load_dataset
from jpmg.engine import OxigraphEngine

PREFIXES = """
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX jpmg: <https://w3id.org/jpmg/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX id: <https://w3id.org/jpmg/id/>
"""
SEED = "<https://w3id.org/jpmg/id/source/seed-article>"

# (the article's statement, a SELECT whose ?node is the resource that states it, ...)
STATEMENTS = {
    "a 29 Nov 1983 agreement between Israel and the U.S. on political, military and economic cooperation": """
        ?node a/rdfs:subClassOf* jpmg:Agreement ; jpmg:date "1983-11-29"^^xsd:date ;
              jpmg:party id:org\\/israel , id:org\\/united-states .""",
    "the agreement set up the JPMG": """?node jpmg:establishes id:org\\/jpmg .""",
    "the JPMG is a forum for combined planning, joint exercises and logistics": """
        ?node a jpmg:BilateralForum ; rdfs:label ?l ;
              jpmg:originalPurpose id:topic\\/combined-planning , id:topic\\/joint-exercises-and-simulations ,
                                   id:topic\\/logistics .""",
    "co-chaired by the IMoD Director General": """
        ?node a jpmg:CoChairSeat ; org:postIn id:org\\/jpmg ;
              jpmg:filledExOfficioBy id:post\\/imod-director-general .""",
    "co-chaired by the U.S. Assistant Secretary of State for Political-Military Affairs": """
        ?node a jpmg:CoChairSeat ; org:postIn id:org\\/jpmg ;
              jpmg:filledExOfficioBy id:post\\/us-assistant-secretary-of-state-political-military-affairs .""",
    "meets twice a year, alternating between Israel and the United States": """
        id:org\\/jpmg jpmg:statedCadence ?node .
        ?node jpmg:meetingsPerYear 2.0 ; jpmg:alternatesBetween id:org\\/israel , id:org\\/united-states .""",
    "originally meant to counter Soviet involvement in the Middle East": """
        ?node jpmg:originalPurpose id:topic\\/soviet-involvement-in-the-middle-east .""",
    "later concerned with chemical weapons and ballistic missiles": """
        ?node jpmg:laterConcern id:topic\\/chemical-weapons-proliferation , id:topic\\/ballistic-missiles .""",
    "the Reagan administration sought an anti-Soviet strategic consensus": """
        BIND(id:org\\/reagan-administration AS ?node) ?node dcterms:description ?d .
        FILTER(CONTAINS(?d, "strategic consensus"))""",
    "Weinberger (Secretary of Defense) signed the 1981 MOU": """
        ?node jpmg:signatory id:person\\/caspar-weinberger ; jpmg:signedAs id:post\\/us-secretary-of-defense ;
              jpmg:signedAgreement id:agreement\\/1981-mou-strategic-cooperation .""",
    "Sharon (Israeli Minister of Defense) signed the 1981 MOU": """
        ?node jpmg:signatory id:person\\/ariel-sharon ; jpmg:signedAs id:post\\/israel-minister-of-defense ;
              jpmg:signedAgreement id:agreement\\/1981-mou-strategic-cooperation .""",
    "the 1981 MOU led to the JPMG (one side of conflict C1)": """
        ?c jpmg:conflictId "C1" ; jpmg:hasClaim ?node .
        ?node a jpmg:Claim ; jpmg:about id:agreement\\/1981-mou-strategic-cooperation ;
              jpmg:claimedProperty jpmg:establishes ; jpmg:claimedResource id:org\\/jpmg .""",
    "the JPMG met regularly on foreign military sales, exercises and simulations, and logistics": """
        BIND(id:org\\/jpmg AS ?node)
        ?node org:purpose|jpmg:originalPurpose id:topic\\/foreign-military-sales ,
              id:topic\\/joint-exercises-and-simulations , id:topic\\/logistics .""",
    "joint air and sea exercises started in 1984": """
        ?node a jpmg:CooperationEvent ; jpmg:date "1984"^^xsd:gYear .""",
    "an annual inter-agency strategic dialogue was created in 2001": """
        ?node a jpmg:FoundingEvent ; org:resultingOrganization id:org\\/us-israel-strategic-dialogue ;
              jpmg:date "2001"^^xsd:gYear .""",
}


@pytest.fixture(scope="module")
def engine() -> OxigraphEngine:
    return OxigraphEngine(load_dataset().data_with_ontology())


@pytest.mark.parametrize("statement", sorted(STATEMENTS))
def test_seed_statement_is_in_the_graph_with_the_seed_as_source(engine, statement):
    query = (
        PREFIXES
        + "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\nSELECT DISTINCT ?node WHERE {"
        + STATEMENTS[statement]
        + f"\n ?node prov:wasDerivedFrom {SEED} .\n"
        + "}"
    )
    assert engine.select(query).rows, f"not answerable with the seed as source: {statement}"
