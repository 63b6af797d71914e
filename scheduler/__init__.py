"""Scheduled work: what to say (digest.py) apart from when (jobs.py)."""
