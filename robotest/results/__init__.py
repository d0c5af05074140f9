"""One result model, from the run to the server.

`model` is the vocabulary (six statuses, their colours, and the pydantic classes of
`run.json`) that the runtime's reports, `rtest run`'s `run.json`, the uploads and the
script server all use; `export` turns a stored run into `run.json` and its screenshot
files; `upload` sends a run to the server and keeps it when the server is away.
"""
