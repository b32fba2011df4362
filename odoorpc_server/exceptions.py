"""Odoo's exception family: the protocol adapters map each class to Odoo's fault code."""
from __future__ import annotations


class UserError(Exception):
    """A refusal the user can understand (fault 2)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)

    @property
    def message(self) -> str:
        return str(self.args[0])


class ValidationError(UserError):
    """Data that breaks a constraint (fault 2, shown as a UserError in legacy faults)."""


class MissingError(UserError):
    """Records that were deleted (fault 2)."""


class AccessError(UserError):
    """An operation the user may not do (fault 4)."""


class AccessDenied(UserError):
    """Wrong credentials (fault 3)."""

    def __init__(self, message: str = "Access Denied") -> None:
        super().__init__(message)


class RedirectWarning(Exception):
    """Kept for completeness of the fault mapping (fault 2)."""
