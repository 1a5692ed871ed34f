"""Spreadsheets in: the tables of the registry (one row per entry), driven by the SHACL shapes.

- :mod:`columns`   the tables and their columns: which shape each column stands for
- :mod:`schemas`   Frictionless Table Schemas generated from the columns and the shapes
- :mod:`cells`     reading and writing one cell (dates, booleans, lists, SIREN, formula guard)
- :mod:`concepts`  coded values: notations or labels (accents and case folded) → concepts
- :mod:`reader`    CSV (encoding and delimiter detected, streamed) and XLSX files → rows
- :mod:`mapping`   row ↔ RDF graph of one entry (the same code both ways)
- :mod:`importer`  rows → entries through the core write path, with a per-cell report
- :mod:`template`  the ready-to-fill CSV / XLSX template
- :mod:`etalab`    the crosswalk from the Etalab inventory of public algorithms
"""
