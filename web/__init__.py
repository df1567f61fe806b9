"""``sohoa serve``: the HTTP service -- a JSON API under ``/api/v1/`` and server-rendered
pages in Vietnamese -- over the same library (store + catalog) and signing code as the CLI."""
