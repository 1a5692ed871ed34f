"""A compiled SHACL validator: the reports of ``registry.validate.Validator`` (pySHACL) from
shapes compiled into plain Python checks, with the SHACL-SPARQL rules run once per batch.

One job per module: :mod:`.index` (an entry's triples, indexed), :mod:`.paths` (property
paths), :mod:`.components` (core constraints), :mod:`.rules` (SHACL-SPARQL), :mod:`.shapes`
(the shapes graph compiled), :mod:`.validator` (the validator).
"""

from registry.shacl.validator import CompiledValidator, default_compiled_validator

__all__ = ["CompiledValidator", "default_compiled_validator"]
