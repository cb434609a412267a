"""cairo (through ctypes, the libcairo OpenSlide uses) as the reference of the tile compositor.

Reads {"width", "height", "paints": [{"width", "height", "argb", "pixels", "x", "y", "operator"}]}
on stdin: each paint an image (0xAARRGGBB words; ARGB32 premultiplied, or RGB24) painted at (x, y)
with SATURATE, or with OVER onto what is there ("over"), onto a cleared ARGB32 canvas, in order.
Prints the canvas as a JSON list of 0xAARRGGBB words. Run with /usr/bin/python3.
"""
import ctypes
import json
import sys

FORMAT_ARGB32 = 0
FORMAT_RGB24 = 1
OPERATORS = {"saturate": 13, "over": 2}

cairo = ctypes.CDLL("libcairo.so.2")
cairo.cairo_image_surface_create_for_data.restype = ctypes.c_void_p
cairo.cairo_image_surface_create_for_data.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int]
cairo.cairo_create.restype = ctypes.c_void_p
cairo.cairo_create.argtypes = [ctypes.c_void_p]
cairo.cairo_identity_matrix.argtypes = [ctypes.c_void_p]
cairo.cairo_translate.argtypes = [ctypes.c_void_p, ctypes.c_double, ctypes.c_double]
cairo.cairo_set_operator.argtypes = [ctypes.c_void_p, ctypes.c_int]
cairo.cairo_set_source_surface.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_double, ctypes.c_double]
cairo.cairo_paint.argtypes = [ctypes.c_void_p]
cairo.cairo_surface_flush.argtypes = [ctypes.c_void_p]
cairo.cairo_surface_destroy.argtypes = [ctypes.c_void_p]
cairo.cairo_destroy.argtypes = [ctypes.c_void_p]


def main():
    spec = json.load(sys.stdin)
    w, h = spec["width"], spec["height"]
    canvas = (ctypes.c_uint32 * (w * h))()
    target = cairo.cairo_image_surface_create_for_data(ctypes.addressof(canvas), FORMAT_ARGB32, w, h, w * 4)
    cr = cairo.cairo_create(target)
    for p in spec["paints"]:
        pixels = (ctypes.c_uint32 * (p["width"] * p["height"]))(*p["pixels"])
        fmt = FORMAT_ARGB32 if p["argb"] else FORMAT_RGB24
        source = cairo.cairo_image_surface_create_for_data(ctypes.addressof(pixels), fmt, p["width"], p["height"], p["width"] * 4)
        cairo.cairo_identity_matrix(cr)
        cairo.cairo_set_operator(cr, OPERATORS[p["operator"]])
        cairo.cairo_translate(cr, p["x"], p["y"])
        cairo.cairo_set_source_surface(cr, source, 0, 0)
        cairo.cairo_paint(cr)
        cairo.cairo_surface_flush(target)
        cairo.cairo_surface_destroy(source)
    cairo.cairo_destroy(cr)
    json.dump(list(canvas), sys.stdout)
    cairo.cairo_surface_destroy(target)


if __name__ == "__main__":
    main()
