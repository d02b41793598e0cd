"""Data adapters, the ops store and the clock: everything that reads the city's data centre.

The web tier (`dashboard`) uses only this package's public read API: settings, the store's
schema and queries, and the indicator and catalogue definitions. It never imports an adapter.
"""
