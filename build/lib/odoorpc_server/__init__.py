"""A standalone server that answers Odoo's external API over SQLite or PostgreSQL."""

__version__ = "0.1.0"
