"""The newsroom as a live service (``newsdesk serve``): the published site, readers' feedback
on every article, and the editor's desk at ``/desk``.

``app.py`` builds the ASGI app (Starlette); ``auth.py`` holds passwords (argon2), signed
session cookies (itsdangerous), CSRF tokens and lock-out; ``actions.py`` is what an editor's
action does to the newsroom (a verdict, a hold, a correction), each a transaction that lands in
the audit log and re-publishes the site; ``params.py`` checks every path, query and form
parameter at the edge (digits 0-9 within bounds, one value per key). The app calls the same
stage contract as the CLI.
"""
