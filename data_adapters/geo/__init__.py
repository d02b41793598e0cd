"""Geographic helpers: coordinate systems and district lookup."""
