"""The indexing pipeline: notes read and chunked (``ingest``), passages embedded
(``embedding``), the result written as a new generation (``store``), and re-indexing when
notes change. The search side never imports it: it reads what the pipeline wrote."""
