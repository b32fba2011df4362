"""Databases: one SQLite file or one PostgreSQL database per Odoo database."""
