"""Embedding: the Embedder protocol, sentence-transformers, ONNX questions, the passage cache."""
