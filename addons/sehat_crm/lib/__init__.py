"""Plain-Python domain logic for Sehat CRM.

Nothing in this package imports the Odoo ORM: the models feed these functions
plain values, and ``lib/tests`` tests them without a database.
"""
