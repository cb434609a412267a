"""The reference viewer for `npm run bench:viewer`: openslide-python's deep-zoom server, minimal.

DeepZoomGenerator with 254 px tiles, overlap 1, JPEG quality 75 (as openslide-python's
examples/deepzoom/deepzoom_server.py), behind Flask on 127.0.0.1, and a page with OpenSeadragon
(served from the project's node_modules) using the canvas drawer. Usage:
  /usr/bin/python3 openslide_server.py SLIDE PORT OSD_DIR
"""
import io
import sys
import threading

from flask import Flask, Response, abort, send_from_directory
import openslide
from openslide.deepzoom import DeepZoomGenerator

slide_path, port, osd_dir = sys.argv[1], int(sys.argv[2]), sys.argv[3]
slide = openslide.OpenSlide(slide_path)
local = threading.local()
app = Flask(__name__)

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>OpenSlide deep zoom</title>
<style>html,body,#view{margin:0;width:100%;height:100%;background:#fff}</style></head>
<body><div id="view"></div><script src="/osd/openseadragon.min.js"></script><script>
window.viewer = OpenSeadragon({ id: 'view', tileSources: '/slide.dzi', prefixUrl: '/osd/images/',
  drawer: 'canvas', showNavigator: false, animationTime: 0, blendTime: 0, immediateRender: false,
  imageLoaderLimit: 6, timeout: 60000, tileRetryMax: 3 });
</script></body></html>"""


def generator():
    if not hasattr(local, "dz"):
        local.dz = DeepZoomGenerator(slide, tile_size=254, overlap=1, limit_bounds=False)
    return local.dz


@app.route("/")
def index():
    return Response(PAGE, mimetype="text/html")


@app.route("/slide.dzi")
def dzi():
    return Response(generator().get_dzi("jpeg"), mimetype="application/xml")


@app.route("/slide_files/<int:level>/<int:col>_<int:row>.jpeg")
def tile(level, col, row):
    try:
        img = generator().get_tile(level, (col, row))
    except ValueError:
        abort(404)
    buf = io.BytesIO()
    img.save(buf, "jpeg", quality=75)
    return Response(buf.getvalue(), mimetype="image/jpeg")


@app.route("/osd/<path:name>")
def osd(name):
    return send_from_directory(osd_dir, name)


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=port, threaded=True)
