"""Quiz rules as plain functions (callers commit), one module per meaning:

- answers.py      answer shapes, the notation people write keys in (A / ABD / 对 / 40|高质量), marking per type
- bank_rules.py   what one question must satisfy (shared by the question form and the sheet import)
- bank_sheets.py  the question-bank spreadsheet: template, all-or-nothing import, export
- banks.py        question banks and question edits, listings and counts
- papers.py       which questions a member gets, in what order, options shuffled or not
- settings.py     organisers setting up a quiz: settings, paper rules, fixed paper, publishing
- timing.py       the quiz clock: windows, deadlines, grace, time left (the server owns it)
- attempts.py     starting, autosaving, leaving the page, submitting, marking an attempt
- taking.py       what a member sees: their quiz list, the paper while answering, the review
- ranking.py      which attempt counts for each member, and the ranking with shared places
- rescoring.py    重新判分: marking submitted attempts again after a key was corrected
- reports.py      progress, per-unit figures, who has not taken part, one member's paper
- question_stats.py  per-question correct rates and option picks
- practice.py     practice one question at a time, and the wrong-answer book (错题本)
- practice_stats.py  how much each unit practised
"""
