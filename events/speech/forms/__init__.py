"""The speech contest's forms, one module per area (forms/<area>.py)."""
