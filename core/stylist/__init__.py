"""The stylist chat: a grounded LangGraph RAG over the product index.

A message becomes a typed request (``analyze``), the request an outfit plan of slots (``plan``),
each slot a filtered search (``retrieve``), the hits one coherent outfit (``compose``), the outfit
an answer (``generate``) that is checked against what retrieval returned (``verify``). Works with
no language model at all (the default, ``STYLIST_PROVIDER=offline``); an OpenAI or
OpenAI-compatible chat model only rewrites the analysis and the prose, never the products.

Public entry points: :class:`core.stylist.service.Stylist` (CLI, dashboard) and
:func:`core.stylist.graph.build_graph` (tests, custom wiring).
"""
