import gzip

import numpy as np
import pytest

from cnnbook import data


# --------------------------------------------------------------------------- digits

@pytest.fixture(scope="module")
def digits():
    return data.load_digits()


def test_load_digits_shape_dtype_range(digits):
    x, y = digits
    assert x.shape == (1797, 1, 8, 8) and x.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert x.min() == 0.0 and x.max() == 1.0
    counts = np.bincount(y)
    assert counts.size == 10 and counts.sum() == 1797
    assert counts.min() >= 170 and counts.max() <= 190  # about 180 per class


def test_load_digits_dtype():
    x, _ = data.load_digits(dtype=np.float32)
    assert x.dtype == np.float32


# --------------------------------------------------------------------------- split

def test_split_sizes_and_disjoint():
    x = np.arange(100, dtype=float)[:, None] * np.ones((1, 3))
    y = np.arange(100)
    x_tr, x_te, y_tr, y_te = data.train_test_split(x, y, test_size=0.25, rng=np.random.default_rng(0))
    assert x_tr.shape == (75, 3) and x_te.shape == (25, 3)
    assert set(y_tr).isdisjoint(y_te) and set(y_tr) | set(y_te) == set(range(100))
    np.testing.assert_array_equal(x_tr[:, 0], y_tr)  # rows stay paired with labels
    _, x_te2, _, _ = data.train_test_split(x, y, test_size=7, rng=np.random.default_rng(0))
    assert len(x_te2) == 7


def test_split_deterministic():
    x, y = np.arange(50.0), np.arange(50)
    a = data.train_test_split(x, y, rng=np.random.default_rng(3))
    b = data.train_test_split(x, y, rng=np.random.default_rng(3))
    c = data.train_test_split(x, y, rng=np.random.default_rng(4))
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[3], c[3])


def test_split_stratify_keeps_ratios(digits):
    x, y = digits
    _, x_te, y_tr, y_te = data.train_test_split(x, y, test_size=0.2, rng=np.random.default_rng(0),
                                                stratify=True)
    assert len(y_te) == int(np.ceil(0.2 * 1797))
    ratio = np.bincount(y_te, minlength=10) / np.bincount(y, minlength=10)
    np.testing.assert_allclose(ratio, 0.2, atol=0.01)
    # unbalanced two-class case: 90 / 10
    y2 = np.r_[np.zeros(90, int), np.ones(10, int)]
    _, _, y_tr2, y_te2 = data.train_test_split(np.zeros(100), y2, test_size=0.3,
                                               rng=np.random.default_rng(1), stratify=True)
    assert np.bincount(y_te2).tolist() == [27, 3] and np.bincount(y_tr2).tolist() == [63, 7]


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(test_size=0), ValueError, "non-empty"),
    (dict(test_size=10), ValueError, "non-empty"),
    (dict(test_size=1.5), ValueError, "test_size"),
    (dict(rng=0), TypeError, "numpy.random.Generator"),
])
def test_split_errors(kwargs, exc, match):
    args = dict(test_size=0.2, rng=np.random.default_rng(0)) | kwargs
    with pytest.raises(exc, match=f"train_test_split: .*{match}"):
        data.train_test_split(np.zeros(10), np.zeros(10), **args)
    with pytest.raises(ValueError, match="len\\(x\\)=10 and len\\(y\\)=9"):
        data.train_test_split(np.zeros(10), np.zeros(9), rng=np.random.default_rng(0))


# --------------------------------------------------------------------------- batches

def test_batches_cover_each_sample_once():
    x = np.arange(23.0)[:, None]
    y = np.arange(23)
    rng = np.random.default_rng(0)
    got = list(data.batches(x, y, batch_size=5, rng=rng))
    assert [len(yb) for _, yb in got] == [5, 5, 5, 5, 3]
    seen = np.concatenate([yb for _, yb in got])
    assert sorted(seen) == list(range(23)) and not np.array_equal(seen, y)  # shuffled
    for xb, yb in got:
        np.testing.assert_array_equal(xb[:, 0], yb)
    second = np.concatenate([yb for _, yb in data.batches(x, y, batch_size=5, rng=rng)])
    assert not np.array_equal(seen, second)  # a new order each epoch
    ordered = [yb for _, yb in data.batches(x, y, batch_size=10, shuffle=False, drop_last=True)]
    assert [b.tolist() for b in ordered] == [list(range(10)), list(range(10, 20))]


def test_batches_checks_eagerly():
    with pytest.raises(ValueError, match="batches: expected batch_size >= 1, got 0"):
        data.batches(np.zeros(4), np.zeros(4), batch_size=0)
    with pytest.raises(TypeError, match="batches: expected rng"):
        data.batches(np.zeros(4), np.zeros(4), batch_size=2, rng=42)


# --------------------------------------------------------------------------- MNIST IDX

def _idx_bytes(magic, dims, payload):
    header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in dims)
    return header + payload.astype(np.uint8).tobytes()


def _write(path, blob, compress):
    path.write_bytes(gzip.compress(blob) if compress else blob)
    return path


@pytest.fixture
def idx_arrays():
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, size=(5, 28, 28)), rng.integers(0, 10, size=5)


@pytest.mark.parametrize("compress", [False, True])
def test_load_mnist_round_trip(tmp_path, idx_arrays, compress):
    images, labels = idx_arrays
    ext = ".gz" if compress else ""
    ip = _write(tmp_path / f"img{ext}", _idx_bytes(0x803, images.shape, images), compress)
    lp = _write(tmp_path / f"lab{ext}", _idx_bytes(0x801, labels.shape, labels), compress)
    x, y = data.load_mnist(ip, str(lp))
    assert x.shape == (5, 1, 28, 28) and x.dtype == np.float64
    assert y.dtype == np.int64
    np.testing.assert_array_equal(np.round(x[:, 0] * 255).astype(int), images)
    np.testing.assert_array_equal(y, labels)
    assert data.load_mnist(ip, lp, dtype=np.float32)[0].dtype == np.float32


@pytest.mark.parametrize("compress", [False, True])
def test_load_mnist_errors(tmp_path, idx_arrays, compress):
    images, labels = idx_arrays
    img = _idx_bytes(0x803, images.shape, images)
    lab = _idx_bytes(0x801, labels.shape, labels)
    ip = _write(tmp_path / "img", img, compress)
    lp = _write(tmp_path / "lab", lab, compress)

    with pytest.raises(ValueError, match=r"images file .*lab.* magic number 0x00000801.*swapped"):
        data.load_mnist(lp, ip)
    with pytest.raises(ValueError, match=r"labels file .*img.* magic number 0x00000803.*swapped"):
        data.load_mnist(ip, ip)
    bad = _write(tmp_path / "bad", b"\x00\x00\x08\x02" + img[4:], compress)
    with pytest.raises(ValueError, match=r"images file .*bad.* magic number 0x00000802, expected 0x00000803"):
        data.load_mnist(bad, lp)
    short = _write(tmp_path / "short", img[:-10], compress)
    with pytest.raises(ValueError, match=r"images file .*short.* truncated: .*3920 data bytes, got 3910"):
        data.load_mnist(short, lp)
    tiny = _write(tmp_path / "tiny", img[:6], compress)
    with pytest.raises(ValueError, match=r"tiny.* truncated"):
        data.load_mnist(tiny, lp)
    lab4 = _write(tmp_path / "lab4", _idx_bytes(0x801, (4,), labels[:4]), compress)
    with pytest.raises(ValueError, match=r"holds 5 images but labels file .*lab4.* holds 4 labels"):
        data.load_mnist(ip, lab4)


def test_load_mnist_damaged_gzip(tmp_path, idx_arrays):
    images, labels = idx_arrays
    blob = gzip.compress(_idx_bytes(0x803, images.shape, images))
    (tmp_path / "cut.gz").write_bytes(blob[: len(blob) // 2])
    (tmp_path / "lab").write_bytes(_idx_bytes(0x801, labels.shape, labels))
    with pytest.raises(ValueError, match=r"images file .*cut\.gz.* gzip"):
        data.load_mnist(tmp_path / "cut.gz", tmp_path / "lab")


# --------------------------------------------------------------------------- synthetic

@pytest.mark.parametrize("make, size, classes", [
    (data.bars, 8, 2), (data.crosses, 8, 2), (data.shapes, 16, 3),
])
def test_synthetic_sets(make, size, classes):
    x, y = make(30, rng=np.random.default_rng(0))
    assert x.shape == (30, 1, size, size) and x.dtype == np.float64
    assert y.shape == (30,) and y.dtype == np.int64
    assert np.bincount(y).tolist() == [30 // classes] * classes
    assert x.min() == 0.0 and x.max() == 1.0
    assert (x.reshape(30, -1).sum(axis=1) > 0).all()  # no blank image
    x2, y2 = make(30, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(y, y2)
    xn, _ = make(5, size=12, rng=np.random.default_rng(1), noise=0.1)
    assert xn.shape == (5, 1, 12, 12) and 0 <= xn.min() and xn.max() <= 1
    with pytest.raises(TypeError, match="expected rng"):
        make(3, rng=None)


def test_bars_orientation():
    x, y = data.bars(20, rng=np.random.default_rng(0))
    for img, label in zip(x[:, 0], y):
        rows, cols = np.nonzero(img)
        extent_r, extent_c = np.ptp(rows) + 1, np.ptp(cols) + 1
        assert (extent_c > extent_r) if label == 0 else (extent_r > extent_c)


def test_single_images():
    edge = data.step_edge(6)
    assert edge.tolist()[0] == [0, 0, 0, 1, 1, 1]
    np.testing.assert_array_equal(data.step_edge(6, orientation="horizontal"), edge.T)
    board = data.checkerboard(4, square=2)
    assert board.tolist() == [[0, 0, 1, 1], [0, 0, 1, 1], [1, 1, 0, 0], [1, 1, 0, 0]]
    with pytest.raises(ValueError, match="step_edge: expected orientation"):
        data.step_edge(orientation="diagonal")


def test_sample_photo():
    photo = data.sample_photo()
    assert photo.ndim == 2 and photo.dtype == np.float64
    assert 0 <= photo.min() and photo.max() <= 1 and photo.std() > 0.1
    small = data.sample_photo(size=64)
    assert small.shape == (64, 64) and 0 <= small.min() and small.max() <= 1 and small.std() > 0.1
    assert data.sample_photo(size=(75, 64)).shape == (75, 64)
    # block averaging: a (1,1) image is the mean of the largest centred square crop
    h, w = photo.shape
    k = min(h, w)
    top, left = (h - k) // 2, (w - k) // 2
    np.testing.assert_allclose(data.sample_photo(size=1)[0, 0], photo[top:top + k, left:left + k].mean())
    with pytest.raises(ValueError, match="sample_photo: expected size at most"):
        data.sample_photo(size=10_000)
