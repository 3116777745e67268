"""Mechanics shared by every feature: roles, clock, xlsx import/export, ranking, tokens, text."""
