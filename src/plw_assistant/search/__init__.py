"""Search: dense, BM25 and fused retrieval with near-duplicate removal; follow-up questions."""
