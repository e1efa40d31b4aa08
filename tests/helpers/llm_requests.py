"""What the engine tests ask a model: JSON schemas with the constraints a stage uses (bounded strings, enums of
ids, integer ranges, arrays with item counts) and a short extraction prompt."""

SCHEMAS = [
    {"type": "object", "properties": {
        "topic": {"type": "string", "maxLength": 12},
        "paper_ids": {"type": "array", "items": {"enum": list(range(10))}, "minItems": 1, "maxItems": 3},
        "n": {"type": "integer", "minimum": 0, "maximum": 9},
        "confidence": {"enum": ["low", "medium", "high"]}},
     "required": ["topic", "paper_ids", "n", "confidence"], "additionalProperties": False},
    {"type": "object", "properties": {
        "design": {"enum": ["randomized controlled trial", "cohort study", "case report"]},
        "sample_size": {"type": "integer", "minimum": 0, "maximum": 100000},
        "population": {"type": "string", "maxLength": 20}},
     "required": ["design", "sample_size", "population"], "additionalProperties": False},
    {"type": "array", "items": {"type": "object", "properties": {
        "label": {"type": "string", "minLength": 1, "maxLength": 8}, "keep": {"type": "boolean"}},
        "required": ["label", "keep"], "additionalProperties": False}, "minItems": 1, "maxItems": 3},
]
MESSAGES = [{"role": "system", "content": "You extract facts from study abstracts as JSON."},
            {"role": "user", "content": "Abstract: we randomised 412 adults to befriending or usual care."}]
