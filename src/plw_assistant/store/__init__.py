"""The store: manifest, generations (CURRENT, atomic switch), the writer (incremental build
under a lock), the reader (vectors, sentence vectors, BM25, filter columns), feedback votes."""
