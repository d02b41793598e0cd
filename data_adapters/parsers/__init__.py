"""Pure parsers of the standard formats our adapters speak: bytes in, records and rejects out."""
