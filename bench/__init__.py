"""Reproducible performance figures: each script runs as `python bench/NAME.py`; the tests share served_app.py."""
