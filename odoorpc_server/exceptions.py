"""The one error vocabulary: every error the server raises says, as class attributes, how each
protocol family shows it — its Odoo name (JSON-RPC `data.name`, JSON-2 `name`), its XML-RPC fault
code, its label on the legacy `/xmlrpc/` endpoints, and the HTTP status JSON-2 answers with.

Odoo raises builtins (ValueError, AttributeError, KeyError, ...) where a client error is not an
Odoo exception; the "not found" classes below subclass those builtins so that their names and
traceback lines read exactly as Odoo's do.
"""
from __future__ import annotations

from typing import Any, ClassVar

FAULT_APPLICATION, FAULT_WARNING, FAULT_ACCESS_DENIED, FAULT_ACCESS_ERROR = 1, 2, 3, 4


class OdooError(Exception):
    """Odoo's exceptions (odoo.exceptions): a message for the user, shown without traceback."""

    odoo_name: ClassVar[str] = "odoo.exceptions.UserError"
    fault_code: ClassVar[int] = FAULT_WARNING
    legacy_label: ClassVar[str] = "UserError"
    http_status: ClassVar[int] = 422

    def __init__(self, message: str, *args: Any) -> None:
        super().__init__(message, *args)

    @property
    def message(self) -> str:
        return str(self.args[0])

    def __str__(self) -> str:
        return self.message


class UserError(OdooError):
    """A refusal the user can understand (fault 2)."""


class ValidationError(UserError):
    """Data that breaks a constraint (fault 2; the legacy endpoints label it a UserError)."""

    odoo_name = "odoo.exceptions.ValidationError"


class MissingError(UserError):
    """Records that were deleted (fault 2)."""

    odoo_name = "odoo.exceptions.MissingError"
    legacy_label = "MissingError"
    http_status = 404


class AccessError(UserError):
    """An operation the user may not do (fault 4)."""

    odoo_name = "odoo.exceptions.AccessError"
    fault_code = FAULT_ACCESS_ERROR
    legacy_label = "AccessError"
    http_status = 403


class AccessDenied(UserError):
    """Wrong credentials (fault 3; the legacy endpoints answer faultCode 'AccessDenied')."""

    odoo_name = "odoo.exceptions.AccessDenied"
    fault_code = FAULT_ACCESS_DENIED
    legacy_label = "AccessDenied"
    http_status = 403

    def __init__(self, message: str = "Access Denied", *args: Any) -> None:
        super().__init__(message, *args)


class RedirectWarning(OdooError):
    """Odoo's warning with an action (fault 2, legacy label 'Warning'; not a UserError, so JSON-2
    answers 500)."""

    odoo_name = "odoo.exceptions.RedirectWarning"
    legacy_label = "Warning"
    http_status = 500


class SessionExpired(Exception):
    """A web route that needs a logged-in session was called without one (JSON-RPC code 100)."""

    odoo_name: ClassVar[str] = "odoo.http.SessionExpiredException"
    fault_code: ClassVar[int] = FAULT_APPLICATION
    legacy_label: ClassVar[str] = ""
    http_status: ClassVar[int] = 403

    def __init__(self, message: str = "Session expired") -> None:
        super().__init__(message)


class InvalidApiKey(Exception):
    """A JSON-2 bearer key that is unknown, revoked, expired, of another scope or of an archived
    user, or no key at all: werkzeug's Unauthorized as Odoo 19 raises it (HTTP 401)."""

    odoo_name: ClassVar[str] = "werkzeug.exceptions.Unauthorized"
    fault_code: ClassVar[int] = FAULT_ACCESS_DENIED
    legacy_label: ClassVar[str] = "AccessDenied"
    http_status: ClassVar[int] = 401

    def __init__(self, message: str = "Invalid apikey") -> None:
        super().__init__(message)


# -- "not found": builtins subclasses, named as Odoo's tracebacks name them ---------------------

class UnknownModel(UserError):
    """A model name the database does not have. Over RPC Odoo answers a UserError "Object x
    doesn't exist" (fault 2); JSON-2 answers 404 with its own text."""

    http_status = 404

    def __init__(self, model: Any) -> None:
        super().__init__(f"Object {model} doesn't exist")
        self.model = model


class UnknownSignal(UserError):
    """A workflow signal the model has no button for: signals run a record's public button
    method (`action_*`, `button_*`, `toggle_active`), so any other name is refused as a
    resource that does not exist (fault 2, HTTP 404)."""

    http_status = 404

    def __init__(self, model: Any, signal: Any) -> None:
        super().__init__(f"No workflow signal {signal!r} on model {model!r}")
        self.model = model
        self.signal = signal


class UnknownMethod(AttributeError):
    """A public method the model does not have (Odoo's AttributeError, fault 1), worded as each
    Odoo version words it: up to 16 Python's own `type object` text from `getattr`, 17 names
    the model after the method, 18's `get_public_method` names `'<model>.<method>'`."""

    odoo_name: ClassVar[str] = "builtins.AttributeError"
    http_status: ClassVar[int] = 404
    TEXTS: ClassVar[dict[str, str]] = {
        "type_object": "type object '{model}' has no attribute '{method}'",
        "on_model": "The method '{method}' does not exist on the model '{model}'",
        "qualified": "The method '{model}.{method}' does not exist",
    }

    def __init__(self, model: str, method: str, wording: str = "on_model") -> None:
        super().__init__(self.TEXTS[wording].format(model=model, method=method))
        self.model = model
        self.method = method


class UnknownField(ValueError):
    """A field name the model does not have, or one the user may not name (fault 1)."""

    odoo_name: ClassVar[str] = "builtins.ValueError"
    http_status: ClassVar[int] = 500

    def __init__(self, model: str, field: Any) -> None:
        super().__init__(f"Invalid field {field!r} on model {model!r}")
        self.model = model
        self.field = field


class UnknownDatabase(Exception):
    """A database this server does not hold (or does not own): Odoo's driver error, fault 1."""

    odoo_name: ClassVar[str] = "psycopg2.OperationalError"
    http_status: ClassVar[int] = 404

    def __init__(self, name: Any) -> None:
        super().__init__(f'database "{name}" does not exist')
        self.name = name


class DatabaseExists(Warning):
    """`create_database` on a name that is taken (Odoo 17's odoo.service.db.DatabaseExists, a
    builtin Warning: fault 1 with the traceback)."""

    odoo_name: ClassVar[str] = "odoo.service.db.DatabaseExists"

    def __init__(self, name: Any) -> None:
        super().__init__(f"database {name!r} already exists!")


class DuplicateDatabase(Exception):
    """`duplicate_database` onto a taken name: the driver error Odoo lets through (fault 1)."""

    odoo_name: ClassVar[str] = "psycopg2.errors.DuplicateDatabase"

    def __init__(self, name: Any) -> None:
        super().__init__(f'database "{name}" already exists')


class InvalidCatalogName(Exception):
    """`duplicate_database` from a database that does not exist: the driver error Odoo lets
    through (fault 1)."""

    odoo_name: ClassVar[str] = "psycopg2.errors.InvalidCatalogName"

    def __init__(self, name: Any) -> None:
        super().__init__(f'template database "{name}" does not exist')


class UnknownServiceMethod(KeyError):
    """A method a `common` or `db` service does not have (Odoo: KeyError, fault 1)."""

    odoo_name: ClassVar[str] = "builtins.KeyError"

    def __init__(self, method: Any) -> None:
        super().__init__(f"Method not found: {method}")


class UnknownObjectMethod(NameError):
    """A method the `object` service does not have (Odoo: NameError, fault 1)."""

    odoo_name: ClassVar[str] = "builtins.NameError"

    def __init__(self, method: Any) -> None:
        super().__init__(f"Method not available {method}")


class UnknownReport(ValueError):
    """A report name no report action has. Odoo looks the name up as a report, then as an
    external id, so its error is the external-id lookup's ValueError (fault 1); Odoo 10's
    `_lookup_report` raised its own text. JSON-2 and REST answer 404."""

    odoo_name: ClassVar[str] = "builtins.ValueError"
    http_status: ClassVar[int] = 404
    TEXTS: ClassVar[dict[str, str]] = {
        "ref": "External ID not found in the system: {name}",
        "report_xml": "Required report does not exist: {name}",
    }

    def __init__(self, name: Any, wording: str = "ref") -> None:
        super().__init__(self.TEXTS[wording].format(name=name))
        self.name = name


class UnknownReportMethod(KeyError):
    """A method Odoo 10's `report` service does not have (KeyError, fault 1)."""

    odoo_name: ClassVar[str] = "builtins.KeyError"

    def __init__(self, method: Any) -> None:
        super().__init__(f"Method not supported {method}")


def odoo_name(error: BaseException) -> str:
    """The name Odoo's serializers give an exception: `module.Class`, builtins as `builtins.X`."""
    declared = getattr(type(error), "odoo_name", None)
    if isinstance(declared, str):
        return declared
    cls = type(error)
    return f"{cls.__module__}.{cls.__qualname__}"


def fault_code(error: BaseException) -> int:
    return int(getattr(type(error), "fault_code", FAULT_APPLICATION))


def http_status(error: BaseException) -> int:
    return int(getattr(type(error), "http_status", 500))


# -- OAuth (the REST API's credentials) ----------------------------------------------------------

class OAuthFailed(AccessDenied):
    """OAuth credentials that do not authenticate: an unknown, revoked or expired application or
    token, a wrong secret or signature, a replayed nonce (HTTP 401; an AccessDenied everywhere
    else, fault 3)."""

    http_status = 401

    def __init__(self, message: str = "OAuth authentication failed", *args: Any) -> None:
        super().__init__(message, *args)


class OAuthBadRequest(UserError):
    """An OAuth request that is malformed rather than unauthenticated: a missing or unsupported
    parameter, a grant type or response type the server does not offer (HTTP 400)."""

    http_status = 400
