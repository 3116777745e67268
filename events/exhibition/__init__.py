"""Calligraphy, painting and photography exhibition (书画摄影展) — in progress (issue 13).

Landed so far: images.py, the image rules (what an upload must be, and its derivatives). Uploads
are staged and claimed through app/common/uploads.py. Not yet plugged in: no models, views or
init_app; add "events.exhibition" to events.SUB_FEATURES once it has them.
"""
