"""Ingestion: walking the corpus, reading each format (md/txt/html/pdf/docx), chunking."""
