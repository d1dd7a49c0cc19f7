"""pytest plugins that `make test` loads by module name, not test files.

`pytest book/ --nbval ... -p tests.plugins.nbval_record` (see NBVAL in the Makefile)
imports this package from the repository root, which `python -m pytest` puts on
``sys.path``; ``tests/`` itself has no ``__init__.py`` (its test modules import their
helpers by bare name), so ``tests`` resolves as a namespace package and this folder, a
regular one, is where the plugins live. The unit tests reach them as
``plugins.nbval_record`` (pytest puts ``tests/`` on ``sys.path``).
"""
