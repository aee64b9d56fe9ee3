"""pytest plugin for the pure-Python ``lib/`` tests of the add-ons.

``lib/tests`` import ``sehat_crm.lib.x``. Importing that normally runs the
add-on's ``__init__.py``, which loads its Odoo models. This plugin registers
every add-on under ``addons/`` as a bare package (its ``__path__`` only), so
``lib`` code and its tests load without Odoo and without a database — which is
also the proof that ``lib`` stays free of ORM imports.

Used by ``make test`` as ``-p pytest_addon_lib`` with ``tests/`` on PYTHONPATH.
"""
import os
import sys
import types

ADDONS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'addons')


def _register_bare_addons():
    for name in sorted(os.listdir(ADDONS)):
        path = os.path.join(ADDONS, name)
        if os.path.isfile(os.path.join(path, '__manifest__.py')) and name not in sys.modules:
            module = types.ModuleType(name)
            module.__path__ = [path]
            module.__file__ = os.path.join(path, '__init__.py')
            sys.modules[name] = module


_register_bare_addons()


def pytest_configure(config):
    if 'odoo' in sys.modules:
        raise RuntimeError('lib tests must not import odoo; run them with -p no:odoo')
