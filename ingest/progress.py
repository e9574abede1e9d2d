"""The ingest progress bar: files done of those found, documents per second, an ETA, chunks per second.

A file counts as done when it is stored, skipped as unchanged, or failed; a feed counts as one. tqdm's
rate is a moving average (``SMOOTHING``), so after a resumed run has skipped what was already stored the
ETA soon follows the speed of the files still to embed::

    Ingest:  41%|████▏     | 4102/10000 [05:12<07:21, 13.4 doc/s, 9,870 chunks, 31.6 chunks/s]
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

#: Weight of the latest speed in tqdm's moving average: 0 is the average since the start (too slow to
#: follow a resumed run, where skipped files go fast), 1 the last update only (jumpy: documents are
#: written in bursts as each group of chunks comes back from the encoder).
SMOOTHING = 0.1
BAR_FORMAT = "{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}, {rate_fmt}{postfix}]"


class IngestProgress:
    """``advance(files, chunks)`` after each file; disabled (no output at all) for ``--quiet``."""

    def __init__(self, total_files: int, enabled: bool = True, stream: TextIO | None = None):
        from tqdm import tqdm

        self.started = time.perf_counter()
        self.chunks = 0
        self.bar = tqdm(total=total_files, unit="doc", desc="Ingest", disable=not enabled or not total_files,
                        file=stream or sys.stderr, dynamic_ncols=True, smoothing=SMOOTHING, bar_format=BAR_FORMAT)

    def advance(self, files: int = 1, chunks: int = 0) -> None:
        self.chunks += chunks
        if chunks and not self.bar.disable:
            rate = self.chunks / max(time.perf_counter() - self.started, 1e-9)
            self.bar.set_postfix_str(f"{self.chunks:,} chunks, {rate:.1f} chunks/s", refresh=False)
        if files:
            self.bar.update(files)
        elif chunks:
            self.bar.refresh()

    def close(self) -> None:
        self.bar.close()
