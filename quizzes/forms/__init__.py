"""Quiz forms, one module per area (banks, settings, practice)."""
