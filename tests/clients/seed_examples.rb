# Runs every Ruby example of the "External API" seed document
# (the Odoo external API guide) against a server, with Ruby's own
# XML-RPC client (the `xmlrpc` library: Debian package ruby-xmlrpc, or the gem).
#
# Settings come from the environment: ODOO_URL, ODOO_DB, ODOO_USER, ODOO_PASSWORD
# (and ODOO_SKIP_START=1 to leave out the demo server's /start example).
# Prints one JSON line per example; on the first answer whose shape differs from what
# Odoo 17 returns, prints the reason on stderr and exits 1 (2 for a missing setting).
require "xmlrpc/client"
require "json"
require "securerandom"

LANG_NAME = "ruby"

def setting(name)
  value = ENV[name]
  if value.nil? || value.empty?
    warn "#{LANG_NAME}: environment variable #{name} is not set"
    exit 2
  end
  value
end

url = setting("ODOO_URL")
db = setting("ODOO_DB")
username = setting("ODOO_USER")
password = setting("ODOO_PASSWORD")
suffix = SecureRandom.hex(4)

$example = "setup"

def short(value)
  text = value.inspect
  text.length > 600 ? text[0, 600] + "..." : text
end

def mismatch(message, value = nil)
  detail = value.nil? ? message : "#{message}; got: #{short(value)}"
  puts JSON.generate({ "lang" => LANG_NAME, "example" => $example, "ok" => false, "error" => detail })
  warn "#{LANG_NAME}: MISMATCH in example '#{$example}': #{detail}"
  exit 1
end

def check(condition, message, value = nil)
  mismatch(message, value) unless condition
end

def emit(result)
  puts JSON.generate({ "lang" => LANG_NAME, "example" => $example, "ok" => true, "result" => result })
  $stdout.flush
end

def example(name)
  $example = name
  yield
rescue XMLRPC::FaultException => e
  mismatch("XML-RPC fault #{e.faultCode.inspect}: #{e.faultString.to_s.lines.last(3).join.strip}")
rescue SystemExit
  raise
rescue StandardError => e
  mismatch("#{e.class}: #{e.message}")
end

def int?(v)
  v.is_a?(Integer)
end

def bool?(v)
  v == true || v == false
end

def int_list?(v)
  v.is_a?(Array) && v.all? { |i| int?(i) }
end

def m2o?(v)
  v == false || (v.is_a?(Array) && v.length == 2 && int?(v[0]) && v[0] > 0 && v[1].is_a?(String))
end

def str_or_false?(v)
  v == false || v.is_a?(String)
end

DATE_RE = /\A\d{4}-\d{2}-\d{2}\z/
DATETIME_RE = /\A\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\z/

# The value `read` returns for a field of the given fields_get type, as Odoo 17 marshals it.
def value_fits?(type, v)
  case type
  when "boolean" then bool?(v)
  when "integer" then int?(v)
  when "float", "monetary" then v.is_a?(Float)
  when "char", "text", "html", "selection", "binary", "reference" then str_or_false?(v)
  when "date" then v == false || (v.is_a?(String) && DATE_RE.match?(v))
  when "datetime" then v == false || (v.is_a?(String) && DATETIME_RE.match?(v))
  when "many2one" then m2o?(v)
  when "one2many", "many2many" then int_list?(v)
  else true
  end
end

def check_fields_get(fields, expected_types)
  check(fields.is_a?(Hash) && !fields.empty?, "fields_get must return a non-empty struct", fields)
  fields.each do |name, attrs|
    check(attrs.is_a?(Hash), "fields_get['#{name}'] must be a struct", attrs)
    extra = attrs.keys - %w[string help type]
    check(extra.empty?, "fields_get['#{name}'] has attributes that were not asked for: #{extra}", attrs)
    check(attrs["type"].is_a?(String), "fields_get['#{name}']['type'] must be a string", attrs)
    check(attrs["string"].is_a?(String), "fields_get['#{name}']['string'] must be a string", attrs)
    check(!attrs.key?("help") || attrs["help"].is_a?(String), "fields_get['#{name}']['help'] must be a string", attrs)
  end
  expected_types.each do |name, type|
    check(fields.key?(name), "fields_get lacks field '#{name}'", fields.keys)
    check(fields[name]["type"] == type, "field '#{name}' must have type #{type}", fields[name])
  end
end

BUILTIN_FIELDS = {
  "id" => "integer", "display_name" => "char",
  "create_uid" => "many2one", "create_date" => "datetime",
  "write_uid" => "many2one", "write_date" => "datetime",
}.freeze

# --- demo: the /start endpoint that hands out a test database ---------------------------
# (skipped with ODOO_SKIP_START=1, for a server that does not offer it)
example("start") do
  if ENV["ODOO_SKIP_START"] == "1"
    emit("skipped (ODOO_SKIP_START=1)")
  else
    info = XMLRPC::Client.new2("#{url}/start").call('start')
    check(info.is_a?(Hash) && info.keys.sort == %w[database host password user],
          "start() must return a struct with exactly host, database, user, password", info)
    check(info.values.all? { |v| v.is_a?(String) }, "start() values must be strings", info)
    check(info['host'].start_with?("http"), "host must be a URL", info)
    check(info['database'] != '' && info['database'] != db && info['user'] == username,
          "start() must name a fresh demo database (not #{db}) and user #{username}", info)
    emit(info)
  end
end

# --- Logging in -------------------------------------------------------------------------
common = nil
example("version") do
  common = XMLRPC::Client.new2("#{url}/xmlrpc/2/common")
  info = common.call('version')
  check(info.is_a?(Hash), "version() must return a struct", info)
  check(info.keys.sort == %w[protocol_version server_serie server_version server_version_info],
        "version() must have exactly the keys server_version, server_version_info, server_serie, protocol_version", info)
  check(info["server_version"] == "17.0", "server_version must be '17.0'", info)
  check(info["server_serie"] == "17.0", "server_serie must be '17.0'", info)
  check(info["server_version_info"] == [17, 0, 0, "final", 0, ""], "server_version_info must be [17, 0, 0, 'final', 0, '']", info)
  check(info["protocol_version"] == 1, "protocol_version must be the integer 1", info)
  emit(info)
end

uid = nil
example("authenticate") do
  uid = common.call('authenticate', db, username, password, {})
  check(int?(uid) && uid > 0, "authenticate must return the uid as a positive integer", uid)
  emit(uid)
end

# --- Calling methods --------------------------------------------------------------------
models = nil
example("check_access_rights") do
  models = XMLRPC::Client.new2("#{url}/xmlrpc/2/object").proxy
  result = models.execute_kw(db, uid, password,
      'res.partner', 'check_access_rights',
      ['read'], {raise_exception: false})
  check(result == true, "check_access_rights('read', raise_exception=False) must return true", result)
  emit(result)
end

# --- List records -----------------------------------------------------------------------
all_ids = nil
example("search") do
  all_ids = models.execute_kw(db, uid, password,
      'res.partner', 'search',
      [[['is_company', '=', true]]])
  check(int_list?(all_ids), "search must return an array of integers", all_ids)
  check(!all_ids.empty?, "the demo database must have companies", all_ids)
  check(all_ids.uniq.length == all_ids.length, "search must not repeat ids", all_ids)
  emit(all_ids)
end

example("search_offset_limit") do
  page = models.execute_kw(db, uid, password,
      'res.partner', 'search',
      [[['is_company', '=', true]]],
      {offset: 10, limit: 5})
  check(int_list?(page), "search must return an array of integers", page)
  check(page == (all_ids[10, 5] || []), "offset 10 / limit 5 must be the same slice of the unpaged search #{short(all_ids)}", page)
  emit(page)
end

example("search_count") do
  count = models.execute_kw(db, uid, password,
      'res.partner', 'search_count',
      [[['is_company', '=', true]]])
  check(int?(count), "search_count must return an integer", count)
  check(count == all_ids.length, "search_count must equal the number of ids search returned (#{all_ids.length})", count)
  emit(count)
end

# --- Read records -----------------------------------------------------------------------
ids = nil
record = nil
example("read") do
  ids = models.execute_kw(db, uid, password,
      'res.partner', 'search',
      [[['is_company', '=', true]]],
      {limit: 1})
  check(int_list?(ids) && ids.length == 1, "search with limit 1 must return one integer", ids)
  check(ids == all_ids[0, 1], "search with limit 1 must return the first id of the unpaged search", ids)
  records = models.execute_kw(db, uid, password,
      'res.partner', 'read', [ids])
  check(records.is_a?(Array) && records.length == 1, "read of one id must return an array of one struct", records)
  record = records.first
  check(record.is_a?(Hash), "read must return structs", record)
  check(record["id"] == ids[0], "the record must carry its id", record)
  check(record["name"].is_a?(String), "name must be a string", record["name"])
  check(m2o?(record["country_id"]), "country_id must be false or an [id, name] pair", record["country_id"])
  check(bool?(record["is_company"]) && record["is_company"], "is_company must be true", record["is_company"])
  # count the number of fields fetched by default
  emit({ "fields" => record.length })
end

example("read_fields") do
  result = models.execute_kw(db, uid, password,
      'res.partner', 'read',
      [ids], {fields: %w(name country_id comment)})
  check(result.is_a?(Array) && result.length == 1 && result[0].is_a?(Hash), "read must return an array of one struct", result)
  rec = result[0]
  check(rec.keys.sort == %w[comment country_id id name], "read with fields must return exactly id, name, country_id, comment", rec)
  check(rec["id"] == ids[0], "id must be the id asked for", rec)
  check(rec["name"].is_a?(String), "name must be a string", rec)
  check(m2o?(rec["country_id"]), "country_id must be false or an [id, name] pair", rec)
  check(str_or_false?(rec["comment"]), "comment must be a string or false", rec)
  check(rec["name"] == record["name"] && rec["country_id"] == record["country_id"], "values must match the full read", rec)
  emit(result)
end

# --- Listing record fields --------------------------------------------------------------
example("fields_get") do
  fields = models.execute_kw(
      db, uid, password, 'res.partner', 'fields_get',
      [], {attributes: %w(string help type)})
  check_fields_get(fields, { "id" => "integer", "name" => "char", "country_id" => "many2one",
                             "is_company" => "boolean", "comment" => "html", "display_name" => "char" })
  # The default read above must have returned every field fields_get lists, each value
  # in the shape of its type.
  check(record.keys.sort == fields.keys.sort,
        "read without fields must return the fields that fields_get lists; only in read: #{record.keys - fields.keys}, only in fields_get: #{fields.keys - record.keys}")
  record.each do |name, value|
    type = fields[name]["type"]
    check(value_fits?(type, value), "read value of '#{name}' (#{type}) has the wrong shape", value)
  end
  emit({ "fields" => fields.length, "name" => fields["name"], "country_id" => fields["country_id"] })
end

# --- Search and read --------------------------------------------------------------------
example("search_read") do
  result = models.execute_kw(db, uid, password,
      'res.partner', 'search_read',
      [[['is_company', '=', true]]],
      {fields: %w(name country_id comment), limit: 5})
  check(result.is_a?(Array) && result.all? { |r| r.is_a?(Hash) }, "search_read must return an array of structs", result)
  check(result.map { |r| r["id"] } == all_ids[0, 5], "search_read must return the first 5 records of the search, in order", result)
  result.each do |r|
    check(r.keys.sort == %w[comment country_id id name], "each record must have exactly id, name, country_id, comment", r)
    check(r["name"].is_a?(String) && m2o?(r["country_id"]) && str_or_false?(r["comment"]), "wrong value shapes", r)
  end
  emit(result)
end

# --- Create, update, delete -------------------------------------------------------------
id = nil
example("create") do
  id = models.execute_kw(db, uid, password, 'res.partner', 'create', [{
    name: "New Partner",
  }])
  check(int?(id) && id > 0, "create must return the new id as a positive integer", id)
  check(!all_ids.include?(id), "the new id must be new", id)
  emit(id)
end

example("write") do
  result = models.execute_kw(db, uid, password, 'res.partner', 'write', [[id], {
    name: "Newer partner"
  }])
  check(result == true, "write must return true", result)
  emit(result)
end

example("name_get") do
  # get record name after having changed it
  result = models.execute_kw(db, uid, password, 'res.partner', 'name_get', [[id]])
  check(result == [[id, "Newer partner"]], "name_get must return [[id, 'Newer partner']]", result)
  emit(result)
end

example("unlink") do
  result = models.execute_kw(db, uid, password, 'res.partner', 'unlink', [[id]])
  check(result == true, "unlink must return true", result)
  emit(result)
end

example("search_deleted") do
  # check if the deleted record is still in the database
  result = models.execute_kw(db, uid, password,
      'res.partner', 'search', [[['id', '=', id]]])
  check(result == [], "search for the deleted id must return an empty array", result)
  emit(result)
end

# --- ir.model ---------------------------------------------------------------------------
custom_model = "x_custom_model_#{suffix}"
example("ir_model_create") do
  model_id = models.execute_kw(
      db, uid, password,
      'ir.model', 'create', [{
          name: "Custom Model",
          model: custom_model,
          state: 'manual'
      }])
  check(int?(model_id) && model_id > 0, "ir.model create must return the new id as a positive integer", model_id)
  emit({ "model" => custom_model, "id" => model_id })
end

example("custom_model_fields_get") do
  fields = models.execute_kw(
      db, uid, password, custom_model, 'fields_get',
      [], {attributes: %w(string help type)})
  check_fields_get(fields, BUILTIN_FIELDS)
  check(fields.keys.sort == BUILTIN_FIELDS.keys.sort,
        "a new custom model must have only the built-in fields #{BUILTIN_FIELDS.keys.sort}", fields.keys.sort)
  emit(fields)
end

# --- ir.model.fields --------------------------------------------------------------------
custom = "x_custom_#{suffix}"
model_id = nil
record_id = nil
example("ir_model_fields_create") do
  model_id = models.execute_kw(
      db, uid, password,
      'ir.model', 'create', [{
          name: "Custom Model",
          model: custom,
          state: 'manual'
      }])
  check(int?(model_id) && model_id > 0, "ir.model create must return the new id as a positive integer", model_id)
  field_id = models.execute_kw(
      db, uid, password,
      'ir.model.fields', 'create', [{
          model_id: model_id,
          name: "x_name",
          ttype: "char",
          state: "manual",
          required: true
      }])
  check(int?(field_id) && field_id > 0, "ir.model.fields create must return the new id as a positive integer", field_id)
  emit({ "model" => custom, "model_id" => model_id, "field_id" => field_id })
end

example("custom_record_create") do
  record_id = models.execute_kw(
      db, uid, password,
      custom, 'create', [{
          x_name: "test record"
      }])
  check(int?(record_id) && record_id > 0, "create must return the new id as a positive integer", record_id)
  emit(record_id)
end

example("custom_record_read") do
  result = models.execute_kw(
      db, uid, password,
      custom, 'read', [[record_id]])
  check(result.is_a?(Array) && result.length == 1 && result[0].is_a?(Hash), "read must return an array of one struct", result)
  rec = result[0]
  expected_keys = (BUILTIN_FIELDS.keys + ["x_name"]).sort
  check(rec.keys.sort == expected_keys, "the record must have exactly the fields #{expected_keys}", rec)
  check(rec["id"] == record_id, "id must be the id asked for", rec)
  check(rec["x_name"] == "test record", "x_name must be 'test record'", rec)
  check(rec["display_name"] == "test record", "display_name must be x_name, 'test record'", rec)
  check(m2o?(rec["create_uid"]) && rec["create_uid"] != false && rec["create_uid"][0] == uid, "create_uid must be [uid, name]", rec)
  check(m2o?(rec["write_uid"]) && rec["write_uid"] != false && rec["write_uid"][0] == uid, "write_uid must be [uid, name]", rec)
  check(rec["create_date"].is_a?(String) && DATETIME_RE.match?(rec["create_date"]), "create_date must be 'YYYY-MM-DD HH:MM:SS'", rec)
  check(rec["write_date"].is_a?(String) && DATETIME_RE.match?(rec["write_date"]), "write_date must be 'YYYY-MM-DD HH:MM:SS'", rec)
  emit(result)
end

$example = "done"
emit("all examples passed")
