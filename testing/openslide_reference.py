"""OpenSlide as the pixel reference for the engine's tests (never a runtime dependency).

Reads a JSON list of requests on stdin, writes each result's raw pixels to out_dir/<i>.raw and
prints a JSON list of {width, height, channels, ...} on stdout. Run with /usr/bin/python3
(Debian's python3-openslide).
"""
import json
import sys

import openslide
from openslide.deepzoom import DeepZoomGenerator


def main():
    req = json.load(sys.stdin)
    out_dir = req["out_dir"]
    results = []
    slides = {}
    for i, r in enumerate(req["requests"]):
        path = r["path"]
        try:
            if path not in slides:
                slides[path] = openslide.OpenSlide(path)
            s = slides[path]
            kind = r["kind"]
            if kind == "info":
                results.append({
                    "level_count": s.level_count,
                    "dimensions": s.level_dimensions,
                    "downsamples": s.level_downsamples,
                    "properties": dict(s.properties),
                    "associated": sorted(s.associated_images.keys()),
                })
                continue
            if kind == "region":
                img = s.read_region((r["x"], r["y"]), r["level"], (r["width"], r["height"]))
            elif kind == "associated":
                img = s.associated_images[r["name"]].convert("RGB")
            elif kind == "dztile":
                dz = DeepZoomGenerator(s, tile_size=r["tile_size"], overlap=r["overlap"], limit_bounds=False)
                img = dz.get_tile(r["dz_level"], (r["col"], r["row"])).convert("RGB")
            elif kind == "thumbnail":
                img = s.get_thumbnail((r["width"], r["height"])).convert("RGB")
            else:
                raise ValueError("unknown request " + kind)
            data = img.tobytes()
            with open(f"{out_dir}/{i}.raw", "wb") as f:
                f.write(data)
            results.append({"width": img.size[0], "height": img.size[1], "channels": len(img.getbands()), "file": f"{out_dir}/{i}.raw"})
        except Exception as e:  # the caller decides whether a failure is expected
            results.append({"error": f"{type(e).__name__}: {e}"})
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
