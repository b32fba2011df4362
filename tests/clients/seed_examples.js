// Runs every example of the "External API" seed document
// (the Odoo external API guide) against a server from Node.js, with the npm
// `xmlrpc` client (the most used XML-RPC client on npm). The document has no JavaScript
// variant, so each call is the Python/Ruby example written as a Node.js user would.
//
// Settings come from the environment: ODOO_URL, ODOO_DB, ODOO_USER, ODOO_PASSWORD
// (and ODOO_SKIP_START=1 to leave out the demo server's /start example).
// Prints one JSON line per example; on the first answer whose shape differs from what
// Odoo 17 returns, prints the reason on stderr and exits 1 (2 for a missing setting).
// JavaScript has one number type, so integers and doubles are not told apart here.
'use strict';

const path = require('path');
const crypto = require('crypto');
const xmlrpc = require(path.join(__dirname, 'node_modules', 'xmlrpc'));

const LANG = 'javascript';

function setting(name) {
  const value = process.env[name];
  if (!value) {
    process.stderr.write(`${LANG}: environment variable ${name} is not set\n`);
    process.exit(2);
  }
  return value;
}

const url = setting('ODOO_URL');
const db = setting('ODOO_DB');
const username = setting('ODOO_USER');
const password = setting('ODOO_PASSWORD');
const suffix = crypto.randomBytes(4).toString('hex');

let current = 'setup';

class Mismatch extends Error {}

function short(value) {
  const text = JSON.stringify(value);
  return text !== undefined && text.length > 600 ? text.slice(0, 600) + '...' : String(text);
}

function check(condition, message, value) {
  if (!condition) {
    throw new Mismatch(value === undefined ? message : `${message}; got: ${short(value)}`);
  }
}

function emit(result) {
  process.stdout.write(JSON.stringify({ lang: LANG, example: current, ok: true, result }) + '\n');
}

function client(endpoint) {
  const target = new URL(endpoint);
  const options = { url: endpoint };
  return target.protocol === 'https:' ? xmlrpc.createSecureClient(options) : xmlrpc.createClient(options);
}

function call(proxy, method, params) {
  return new Promise((resolve, reject) => {
    proxy.methodCall(method, params, (error, value) => (error ? reject(error) : resolve(value)));
  });
}

const isInt = (v) => Number.isInteger(v);
const isBool = (v) => v === true || v === false;
const isIntList = (v) => Array.isArray(v) && v.every(isInt);
const isM2o = (v) => v === false || (Array.isArray(v) && v.length === 2 && isInt(v[0]) && v[0] > 0 && typeof v[1] === 'string');
const isStrOrFalse = (v) => v === false || typeof v === 'string';
const isStruct = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME_RE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const sortedKeys = (o) => Object.keys(o).sort();
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

// The value `read` returns for a field of the given fields_get type, as Odoo 17 marshals it.
function valueFits(type, v) {
  switch (type) {
    case 'boolean': return isBool(v);
    case 'integer': return isInt(v);
    case 'float': case 'monetary': return typeof v === 'number';
    case 'char': case 'text': case 'html': case 'selection': case 'binary': case 'reference': return isStrOrFalse(v);
    case 'date': return v === false || (typeof v === 'string' && DATE_RE.test(v));
    case 'datetime': return v === false || (typeof v === 'string' && DATETIME_RE.test(v));
    case 'many2one': return isM2o(v);
    case 'one2many': case 'many2many': return isIntList(v);
    default: return true;
  }
}

function checkFieldsGet(fields, expectedTypes) {
  check(isStruct(fields) && Object.keys(fields).length > 0, 'fields_get must return a non-empty struct', fields);
  for (const [name, attrs] of Object.entries(fields)) {
    check(isStruct(attrs), `fields_get['${name}'] must be a struct`, attrs);
    const extra = Object.keys(attrs).filter((k) => !['string', 'help', 'type'].includes(k));
    check(extra.length === 0, `fields_get['${name}'] has attributes that were not asked for: ${extra}`, attrs);
    check(typeof attrs.type === 'string', `fields_get['${name}']['type'] must be a string`, attrs);
    check(typeof attrs.string === 'string', `fields_get['${name}']['string'] must be a string`, attrs);
    check(!('help' in attrs) || typeof attrs.help === 'string', `fields_get['${name}']['help'] must be a string`, attrs);
  }
  for (const [name, type] of Object.entries(expectedTypes)) {
    check(name in fields, `fields_get lacks field '${name}'`, Object.keys(fields));
    check(fields[name].type === type, `field '${name}' must have type ${type}`, fields[name]);
  }
}

const BUILTIN_FIELDS = {
  id: 'integer', display_name: 'char',
  create_uid: 'many2one', create_date: 'datetime',
  write_uid: 'many2one', write_date: 'datetime',
};

async function main() {
  const examples = [];
  const example = (name, fn) => examples.push([name, fn]);
  const s = {}; // state carried from one example to the next

  // --- demo: the /start endpoint that hands out a test database -------------------------
  // (skipped with ODOO_SKIP_START=1, for a server that does not offer it)
  example('start', async () => {
    if (process.env.ODOO_SKIP_START === '1') return 'skipped (ODOO_SKIP_START=1)';
    const info = await call(client(`${url}/start`), 'start', []);
    check(isStruct(info) && same(sortedKeys(info), ['database', 'host', 'password', 'user']),
      'start() must return a struct with exactly host, database, user, password', info);
    check(Object.values(info).every((v) => typeof v === 'string'), 'start() values must be strings', info);
    check(info.host.startsWith('http'), 'host must be a URL', info);
    check(info.database !== '' && info.database !== db && info.user === username,
      `start() must name a fresh demo database (not ${db}) and user ${username}`, info);
    return info;
  });

  // --- Logging in -----------------------------------------------------------------------
  const common = client(`${url}/xmlrpc/2/common`);
  example('version', async () => {
    const info = await call(common, 'version', []);
    check(isStruct(info), 'version() must return a struct', info);
    check(same(sortedKeys(info), ['protocol_version', 'server_serie', 'server_version', 'server_version_info']),
      'version() must have exactly the keys server_version, server_version_info, server_serie, protocol_version', info);
    check(info.server_version === '17.0', "server_version must be '17.0'", info);
    check(info.server_serie === '17.0', "server_serie must be '17.0'", info);
    check(same(info.server_version_info, [17, 0, 0, 'final', 0, '']), "server_version_info must be [17, 0, 0, 'final', 0, '']", info);
    check(info.protocol_version === 1, 'protocol_version must be the integer 1', info);
    return info;
  });

  example('authenticate', async () => {
    s.uid = await call(common, 'authenticate', [db, username, password, {}]);
    check(isInt(s.uid) && s.uid > 0, 'authenticate must return the uid as a positive integer', s.uid);
    return s.uid;
  });

  // --- Calling methods ------------------------------------------------------------------
  const models = client(`${url}/xmlrpc/2/object`);
  const executeKw = (...params) => call(models, 'execute_kw', params);

  example('check_access_rights', async () => {
    const result = await executeKw(db, s.uid, password,
      'res.partner', 'check_access_rights',
      ['read'], { raise_exception: false });
    check(result === true, "check_access_rights('read', raise_exception=False) must return true", result);
    return result;
  });

  // --- List records ---------------------------------------------------------------------
  example('search', async () => {
    s.allIds = await executeKw(db, s.uid, password,
      'res.partner', 'search',
      [[['is_company', '=', true]]]);
    check(isIntList(s.allIds), 'search must return an array of integers', s.allIds);
    check(s.allIds.length > 0, 'the demo database must have companies', s.allIds);
    check(new Set(s.allIds).size === s.allIds.length, 'search must not repeat ids', s.allIds);
    return s.allIds;
  });

  example('search_offset_limit', async () => {
    const page = await executeKw(db, s.uid, password,
      'res.partner', 'search',
      [[['is_company', '=', true]]],
      { offset: 10, limit: 5 });
    check(isIntList(page), 'search must return an array of integers', page);
    check(same(page, s.allIds.slice(10, 15)), `offset 10 / limit 5 must be the same slice of the unpaged search ${short(s.allIds)}`, page);
    return page;
  });

  example('search_count', async () => {
    const count = await executeKw(db, s.uid, password,
      'res.partner', 'search_count',
      [[['is_company', '=', true]]]);
    check(isInt(count), 'search_count must return an integer', count);
    check(count === s.allIds.length, `search_count must equal the number of ids search returned (${s.allIds.length})`, count);
    return count;
  });

  // --- Read records ---------------------------------------------------------------------
  example('read', async () => {
    s.ids = await executeKw(db, s.uid, password,
      'res.partner', 'search',
      [[['is_company', '=', true]]],
      { limit: 1 });
    check(isIntList(s.ids) && s.ids.length === 1, 'search with limit 1 must return one integer', s.ids);
    check(same(s.ids, s.allIds.slice(0, 1)), 'search with limit 1 must return the first id of the unpaged search', s.ids);
    const records = await executeKw(db, s.uid, password,
      'res.partner', 'read', [s.ids]);
    check(Array.isArray(records) && records.length === 1, 'read of one id must return an array of one struct', records);
    const [record] = records;
    s.record = record;
    check(isStruct(record), 'read must return structs', record);
    check(record.id === s.ids[0], 'the record must carry its id', record);
    check(typeof record.name === 'string', 'name must be a string', record.name);
    check(isM2o(record.country_id), 'country_id must be false or an [id, name] pair', record.country_id);
    check(record.is_company === true, 'is_company must be true', record.is_company);
    // count the number of fields fetched by default
    return { fields: Object.keys(record).length };
  });

  example('read_fields', async () => {
    const result = await executeKw(db, s.uid, password,
      'res.partner', 'read',
      [s.ids], { fields: ['name', 'country_id', 'comment'] });
    check(Array.isArray(result) && result.length === 1 && isStruct(result[0]), 'read must return an array of one struct', result);
    const rec = result[0];
    check(same(sortedKeys(rec), ['comment', 'country_id', 'id', 'name']), 'read with fields must return exactly id, name, country_id, comment', rec);
    check(rec.id === s.ids[0], 'id must be the id asked for', rec);
    check(typeof rec.name === 'string', 'name must be a string', rec);
    check(isM2o(rec.country_id), 'country_id must be false or an [id, name] pair', rec);
    check(isStrOrFalse(rec.comment), 'comment must be a string or false', rec);
    check(rec.name === s.record.name && same(rec.country_id, s.record.country_id), 'values must match the full read', rec);
    return result;
  });

  // --- Listing record fields ------------------------------------------------------------
  example('fields_get', async () => {
    const fields = await executeKw(
      db, s.uid, password, 'res.partner', 'fields_get',
      [], { attributes: ['string', 'help', 'type'] });
    checkFieldsGet(fields, {
      id: 'integer', name: 'char', country_id: 'many2one', is_company: 'boolean', comment: 'html', display_name: 'char',
    });
    const onlyRead = Object.keys(s.record).filter((k) => !(k in fields));
    const onlyFieldsGet = Object.keys(fields).filter((k) => !(k in s.record));
    check(onlyRead.length === 0 && onlyFieldsGet.length === 0,
      `read without fields must return the fields that fields_get lists; only in read: ${onlyRead}, only in fields_get: ${onlyFieldsGet}`);
    for (const [name, value] of Object.entries(s.record)) {
      const type = fields[name].type;
      check(valueFits(type, value), `read value of '${name}' (${type}) has the wrong shape`, value);
    }
    return { fields: Object.keys(fields).length, name: fields.name, country_id: fields.country_id };
  });

  // --- Search and read ------------------------------------------------------------------
  example('search_read', async () => {
    const result = await executeKw(db, s.uid, password,
      'res.partner', 'search_read',
      [[['is_company', '=', true]]],
      { fields: ['name', 'country_id', 'comment'], limit: 5 });
    check(Array.isArray(result) && result.every(isStruct), 'search_read must return an array of structs', result);
    check(same(result.map((r) => r.id), s.allIds.slice(0, 5)), 'search_read must return the first 5 records of the search, in order', result);
    for (const r of result) {
      check(same(sortedKeys(r), ['comment', 'country_id', 'id', 'name']), 'each record must have exactly id, name, country_id, comment', r);
      check(typeof r.name === 'string' && isM2o(r.country_id) && isStrOrFalse(r.comment), 'wrong value shapes', r);
    }
    return result;
  });

  // --- Create, update, delete -----------------------------------------------------------
  example('create', async () => {
    s.id = await executeKw(db, s.uid, password, 'res.partner', 'create', [{
      name: 'New Partner',
    }]);
    check(isInt(s.id) && s.id > 0, 'create must return the new id as a positive integer', s.id);
    check(!s.allIds.includes(s.id), 'the new id must be new', s.id);
    return s.id;
  });

  example('write', async () => {
    const result = await executeKw(db, s.uid, password, 'res.partner', 'write', [[s.id], {
      name: 'Newer partner',
    }]);
    check(result === true, 'write must return true', result);
    return result;
  });

  example('name_get', async () => {
    // get record name after having changed it
    const result = await executeKw(db, s.uid, password, 'res.partner', 'name_get', [[s.id]]);
    check(same(result, [[s.id, 'Newer partner']]), "name_get must return [[id, 'Newer partner']]", result);
    return result;
  });

  example('unlink', async () => {
    const result = await executeKw(db, s.uid, password, 'res.partner', 'unlink', [[s.id]]);
    check(result === true, 'unlink must return true', result);
    return result;
  });

  example('search_deleted', async () => {
    // check if the deleted record is still in the database
    const result = await executeKw(db, s.uid, password,
      'res.partner', 'search', [[['id', '=', s.id]]]);
    check(same(result, []), 'search for the deleted id must return an empty array', result);
    return result;
  });

  // --- ir.model -------------------------------------------------------------------------
  const customModel = `x_custom_model_${suffix}`;
  example('ir_model_create', async () => {
    const modelId = await executeKw(db, s.uid, password, 'ir.model', 'create', [{
      name: 'Custom Model',
      model: customModel,
      state: 'manual',
    }]);
    check(isInt(modelId) && modelId > 0, 'ir.model create must return the new id as a positive integer', modelId);
    return { model: customModel, id: modelId };
  });

  example('custom_model_fields_get', async () => {
    const fields = await executeKw(
      db, s.uid, password, customModel, 'fields_get',
      [], { attributes: ['string', 'help', 'type'] });
    checkFieldsGet(fields, BUILTIN_FIELDS);
    check(same(sortedKeys(fields), Object.keys(BUILTIN_FIELDS).sort()),
      `a new custom model must have only the built-in fields ${Object.keys(BUILTIN_FIELDS).sort()}`, sortedKeys(fields));
    return fields;
  });

  // --- ir.model.fields ------------------------------------------------------------------
  const custom = `x_custom_${suffix}`;
  example('ir_model_fields_create', async () => {
    const id = await executeKw(db, s.uid, password, 'ir.model', 'create', [{
      name: 'Custom Model',
      model: custom,
      state: 'manual',
    }]);
    check(isInt(id) && id > 0, 'ir.model create must return the new id as a positive integer', id);
    const fieldId = await executeKw(
      db, s.uid, password,
      'ir.model.fields', 'create', [{
        model_id: id,
        name: 'x_name',
        ttype: 'char',
        state: 'manual',
        required: true,
      }]);
    check(isInt(fieldId) && fieldId > 0, 'ir.model.fields create must return the new id as a positive integer', fieldId);
    return { model: custom, model_id: id, field_id: fieldId };
  });

  example('custom_record_create', async () => {
    s.recordId = await executeKw(
      db, s.uid, password,
      custom, 'create', [{
        x_name: 'test record',
      }]);
    check(isInt(s.recordId) && s.recordId > 0, 'create must return the new id as a positive integer', s.recordId);
    return s.recordId;
  });

  example('custom_record_read', async () => {
    const result = await executeKw(db, s.uid, password, custom, 'read', [[s.recordId]]);
    check(Array.isArray(result) && result.length === 1 && isStruct(result[0]), 'read must return an array of one struct', result);
    const rec = result[0];
    const expectedKeys = [...Object.keys(BUILTIN_FIELDS), 'x_name'].sort();
    check(same(sortedKeys(rec), expectedKeys), `the record must have exactly the fields ${expectedKeys}`, rec);
    check(rec.id === s.recordId, 'id must be the id asked for', rec);
    check(rec.x_name === 'test record', "x_name must be 'test record'", rec);
    check(rec.display_name === 'test record', "display_name must be x_name, 'test record'", rec);
    check(isM2o(rec.create_uid) && rec.create_uid !== false && rec.create_uid[0] === s.uid, 'create_uid must be [uid, name]', rec);
    check(isM2o(rec.write_uid) && rec.write_uid !== false && rec.write_uid[0] === s.uid, 'write_uid must be [uid, name]', rec);
    check(typeof rec.create_date === 'string' && DATETIME_RE.test(rec.create_date), "create_date must be 'YYYY-MM-DD HH:MM:SS'", rec);
    check(typeof rec.write_date === 'string' && DATETIME_RE.test(rec.write_date), "write_date must be 'YYYY-MM-DD HH:MM:SS'", rec);
    return result;
  });

  for (const [name, fn] of examples) {
    current = name;
    let result;
    try {
      result = await fn();
    } catch (error) {
      let detail;
      if (error instanceof Mismatch) {
        detail = error.message;
      } else if (error && error.faultCode !== undefined) {
        const lines = String(error.faultString).trim().split('\n');
        detail = `XML-RPC fault ${JSON.stringify(error.faultCode)}: ${lines.slice(-3).join('\n')}`;
      } else {
        detail = `${error && error.name}: ${error && error.message}`;
      }
      process.stdout.write(JSON.stringify({ lang: LANG, example: name, ok: false, error: detail }) + '\n');
      process.stderr.write(`${LANG}: MISMATCH in example '${name}': ${detail}\n`);
      process.exit(1);
    }
    emit(result);
  }
  current = 'done';
  emit('all examples passed');
  // Do not wait for kept-alive HTTP connections to close (stdout is synchronous on pipes).
  process.exit(0);
}

main().catch((error) => {
  process.stderr.write(`${LANG}: unexpected error: ${error && error.stack}\n`);
  process.exit(1);
});
