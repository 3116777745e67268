"""The speech contest's forms, one module per area (setup, registration, judging, live, results)."""
