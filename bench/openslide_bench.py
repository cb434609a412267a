"""OpenSlide's side of `npm run bench`: the same requests as the engine, timed the same way.

stdin: {"path", "tiles": [[z, col, row], ...], "tile_runs", "concurrency", "opens", "thumbnail": 1024, "thumbnail_runs"}
stdout: {"open_ms", "thumbnail_ms" (null without runs), "tiles_per_s" (the median of tile_runs runs), "tile_bytes"}
Deep-zoom tiles as openslide-python's deep-zoom server makes them: DeepZoomGenerator with 254 px
tiles, overlap 1, limit_bounds off, JPEG quality 75.
"""
import io
import json
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import openslide
from openslide.deepzoom import DeepZoomGenerator


def run_tiles(path, tiles, concurrency):
    """The tiles' total bytes and seconds: a fresh slide handle (cold tile cache), `concurrency` threads, one generator each."""
    s = openslide.OpenSlide(path)
    local = threading.local()

    def generator():
        if not hasattr(local, "dz"):
            local.dz = DeepZoomGenerator(s, tile_size=254, overlap=1, limit_bounds=False)
        return local.dz

    def one(t):
        z, col, row = t
        tile = generator().get_tile(z, (col, row))
        buf = io.BytesIO()
        tile.save(buf, "jpeg", quality=75)
        return buf.tell()

    t0 = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        total = sum(pool.map(one, tiles))
    elapsed = time.perf_counter() - t0
    s.close()
    return total, elapsed


def main():
    req = json.load(sys.stdin)
    path = req["path"]

    opens = []
    for _ in range(req["opens"]):
        t0 = time.perf_counter()
        s = openslide.OpenSlide(path)
        dict(s.properties)
        s.level_dimensions
        DeepZoomGenerator(s, tile_size=254, overlap=1, limit_bounds=False)
        opens.append((time.perf_counter() - t0) * 1000)
        s.close()

    thumbs = []
    im = None
    for _ in range(req["thumbnail_runs"]):
        s = openslide.OpenSlide(path)
        t0 = time.perf_counter()
        im = s.get_thumbnail((req["thumbnail"], req["thumbnail"]))
        thumbs.append((time.perf_counter() - t0) * 1000)
        s.close()

    tiles = req["tiles"]
    runs = [run_tiles(path, tiles, req["concurrency"]) for _ in range(req.get("tile_runs", 1))]
    total = runs[0][0]
    elapsed = statistics.median(seconds for _, seconds in runs)
    json.dump({
        "open_ms": statistics.median(opens),
        "thumbnail_ms": statistics.median(thumbs) if thumbs else None,
        "thumbnail_size": list(im.size) if im else None,
        "tiles_per_s": len(tiles) / elapsed,
        "tile_bytes": total,
    }, sys.stdout)


if __name__ == "__main__":
    main()
