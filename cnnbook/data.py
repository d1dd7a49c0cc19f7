r"""Data for the book: the 8x8 digits, an MNIST reader, synthetic images and a photo.

Every loader returns images in NCHW layout, ``x`` of shape ``(N, 1, H, W)`` with values
in [0, 1] and integer labels ``y`` of shape ``(N,)`` (int64). Nothing here downloads
anything, and nothing touches numpy's global random state: functions that draw random
numbers take ``rng``, a :class:`numpy.random.Generator` (``np.random.default_rng(0)``).

* :func:`load_digits` - 1797 real handwritten digits, 8x8, shipped with scikit-learn.
* :func:`load_mnist` - reads MNIST (or Fashion-MNIST) IDX files you downloaded yourself.
* :func:`train_test_split`, :func:`batches` - splitting and mini-batching.
* :func:`bars`, :func:`crosses`, :func:`shapes`, :func:`step_edge`, :func:`checkerboard` -
  tiny synthetic images, defined in :mod:`cnnbook.synthetic` and re-exported here.
* :func:`sample_photo` - a real photograph for looking at what a kernel does.
"""
from __future__ import annotations

import gzip
import numbers
import os

import numpy as np

from ._checks import check_bool, check_float_dtype, check_int, check_rng, check_xy, pair
from ._extras import require
from .synthetic import (BAR_NAMES, CROSS_NAMES, SHAPE_NAMES, bars, checkerboard, crosses,
                        shapes, step_edge)

__all__ = [
    "load_digits", "load_mnist", "train_test_split", "batches",
    "bars", "crosses", "shapes", "step_edge", "checkerboard", "sample_photo",
    "BAR_NAMES", "CROSS_NAMES", "SHAPE_NAMES",
]


def load_digits(*, dtype=np.float64) -> tuple[np.ndarray, np.ndarray]:
    r"""The 8x8 handwritten digits of scikit-learn (UCI optical digits, test part).

    1797 greyscale images of the digits 0-9, about 180 per class, from 43 writers.
    The data ship inside the scikit-learn wheel, so this works offline.

    Parameters
    ----------
    dtype : numpy dtype, default ``np.float64``
        Floating-point dtype of ``x``.

    Returns
    -------
    x : ndarray, shape (1797, 1, 8, 8), ``dtype``
        Pixel intensities scaled from 0..16 to [0, 1] (divided by 16).
    y : ndarray, shape (1797,), int64
        The digit shown, 0..9.
    """
    dtype = check_float_dtype(dtype, "dtype", "load_digits")
    require("cnnbook.data.load_digits", "sklearn")
    from sklearn.datasets import load_digits as _sk_load_digits

    digits = _sk_load_digits()
    x = (digits.images / 16.0).astype(dtype)[:, None, :, :]  # N,1,8,8
    y = np.asarray(digits.target, dtype=np.int64)
    return x, y


_IMAGES_MAGIC = 0x00000803  # unsigned byte, 3 dimensions (N, rows, cols)
_LABELS_MAGIC = 0x00000801  # unsigned byte, 1 dimension (N,)


def _read_idx(path, magic: int, what: str) -> np.ndarray:
    """Read one uint8 IDX file (gzip-compressed or raw) whose magic number must be ``magic``."""
    where = "load_mnist"
    path = os.fspath(path)
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":  # gzip magic bytes
        try:
            raw = gzip.decompress(raw)
        except (EOFError, OSError, gzip.BadGzipFile) as err:
            raise ValueError(f"{where}: {what} file {path!r} is a damaged or truncated gzip file ({err})") from None
    ndim = magic & 0xFF
    header_size = 4 + 4 * ndim
    if len(raw) < 4:
        raise ValueError(f"{where}: {what} file {path!r} is truncated: {len(raw)} bytes, too short for an IDX header")
    found = int.from_bytes(raw[:4], "big")
    if found != magic:
        hint = ""
        if found == _LABELS_MAGIC and magic == _IMAGES_MAGIC:
            hint = " (this looks like a labels file; are the two paths swapped?)"
        elif found == _IMAGES_MAGIC and magic == _LABELS_MAGIC:
            hint = " (this looks like an images file; are the two paths swapped?)"
        raise ValueError(
            f"{where}: {what} file {path!r} has magic number 0x{found:08X}, "
            f"expected 0x{magic:08X} (IDX {what}){hint}"
        )
    if len(raw) < header_size:
        raise ValueError(
            f"{where}: {what} file {path!r} is truncated: {len(raw)} bytes, "
            f"the IDX header alone needs {header_size}"
        )
    dims = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    expected = int(np.prod(dims))
    got = len(raw) - header_size
    if got != expected:
        state = "truncated" if got < expected else "longer than its header says"
        raise ValueError(
            f"{where}: {what} file {path!r} is {state}: header gives shape {dims}, "
            f"i.e. {expected} data bytes, got {got}"
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header_size).reshape(dims)


def load_mnist(images_path, labels_path, *, dtype=np.float64) -> tuple[np.ndarray, np.ndarray]:
    r"""Read an MNIST-style image file and label file in the IDX format.

    Nothing is downloaded. Get the four files of MNIST (``train-images-idx3-ubyte.gz``,
    ``train-labels-idx1-ubyte.gz``, ``t10k-images-idx3-ubyte.gz``,
    ``t10k-labels-idx1-ubyte.gz``) from http://yann.lecun.com/exdb/mnist/ or a mirror
    such as https://ossci-datasets.s3.amazonaws.com/mnist/ ; Fashion-MNIST
    (https://github.com/zalandoresearch/fashion-mnist) uses the same format. Files may be
    gzip-compressed or not (detected from the first two bytes, ``1f 8b``).

    Parameters
    ----------
    images_path : str or path-like
        IDX file of images: big-endian magic ``0x00000803``, then N, rows, cols as
        32-bit big-endian integers, then ``N*rows*cols`` unsigned bytes.
    labels_path : str or path-like
        IDX file of labels: magic ``0x00000801``, then N, then N unsigned bytes.
    dtype : numpy dtype, default ``np.float64``
        Floating-point dtype of ``x``. The 60000 training images take 376 MB as
        float64 and half that as ``np.float32``.

    Returns
    -------
    x : ndarray, shape (N, 1, rows, cols), ``dtype``
        Pixel intensities divided by 255, in [0, 1]; (N, 1, 28, 28) for MNIST.
    y : ndarray, shape (N,), int64
        Labels (0..9 for MNIST).

    Raises
    ------
    ValueError
        Naming the file, if a magic number is wrong (e.g. the paths are swapped), a file
        is truncated or longer than its header says, or the two files hold different
        numbers of items.

    Examples
    --------
    >>> x, y = load_mnist("mnist/train-images-idx3-ubyte.gz",
    ...                   "mnist/train-labels-idx1-ubyte.gz")  # doctest: +SKIP
    """
    dtype = check_float_dtype(dtype, "dtype", "load_mnist")
    images = _read_idx(images_path, _IMAGES_MAGIC, "images")  # N,rows,cols uint8
    labels = _read_idx(labels_path, _LABELS_MAGIC, "labels")  # N uint8
    if len(images) != len(labels):
        raise ValueError(
            f"load_mnist: images file {os.fspath(images_path)!r} holds {len(images)} images "
            f"but labels file {os.fspath(labels_path)!r} holds {len(labels)} labels"
        )
    x = (images[:, None, :, :] / 255.0).astype(dtype)  # N,1,rows,cols
    y = labels.astype(np.int64)
    return x, y


# --------------------------------------------------------------------------- splitting

def train_test_split(x: np.ndarray, y: np.ndarray, *, test_size=0.2,
                     rng: np.random.Generator, stratify: bool = False):
    r"""Shuffle and split ``(x, y)`` into a training part and a test part.

    Parameters
    ----------
    x : ndarray, shape (N, ...)
    y : ndarray, shape (N, ...)
    test_size : float in (0, 1) or int, default 0.2
        Fraction of the samples (rounded up) or number of samples put in the test part.
        Both parts must end up non-empty.
    rng : numpy.random.Generator
        Required; the same seed gives the same split.
    stratify : bool, default False
        If True, ``y`` holds class labels (shape (N,)) and every class is split in the
        same ratio, so the class proportions of both parts match those of ``y`` (up to
        rounding of one sample per class).

    Returns
    -------
    x_train : ndarray, shape (N - n_test, ...)
    x_test : ndarray, shape (n_test, ...)
    y_train : ndarray, shape (N - n_test, ...)
    y_test : ndarray, shape (n_test, ...)
        New arrays (copies), each part in random order.
    """
    where = "train_test_split"
    check_xy(x, y, where)
    rng = check_rng(rng, where)
    stratify = check_bool(stratify, "stratify", where)
    n = len(x)
    if isinstance(test_size, (bool, np.bool_)) or not isinstance(test_size, numbers.Real):
        raise TypeError(f"{where}: expected test_size to be a float in (0, 1) or an int, "
                        f"got {test_size!r} ({type(test_size).__name__})")
    if isinstance(test_size, numbers.Integral):
        n_test = int(test_size)
    elif 0 < test_size < 1:
        n_test = int(np.ceil(test_size * n))
    else:
        raise ValueError(f"{where}: expected test_size to be a float in (0, 1) or an int, got {test_size!r}")
    if not 1 <= n_test <= n - 1:
        raise ValueError(
            f"{where}: expected test_size to leave both parts non-empty, got test_size={test_size!r} "
            f"which puts {n_test} of {n} samples in the test part"
        )

    if not stratify:
        perm = rng.permutation(n)
        test_idx, train_idx = perm[:n_test], perm[n_test:]
    else:
        if y.ndim != 1:
            raise ValueError(f"{where}: stratify=True expects class labels y of shape (N,), got {y.shape}")
        classes, y_index = np.unique(y, return_inverse=True)
        counts = np.bincount(y_index, minlength=len(classes))
        # Largest-remainder rounding: per-class test counts that add up to n_test exactly.
        quota = counts * (n_test / n)
        per_class = np.floor(quota).astype(np.int64)
        order = np.argsort(-(quota - per_class), kind="stable")
        per_class[order[: n_test - per_class.sum()]] += 1
        test_parts, train_parts = [], []
        for c in range(len(classes)):
            idx = rng.permutation(np.flatnonzero(y_index == c))
            test_parts.append(idx[: per_class[c]])
            train_parts.append(idx[per_class[c]:])
        test_idx = rng.permutation(np.concatenate(test_parts))
        train_idx = rng.permutation(np.concatenate(train_parts))
    return x[train_idx], x[test_idx], y[train_idx], y[test_idx]


def batches(x: np.ndarray, y: np.ndarray, *, batch_size: int,
            rng: np.random.Generator | None = None, shuffle: bool = True,
            drop_last: bool = False):
    r"""Iterate over mini-batches ``(xb, yb)`` covering every sample once.

    Parameters
    ----------
    x : ndarray, shape (N, ...)
    y : ndarray, shape (N, ...)
    batch_size : int >= 1
    rng : numpy.random.Generator or None
        Used when ``shuffle`` is True; ``None`` means ``np.random.default_rng()``
        (a fresh, unseeded generator: not reproducible).
    shuffle : bool, default True
        Visit the samples in a random order (a new one on every call).
    drop_last : bool, default False
        Skip the final batch when it is smaller than ``batch_size``.

    Yields
    ------
    xb : ndarray, shape (B, ...)
    yb : ndarray, shape (B,...)
        ``B = batch_size`` except possibly for the last batch.

    Notes
    -----
    The arguments are checked when ``batches`` is called, not at the first ``next``.
    """
    where = "batches"
    check_xy(x, y, where)
    batch_size = check_int(batch_size, "batch_size", where, 1)
    shuffle = check_bool(shuffle, "shuffle", where)
    drop_last = check_bool(drop_last, "drop_last", where)
    if shuffle:
        rng = check_rng(rng, where, allow_none=True)
    n = len(x)
    order = rng.permutation(n) if shuffle else np.arange(n)
    stop = n - n % batch_size if drop_last else n
    return _iter_batches(x, y, order, batch_size, stop)


def _iter_batches(x, y, order, batch_size, stop):
    for start in range(0, stop, batch_size):
        idx = order[start:start + batch_size]
        yield x[idx], y[idx]


def sample_photo(*, size=None) -> np.ndarray:
    r"""A real greyscale photograph: Grace Hopper, as shipped with matplotlib.

    Reads ``grace_hopper.jpg`` (600 x 512 pixels) from matplotlib's sample data with
    Pillow and converts it to luminance, :math:`L = 0.299R + 0.587G + 0.114B`.

    Parameters
    ----------
    size : None, int or (int, int)
        ``None`` keeps the full 600 x 512 image. An int ``s`` gives an ``s x s`` image,
        a pair gives ``(out_height, out_width)``: the largest centred crop with that
        aspect ratio that divides into ``k x k`` blocks is averaged block by block
        (``k = min(600 // out_height, 512 // out_width)``), so no pixel is invented.

    Returns
    -------
    image : ndarray, shape (600, 512) or ``size``, float64 in [0, 1]
        Use ``image[None, None]`` for a (1, 1, H, W) batch.
    """
    where = "sample_photo"
    require(f"cnnbook.data.{where}", "matplotlib", "PIL")  # the photo ships with matplotlib
    from matplotlib.cbook import get_sample_data
    from PIL import Image

    with Image.open(get_sample_data("grace_hopper.jpg", asfileobj=False)) as im:
        image = np.asarray(im.convert("L"), dtype=np.float64) / 255.0  # H,W
    if size is None:
        return image
    out_h, out_w = pair(size, "size", where, 1)
    height, width = image.shape
    k = min(height // out_h, width // out_w)  # block side
    if k < 1:
        raise ValueError(
            f"{where}: expected size at most ({height}, {width}) (the photo's size), got {size!r}"
        )
    top = (height - k * out_h) // 2
    left = (width - k * out_w) // 2
    crop = image[top:top + k * out_h, left:left + k * out_w]
    return crop.reshape(out_h, k, out_w, k).mean(axis=(1, 3))  # out_h,out_w
