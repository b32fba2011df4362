"""The protocol-agnostic services: common, object and db, as Odoo names them."""
