"""Per-model behaviour: one module per Odoo model whose behaviour goes beyond the generic ORM
(its hooks, computed fields, display name, name-search fields). Importing the package registers
every class; models without a module here (custom ones included) use the generic BaseModel."""
from odoorpc_server.models import (  # noqa: F401
    ir_attachment,
    ir_model,
    ir_model_access,
    ir_model_data,
    ir_model_fields,
    ir_module_module,
    ir_rule,
    res_company,
    res_country,
    res_country_state,
    res_groups,
    res_lang,
    res_partner,
    res_partner_category,
    res_users,
    res_users_apikeys_description,
    res_users_identitycheck,
)
