"""cnnbook: backpropagation through convolutional networks, in plain numpy.

Modules, one per idea the book teaches:

* :mod:`cnnbook.functional` - forward/backward kernels (``*_naive`` loop twins beside
  the vectorized ones): convolution, pooling, linear, activations, batch norm.
* :mod:`cnnbook.layers` - thin layer classes over the kernels and ``Sequential``.
* :mod:`cnnbook.losses` - MSE, (binary) cross-entropy, softmax; each returns ``(loss, grad)``.
* :mod:`cnnbook.optim` - gradient descent, SGD (momentum, Nesterov), Adam, schedules.
* :mod:`cnnbook.gradcheck` - central-difference gradient checks.
* :mod:`cnnbook.train` - ``fit``/``evaluate``/``predict`` and weight files.
* :mod:`cnnbook.data` - the 8x8 digits, MNIST IDX reader, synthetic images, a photo.
* :mod:`cnnbook.exercises` - ``check(name, fn)``: tests a reader's own backward pass
  against the kernels above and diagnoses typical mistakes.
"""
__version__ = "0.1.0"
