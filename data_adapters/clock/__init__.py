"""The clock: one leader process that polls every source on its update cycle and derives."""
