"""cnnbook: backpropagation through convolutional networks, in plain numpy.

Modules, one per idea the book teaches:

* :mod:`cnnbook.functional` - forward/backward kernels (``*_naive`` loop twins beside
  the vectorized ones): convolution, pooling, linear, activations, batch norm.
* :mod:`cnnbook.layers` - thin layer classes over the kernels and ``Sequential``.
* :mod:`cnnbook.losses` - MSE, (binary) cross-entropy, softmax; each returns ``(loss, grad)``.
* :mod:`cnnbook.optim` - gradient descent, SGD (momentum, Nesterov), Adam, schedules.
* :mod:`cnnbook.gradcheck` - central-difference gradient checks.
* :mod:`cnnbook.train` - ``fit``/``evaluate``/``predict`` and weight files.
* :mod:`cnnbook.parallel` - data parallelism: ``fit(..., workers=k)`` runs the shards of
  every batch on ``k`` threads and sums their gradients.
* :mod:`cnnbook.data` - the 8x8 digits, MNIST IDX reader, splitting and batches, a photo
  (and :mod:`cnnbook.synthetic`, tiny synthetic images).
* :mod:`cnnbook.exercises` - ``check(name, fn)``: tests a reader's own backward pass
  against the kernels above and diagnoses typical mistakes.

Computation the book's figures show (core, numpy only, tested like the kernels):

* :mod:`cnnbook.im2col` - the textbook im2col/col2im matrix layout.
* :mod:`cnnbook.transposed_conv` - a convolution's input gradient as a transposed
  convolution (zero insertion, padding, ``output_padding``).
* :mod:`cnnbook.signal_propagation` - activation and gradient scales through deep stacks.
* :mod:`cnnbook.analysis` - saliency, gradient norms by layer, feature maps, shifted inputs.
* :mod:`cnnbook.receptive_field` - which inputs an output reads (as a formula and
  measured); one output's gradients.
* :mod:`cnnbook.conv_shapes` - a convolution's output size, argument checks, and its
  parameter and multiply-add counts (standard vs depthwise-separable).
* :mod:`cnnbook.memory` - the bytes each layer's cache keeps; ``Checkpoint`` (recompute
  a segment's forward pass in its backward pass instead of storing it).
* :mod:`cnnbook.modes` - forward- vs reverse-mode differentiation of a chain of Jacobians.
* :mod:`cnnbook.gates` - the four gate patterns of a backward pass on one small graph.
* :mod:`cnnbook.layer_checks` - gradient checks of single kernels with a one-line verdict.
* :mod:`cnnbook.quadratic` - quadratic test functions and gradient-descent rates.
* :mod:`cnnbook.loops` - short training loops written out step by step.

Drawing (needs the ``book`` extra: ``pip install 'cnnbook[book]'``), importing only the
modules above: :mod:`cnnbook.viz` (figures, by what they draw) and :mod:`cnnbook.widgets`
(ipywidgets explorers, each wiring controls to one figure).

Speed setting: :func:`set_small_gemm_limit` holds the kernels' small matrix products to one
BLAS thread (on by default: safe when the cores are shared; see ``cnnbook._blas``).
"""
from ._blas import set_small_gemm_limit

__version__ = "0.1.0"
__all__ = ["set_small_gemm_limit"]
