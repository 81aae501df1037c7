"""De-duplicate stage: near-copies (syndication, re-publication) found with MinHash/LSH.

Contract: ``NearDuplicateIndex.find(signature)`` returns the earliest stored original an item
copies, or None. Exact copies are caught earlier by canonical URL (``sources.urls``). A copy
is stored with ``duplicate_of`` set and never counts as an independent source.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from newsdesk.config import DedupSettings

_WORD = re.compile(r"\w+", re.UNICODE)
# Stored signatures are only comparable under the scheme that made them: pin it.
SCHEME = "affine32"


def shingles(text: str, size: int) -> set[bytes]:
    words = _WORD.findall(text.lower())
    if len(words) < size:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i : i + size]).encode() for i in range(len(words) - size + 1)}


class NearDuplicateIndex:
    def __init__(self, settings: DedupSettings, existing: Sequence[tuple[int, bytes]] = ()):
        from datasketch import MinHashLSH

        self.settings = settings
        self._lsh = MinHashLSH(threshold=settings.threshold, num_perm=settings.num_perm)
        self._signatures: dict[int, object] = {}
        self._permutations = None  # drawn once: every signature must use the same ones anyway
        for item_id, blob in existing:
            self.add(item_id, self.from_bytes(blob))

    def signature(self, text: str) -> Any:
        from datasketch import MinHash

        if self._permutations is None:
            self._permutations = MinHash(num_perm=self.settings.num_perm, scheme=SCHEME).permutations
        mh = MinHash(num_perm=self.settings.num_perm, scheme=SCHEME, permutations=self._permutations)
        mh.update_batch(list(shingles(text, self.settings.shingle_words)))
        return mh

    def from_bytes(self, blob: bytes) -> Any:
        from datasketch import MinHash

        return MinHash(hashvalues=np.frombuffer(blob, dtype=np.uint64).copy(), scheme=SCHEME)

    @staticmethod
    def to_bytes(signature: Any) -> bytes:
        return np.asarray(signature.hashvalues, dtype=np.uint64).tobytes()

    def find(self, signature: Any, rank: Mapping[int, int] | None = None) -> int | None:
        """Earliest indexed item whose estimated Jaccard similarity reaches the threshold: the
        lowest ``rank`` when given (publication order), else the lowest id (storage order)."""
        best: int | None = None
        key = (lambda i: rank[i]) if rank is not None else (lambda i: i)
        for item_id in self._lsh.query(signature):
            if signature.jaccard(self._signatures[item_id]) >= self.settings.threshold:
                best = item_id if best is None or key(item_id) < key(best) else best
        return best

    def add(self, item_id: int, signature: Any) -> None:
        if item_id in self._signatures:
            return
        self._signatures[item_id] = signature
        self._lsh.insert(item_id, signature)


def copies_in_publication_order(batch: Sequence[tuple[int, bytes]], settings: DedupSettings) -> dict[int, int | None]:
    """Which items of a batch copy which, decided in the batch's order (publication order, from
    the caller): item id → the earliest earlier original it copies, or None for an original.

    Ingest decides copies as items arrive, so which of two near-copies is the original — and,
    since near-copying is not transitive, which group an item joins — follows network timing.
    Deciding again over the whole batch in publication order gives the same answer whatever order
    the items arrived in (and whichever worker fetched them)."""
    index = NearDuplicateIndex(settings)
    rank: dict[int, int] = {}
    out: dict[int, int | None] = {}
    for n, (item_id, blob) in enumerate(batch):
        signature = index.from_bytes(blob)
        original = index.find(signature, rank)
        out[item_id] = original
        if original is None:
            rank[item_id] = n
            index.add(item_id, signature)
    return out
