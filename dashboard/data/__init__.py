"""What the pages read: small, indexed, read-only queries of the ops store, and the configured
sources' catalogue entries. Nothing here talks to the data centre."""
