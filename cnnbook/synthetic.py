r"""Tiny synthetic images for the book: classification sets and single test images.

Images are NCHW, ``x`` of shape ``(N, 1, size, size)`` with values in [0, 1] and labels
``y`` of shape ``(N,)`` (int64). Functions that draw random numbers take ``rng``, a
:class:`numpy.random.Generator`; nothing touches numpy's global random state.

* :func:`bars`, :func:`crosses`, :func:`shapes` - tiny synthetic classification sets.
* :func:`step_edge`, :func:`checkerboard` - single images for looking at what a kernel does.

:mod:`cnnbook.data` re-exports all of them.
"""
from __future__ import annotations

import numpy as np

from ._checks import check_choice, check_float, check_int, check_rng

__all__ = ["bars", "crosses", "shapes", "step_edge", "checkerboard",
           "BAR_NAMES", "CROSS_NAMES", "SHAPE_NAMES"]

BAR_NAMES = ("horizontal", "vertical")
CROSS_NAMES = ("plus", "times")
SHAPE_NAMES = ("square", "circle", "triangle")


# --------------------------------------------------------------------------- helpers

def _balanced_labels(n: int, num_classes: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` labels in random order, each class appearing ``n // num_classes`` times or one more."""
    return rng.permutation(np.arange(n, dtype=np.int64) % num_classes)


def _add_noise(x: np.ndarray, noise: float, rng: np.random.Generator, where: str) -> np.ndarray:
    noise = check_float(noise, "noise", where, minimum=0)
    if noise > 0:
        x = np.clip(x + rng.normal(0.0, noise, size=x.shape), 0.0, 1.0)
    return x


# --------------------------------------------------------------------------- synthetic sets

def _check_n_size(n, size, where, min_size):
    n = check_int(n, "n", where, 1)
    size = check_int(size, "size", where, min_size)
    return n, size


def bars(n: int, *, size: int = 8, rng: np.random.Generator, noise: float = 0.0):
    r"""Images of one horizontal bar (label 0) or one vertical bar (label 1).

    Each bar is 1 or 2 pixels thick and at least half the image long, at a random
    position. The smallest problem a convolution solves with a single 1x2 or 2x1 kernel.

    Parameters
    ----------
    n : int >= 1
        Number of images; the classes are balanced (counts differ by at most one).
    size : int >= 4, default 8
        Height and width.
    rng : numpy.random.Generator
    noise : float >= 0, default 0.0
        Standard deviation of Gaussian pixel noise (the result is clipped to [0, 1]).

    Returns
    -------
    x : ndarray, shape (n, 1, size, size), float64 in [0, 1]
    y : ndarray, shape (n,), int64
        0 for horizontal, 1 for vertical (names in ``BAR_NAMES``).
    """
    where = "bars"
    n, size = _check_n_size(n, size, where, 4)
    rng = check_rng(rng, where)
    y = _balanced_labels(n, 2, rng)
    x = np.zeros((n, 1, size, size))
    for i in range(n):
        thick = int(rng.integers(1, 3))
        length = int(rng.integers(size // 2, size + 1))
        pos = int(rng.integers(0, size - thick + 1))    # across the bar
        start = int(rng.integers(0, size - length + 1))  # along the bar
        img = x[i, 0]
        if y[i] == 0:
            img[pos:pos + thick, start:start + length] = 1.0
        else:
            img[start:start + length, pos:pos + thick] = 1.0
    return _add_noise(x, noise, rng, where), y


def crosses(n: int, *, size: int = 8, rng: np.random.Generator, noise: float = 0.0):
    r"""Images of an upright cross ``+`` (label 0) or a diagonal cross ``x`` (label 1).

    Each cross has a random centre and arm length (2 to ``size // 2 - 1`` pixels, so it
    fits). Both classes light up about the same number of pixels, so telling them
    apart needs orientation-sensitive (edge or line) kernels.

    Parameters
    ----------
    n : int >= 1
        Number of images; the classes are balanced.
    size : int >= 6, default 8
        Height and width.
    rng : numpy.random.Generator
    noise : float >= 0, default 0.0
        Standard deviation of Gaussian pixel noise (clipped to [0, 1]).

    Returns
    -------
    x : ndarray, shape (n, 1, size, size), float64 in [0, 1]
    y : ndarray, shape (n,), int64
        0 for ``+``, 1 for ``x`` (names in ``CROSS_NAMES``).
    """
    where = "crosses"
    n, size = _check_n_size(n, size, where, 6)
    rng = check_rng(rng, where)
    y = _balanced_labels(n, 2, rng)
    x = np.zeros((n, 1, size, size))
    for i in range(n):
        arm = int(rng.integers(2, size // 2))
        r, c = (int(v) for v in rng.integers(arm, size - arm, size=2))  # centre
        steps = np.arange(-arm, arm + 1)
        img = x[i, 0]
        if y[i] == 0:
            img[r, c + steps] = 1.0
            img[r + steps, c] = 1.0
        else:
            img[r + steps, c + steps] = 1.0
            img[r + steps, c - steps] = 1.0
    return _add_noise(x, noise, rng, where), y


def shapes(n: int, *, size: int = 16, rng: np.random.Generator, noise: float = 0.0):
    r"""Filled squares (label 0), circles (label 1) and triangles (label 2).

    Each shape has a random centre and half-width ``r`` between ``size/8`` and
    ``size/4`` and lies inside the image. The triangle points up, with base and height
    ``2r``.

    Parameters
    ----------
    n : int >= 1
        Number of images; the classes are balanced.
    size : int >= 8, default 16
        Height and width.
    rng : numpy.random.Generator
    noise : float >= 0, default 0.0
        Standard deviation of Gaussian pixel noise (clipped to [0, 1]).

    Returns
    -------
    x : ndarray, shape (n, 1, size, size), float64 in [0, 1]
    y : ndarray, shape (n,), int64
        0 square, 1 circle, 2 triangle (names in ``SHAPE_NAMES``).
    """
    where = "shapes"
    n, size = _check_n_size(n, size, where, 8)
    rng = check_rng(rng, where)
    y = _balanced_labels(n, 3, rng)
    rows, cols = np.mgrid[0:size, 0:size] + 0.5  # pixel centres, H,W
    x = np.zeros((n, 1, size, size))
    for i in range(n):
        r = rng.uniform(size / 8, size / 4)
        cy, cx = rng.uniform(r, size - r, size=2)
        dy, dx = rows - cy, cols - cx
        if y[i] == 0:
            mask = (np.abs(dy) <= r) & (np.abs(dx) <= r)
        elif y[i] == 1:
            mask = dy ** 2 + dx ** 2 <= r ** 2
        else:  # apex at (cy - r, cx), base from (cy + r, cx - r) to (cy + r, cx + r)
            mask = (dy <= r) & (np.abs(dx) <= (dy + r) / 2)
        x[i, 0] = mask
    return _add_noise(x, noise, rng, where), y


# --------------------------------------------------------------------------- single images

def step_edge(size: int = 8, *, orientation: str = "vertical") -> np.ndarray:
    r"""A step edge: dark (0) on one half of the image, bright (1) on the other.

    Parameters
    ----------
    size : int >= 2, default 8
        Height and width.
    orientation : {"vertical", "horizontal"}
        ``"vertical"``: left half 0, right half 1 (the edge is a vertical line).
        ``"horizontal"``: top half 0, bottom half 1.

    Returns
    -------
    image : ndarray, shape (size, size), float64
        Use ``image[None, None]`` for a (1, 1, size, size) batch.
    """
    size = check_int(size, "size", "step_edge", 2)
    orientation = check_choice(orientation, "orientation", "step_edge",
                               ("vertical", "horizontal"))
    image = np.zeros((size, size))
    if orientation == "vertical":
        image[:, size // 2:] = 1.0
    else:
        image[size // 2:, :] = 1.0
    return image


def checkerboard(size: int = 8, *, square: int = 1) -> np.ndarray:
    r"""A checkerboard of 0 and 1 squares; the top-left square is 0.

    Parameters
    ----------
    size : int >= 1, default 8
        Height and width.
    square : int >= 1, default 1
        Side of one square, in pixels.

    Returns
    -------
    image : ndarray, shape (size, size), float64
        ``image[i, j] = ((i // square) + (j // square)) % 2``.
    """
    size = check_int(size, "size", "checkerboard", 1)
    square = check_int(square, "square", "checkerboard", 1)
    idx = np.arange(size) // square
    return ((idx[:, None] + idx[None, :]) % 2).astype(np.float64)
