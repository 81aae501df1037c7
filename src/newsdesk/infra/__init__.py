"""Infrastructure the stages share, beside the store: HTTP fetching with politeness and limits
(http.py), URL canonicalisation (urls.py), the [llm] endpoint client (llm_endpoint.py)."""
