"""Regenerate shapes/in-lists.ttl from the concept schemes (ontology/vocabularies/*.ttl).

Usage: .venv/bin/python scripts/generate_shapes.py
"""

from registry.shapes_gen import main

if __name__ == "__main__":
    main()
