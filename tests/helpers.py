"""Shared test helpers."""
import io

import numpy as np


def tie_free(shape, rng, scale=1.0):
    """Random float64 array whose entries are ``2*scale/size`` apart and never 0.

    Max pooling and ReLU have kinks where two inputs tie (or an input is 0); a central
    difference with step h across a kink is wrong, so inputs for their gradient checks
    must keep every pair of values far apart compared with h = 1e-5.
    """
    size = int(np.prod(shape))
    values = (2 * rng.permutation(size) - size + 1.5) / size * scale  # never exactly 0
    return values.reshape(shape).astype(np.float64)


def png_pixels(png):
    """The pixels of PNG bytes (e.g. a widget's image) as an int array, to compare pictures."""
    from PIL import Image  # the book extra's Pillow, only for widget tests
    return np.asarray(Image.open(io.BytesIO(png)), dtype=int)
