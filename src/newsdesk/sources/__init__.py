"""Sources stage: fetch every configured source and store new items.

Contract (see ``ingest.py``): reads ``sources``; writes ``items`` (with full text, canonical
URL and duplicate links) and each source's last status. Idempotent: re-running on
unchanged sources stores nothing new.
"""
