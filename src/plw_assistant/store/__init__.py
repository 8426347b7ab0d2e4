"""The store: the on-disk format of an index: manifest, generations (CURRENT, atomic
switch), writing and reading a generation (vectors, sentence vectors, BM25, chunk table,
filter columns, glossary), and the feedback votes."""
