"""Loading the knowledge graph into SPARQL 1.1 triple stores, and querying them there.

One module per job: :mod:`~jpmg.stores.endpoints` (where a store's endpoints are), :mod:`~jpmg.stores.credentials`
(who we are, without ever showing the password), :mod:`~jpmg.stores.http` (one small HTTP client with retries
and clear errors), :mod:`~jpmg.stores.loader` (the atomic, verified load), :mod:`~jpmg.stores.remote_query`
(competency queries over the SPARQL 1.1 Protocol) and :mod:`~jpmg.stores.cli` (the ``load``, ``unload`` and
``dump`` commands and ``query --endpoint``). Every failure is a :class:`StoreError` with a one-line message.
"""

from jpmg.stores.errors import StoreError

__all__ = ["StoreError"]
