"""The exhibition's rules, plain functions that never commit (the view commits once per request).

setup.py exhibitions and their categories · works.py staging, submitting, editing, withdrawing ·
processing.py the derivatives job and the duplicate flags · review.py the review queue ·
gallery.py what signed-in members see · files.py where files live and who may read them.
"""
