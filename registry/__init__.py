"""ia-territoires: the registry of AI systems used by French local governments.

Data flows one way: ingest → validate → store → serve → export. See README.md.
"""

__version__ = "0.1.0"
