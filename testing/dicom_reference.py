"""DICOM whole-slide images as pydicom and GDCM read them: the reference the engine's DICOM reader
is compared with. Usage: dicom_reference.py OUT.rgb FILE... (the files of one image: one, or a
concatenation's parts). Compressed frames are decoded by `gdcmconv --raw`; pydicom parses every
file and reads its frames, which are placed in the total pixel matrix as the DICOM standard says
(TILED_FULL: in order from the part's frame offset; TILED_SPARSE: at each frame's Plane Position
(Slide)), the first frame at a place winning, white where none is. Writes the image as raw RGB to
OUT.rgb and prints a JSON summary."""

import io
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import pydicom
import pydicom.encaps
from PIL import Image
from pydicom.pixel_data_handlers.util import convert_color_space


def frames_of(path):
    ds = pydicom.dcmread(path)
    decoded = ds
    if ds.file_meta.TransferSyntaxUID.is_compressed:
        fd, tmp = tempfile.mkstemp(suffix=".dcm")
        os.close(fd)
        try:
            converted = subprocess.run(["gdcmconv", "--raw", path, tmp], capture_output=True)
            if converted.returncode != 0:
                # GDCM joins no JPEG 2000 frame of several fragments: pydicom splits the frames
                # (by the offset table) and Pillow (OpenJPEG, libjpeg) decodes each.
                return ds, pillow_frames(ds), ds.PhotometricInterpretation
            decoded = pydicom.dcmread(tmp)
        finally:
            os.unlink(tmp)
    count = int(ds.get("NumberOfFrames", 1))
    pixels = decoded.pixel_array
    if count == 1:
        pixels = pixels[None]
    if pixels.ndim == 3:
        pixels = pixels[..., None]
    photometric = decoded.PhotometricInterpretation
    if photometric in ("YBR_FULL", "YBR_FULL_422"):
        pixels = np.stack([convert_color_space(frame, "YBR_FULL", "RGB") for frame in pixels])
    if photometric == "MONOCHROME1":
        pixels = 255 - pixels
    if pixels.shape[-1] == 1:
        pixels = np.repeat(pixels, 3, axis=-1)
    return ds, pixels.astype(np.uint8), photometric


def pillow_frames(ds):
    count = int(ds.get("NumberOfFrames", 1))
    frames = []
    for data in pydicom.encaps.generate_pixel_data_frame(ds.PixelData, count):
        image = Image.open(io.BytesIO(data))
        frames.append(np.asarray(image.convert("RGB")))
    return np.stack(frames).astype(np.uint8)


def positions(ds, count):
    if ds.get("DimensionOrganizationType", "") == "TILED_SPARSE":
        out = []
        for item in ds.PerFrameFunctionalGroupsSequence:
            plane = item.PlanePositionSlideSequence[0]
            out.append((int(plane.ColumnPositionInTotalImagePixelMatrix) - 1, int(plane.RowPositionInTotalImagePixelMatrix) - 1))
        return out
    offset = int(ds.get("ConcatenationFrameOffsetNumber", 0))
    across = -(-int(ds.TotalPixelMatrixColumns) // int(ds.Columns))
    return [(((offset + i) % across) * int(ds.Columns), ((offset + i) // across) * int(ds.Rows)) for i in range(count)]


def main():
    out, paths = sys.argv[1], sys.argv[2:]
    canvas = None
    filled = None
    summary = {"files": []}
    for path in paths:
        ds, frames, photometric = frames_of(path)
        width, height = int(ds.TotalPixelMatrixColumns), int(ds.TotalPixelMatrixRows)
        if canvas is None:
            canvas = np.full((height, width, 3), 255, np.uint8)
            filled = np.zeros((height, width), bool)
            summary.update(width=width, height=height)
        placed = 0
        for (x, y), frame in zip(positions(ds, len(frames)), frames):
            h = min(frame.shape[0], height - y)
            w = min(frame.shape[1], width - x)
            if h <= 0 or w <= 0 or filled[y, x]:
                continue
            canvas[y : y + h, x : x + w] = frame[:h, :w]
            filled[y : y + h, x : x + w] = True
            placed += 1
        summary["files"].append(
            {"path": path, "frames": len(frames), "placed": placed, "photometric": photometric, "transfer_syntax": str(ds.file_meta.TransferSyntaxUID)}
        )
    canvas.tofile(out)
    print(json.dumps(summary))


main()
