"""Quiz rules, split by meaning: answers (shapes, notation, scoring), banks, papers, attempts,
practice, reports. Plain functions; callers commit."""
