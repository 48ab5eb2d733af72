"""Page contexts, one module per page kind: what each page shows, as plain data for its template."""
