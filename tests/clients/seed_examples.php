<?php
/**
 * Runs every PHP example of the "External API" seed document
 * (the Odoo external API guide) against a server, with PHP's xmlrpc
 * extension (Debian package php-xmlrpc) behind a Ripcord-compatible client
 * (php/ripcord_compat.php: Ripcord itself is not installable here).
 *
 * Settings come from the environment: ODOO_URL, ODOO_DB, ODOO_USER, ODOO_PASSWORD
 * (and ODOO_SKIP_START=1 to leave out the demo server's /start example).
 * Prints one JSON line per example; on the first answer whose shape differs from what
 * Odoo 17 returns, prints the reason on stderr and exits 1 (2 for a missing setting).
 * PHP decodes an empty struct and an empty array alike, as array().
 */

const LANG_NAME = 'php';

if (!function_exists('xmlrpc_encode_request')) {
    fwrite(STDERR, LANG_NAME . ": the xmlrpc extension is not loaded (apt-get install php-xmlrpc)\n");
    exit(3);
}
require_once(__DIR__ . '/php/ripcord_compat.php');

function setting($name)
{
    $value = getenv($name);
    if ($value === false || $value === '') {
        fwrite(STDERR, LANG_NAME . ": environment variable $name is not set\n");
        exit(2);
    }
    return $value;
}

$url = setting('ODOO_URL');
$db = setting('ODOO_DB');
$username = setting('ODOO_USER');
$password = setting('ODOO_PASSWORD');
$suffix = bin2hex(random_bytes(4));

$GLOBALS['example'] = 'setup';

class Mismatch extends Exception
{
}

function to_json($value)
{
    return json_encode($value, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_PRESERVE_ZERO_FRACTION | JSON_PARTIAL_OUTPUT_ON_ERROR);
}

function short($value)
{
    $text = to_json($value);
    return strlen($text) > 600 ? substr($text, 0, 600) . '...' : $text;
}

function check($condition, $message, $value = null)
{
    if (!$condition) {
        throw new Mismatch(func_num_args() < 3 ? $message : "$message; got: " . short($value));
    }
}

function emit($result)
{
    echo to_json(array('lang' => LANG_NAME, 'example' => $GLOBALS['example'], 'ok' => true, 'result' => $result)), "\n";
}

function example($name, $fn)
{
    $GLOBALS['example'] = $name;
    try {
        $result = $fn();
    } catch (Mismatch $e) {
        $detail = $e->getMessage();
    } catch (RipcordRemoteException $e) {
        $lines = explode("\n", trim((string)$e->faultString));
        $detail = 'XML-RPC fault ' . var_export($e->faultCode, true) . ': ' . implode("\n", array_slice($lines, -3));
    } catch (Throwable $e) {
        $detail = get_class($e) . ': ' . $e->getMessage();
    }
    if (isset($detail)) {
        echo to_json(array('lang' => LANG_NAME, 'example' => $name, 'ok' => false, 'error' => $detail)), "\n";
        fwrite(STDERR, LANG_NAME . ": MISMATCH in example '$name': $detail\n");
        exit(1);
    }
    emit($result);
}

function is_list($v)
{
    return is_array($v) && ($v === array() || array_keys($v) === range(0, count($v) - 1));
}

function is_struct($v)
{
    return is_array($v) && ($v === array() || !is_list($v));
}

function is_int_list($v)
{
    if (!is_list($v)) {
        return false;
    }
    foreach ($v as $i) {
        if (!is_int($i)) {
            return false;
        }
    }
    return true;
}

function is_m2o($v)
{
    return $v === false || (is_list($v) && count($v) === 2 && is_int($v[0]) && $v[0] > 0 && is_string($v[1]));
}

function is_str_or_false($v)
{
    return $v === false || is_string($v);
}

const DATE_RE = '/^\d{4}-\d{2}-\d{2}$/';
const DATETIME_RE = '/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/';

function sorted_keys($a)
{
    $keys = array_map('strval', array_keys($a));
    sort($keys);
    return $keys;
}

/** The value `read` returns for a field of the given fields_get type, as Odoo 17 marshals it. */
function value_fits($type, $v)
{
    switch ($type) {
        case 'boolean': return is_bool($v);
        case 'integer': return is_int($v);
        case 'float': case 'monetary': return is_float($v);
        case 'char': case 'text': case 'html': case 'selection': case 'binary': case 'reference': return is_str_or_false($v);
        case 'date': return $v === false || (is_string($v) && preg_match(DATE_RE, $v));
        case 'datetime': return $v === false || (is_string($v) && preg_match(DATETIME_RE, $v));
        case 'many2one': return is_m2o($v);
        case 'one2many': case 'many2many': return is_int_list($v);
        default: return true;
    }
}

function check_fields_get($fields, $expected_types)
{
    check(is_struct($fields) && count($fields) > 0, 'fields_get must return a non-empty struct', $fields);
    foreach ($fields as $name => $attrs) {
        check(is_struct($attrs), "fields_get['$name'] must be a struct", $attrs);
        $extra = array_diff(array_keys($attrs), array('string', 'help', 'type'));
        check(count($extra) === 0, "fields_get['$name'] has attributes that were not asked for: " . implode(',', $extra), $attrs);
        check(isset($attrs['type']) && is_string($attrs['type']), "fields_get['$name']['type'] must be a string", $attrs);
        check(isset($attrs['string']) && is_string($attrs['string']), "fields_get['$name']['string'] must be a string", $attrs);
        check(!array_key_exists('help', $attrs) || is_string($attrs['help']), "fields_get['$name']['help'] must be a string", $attrs);
    }
    foreach ($expected_types as $name => $type) {
        check(array_key_exists($name, $fields), "fields_get lacks field '$name'", array_keys($fields));
        check($fields[$name]['type'] === $type, "field '$name' must have type $type", $fields[$name]);
    }
}

$BUILTIN_FIELDS = array(
    'id' => 'integer', 'display_name' => 'char',
    'create_uid' => 'many2one', 'create_date' => 'datetime',
    'write_uid' => 'many2one', 'write_date' => 'datetime',
);

// --- demo: the /start endpoint that hands out a test database ---------------------------
// (skipped with ODOO_SKIP_START=1, for a server that does not offer it)
example('start', function () use ($url, $db, $username) {
    if (getenv('ODOO_SKIP_START') === '1') {
        return 'skipped (ODOO_SKIP_START=1)';
    }
    $info = ripcord::client("$url/start")->start();
    check(is_struct($info) && sorted_keys($info) === array('database', 'host', 'password', 'user'),
        'start() must return a struct with exactly host, database, user, password', $info);
    list($s_url, $s_db, $s_username, $s_password) =
      array($info['host'], $info['database'], $info['user'], $info['password']);
    check(is_string($s_url) && is_string($s_db) && is_string($s_username) && is_string($s_password), 'start() values must be strings', $info);
    check(strpos($s_url, 'http') === 0, 'host must be a URL', $info);
    check($s_db !== '' && $s_db !== $db && $s_username === $username,
        "start() must name a fresh demo database (not $db) and user $username", $info);
    return $info;
});

// --- Logging in -------------------------------------------------------------------------
$common = ripcord::client("$url/xmlrpc/2/common");
example('version', function () use ($common) {
    $info = $common->version();
    check(is_struct($info), 'version() must return a struct', $info);
    check(sorted_keys($info) === array('protocol_version', 'server_serie', 'server_version', 'server_version_info'),
        'version() must have exactly the keys server_version, server_version_info, server_serie, protocol_version', $info);
    check($info['server_version'] === '17.0', "server_version must be '17.0'", $info);
    check($info['server_serie'] === '17.0', "server_serie must be '17.0'", $info);
    check($info['server_version_info'] === array(17, 0, 0, 'final', 0, ''), "server_version_info must be [17, 0, 0, 'final', 0, '']", $info);
    check($info['protocol_version'] === 1, 'protocol_version must be the integer 1', $info);
    return $info;
});

$uid = null;
example('authenticate', function () use ($common, $db, $username, $password, &$uid) {
    $uid = $common->authenticate($db, $username, $password, array());
    check(is_int($uid) && $uid > 0, 'authenticate must return the uid as a positive integer', $uid);
    return $uid;
});

// --- Calling methods --------------------------------------------------------------------
$models = ripcord::client("$url/xmlrpc/2/object");
example('check_access_rights', function () use ($models, $db, &$uid, $password) {
    $result = $models->execute_kw($db, $uid, $password,
        'res.partner', 'check_access_rights',
        array('read'), array('raise_exception' => false));
    check($result === true, "check_access_rights('read', raise_exception=False) must return true", $result);
    return $result;
});

// --- List records -----------------------------------------------------------------------
$all_ids = null;
example('search', function () use ($models, $db, &$uid, $password, &$all_ids) {
    $all_ids = $models->execute_kw($db, $uid, $password,
        'res.partner', 'search', array(
            array(array('is_company', '=', true))));
    check(is_int_list($all_ids), 'search must return an array of integers', $all_ids);
    check(count($all_ids) > 0, 'the demo database must have companies', $all_ids);
    check(count(array_unique($all_ids)) === count($all_ids), 'search must not repeat ids', $all_ids);
    return $all_ids;
});

example('search_offset_limit', function () use ($models, $db, &$uid, $password, &$all_ids) {
    $page = $models->execute_kw($db, $uid, $password,
        'res.partner', 'search',
        array(array(array('is_company', '=', true))),
        array('offset'=>10, 'limit'=>5));
    check(is_int_list($page), 'search must return an array of integers', $page);
    check($page === array_slice($all_ids, 10, 5), 'offset 10 / limit 5 must be the same slice of the unpaged search ' . short($all_ids), $page);
    return $page;
});

example('search_count', function () use ($models, $db, &$uid, $password, &$all_ids) {
    $count = $models->execute_kw($db, $uid, $password,
        'res.partner', 'search_count',
        array(array(array('is_company', '=', true))));
    check(is_int($count), 'search_count must return an integer', $count);
    check($count === count($all_ids), 'search_count must equal the number of ids search returned (' . count($all_ids) . ')', $count);
    return $count;
});

// --- Read records -----------------------------------------------------------------------
$ids = null;
$record = null;
example('read', function () use ($models, $db, &$uid, $password, &$all_ids, &$ids, &$record) {
    $ids = $models->execute_kw($db, $uid, $password,
        'res.partner', 'search',
        array(array(array('is_company', '=', true))),
        array('limit'=>1));
    check(is_int_list($ids) && count($ids) === 1, 'search with limit 1 must return one integer', $ids);
    check($ids === array_slice($all_ids, 0, 1), 'search with limit 1 must return the first id of the unpaged search', $ids);
    $records = $models->execute_kw($db, $uid, $password,
        'res.partner', 'read', array($ids));
    check(is_list($records) && count($records) === 1, 'read of one id must return an array of one struct', $records);
    $record = $records[0];
    check(is_struct($record), 'read must return structs', $record);
    check(isset($record['id']) && $record['id'] === $ids[0], 'the record must carry its id', $record);
    check(is_string($record['name'] ?? null), 'name must be a string', $record['name'] ?? null);
    check(is_m2o($record['country_id'] ?? null), 'country_id must be false or an [id, name] pair', $record['country_id'] ?? null);
    check(($record['is_company'] ?? null) === true, 'is_company must be true', $record['is_company'] ?? null);
    // count the number of fields fetched by default
    return array('fields' => count($records[0]));
});

example('read_fields', function () use ($models, $db, &$uid, $password, &$ids, &$record) {
    $result = $models->execute_kw($db, $uid, $password,
        'res.partner', 'read',
        array($ids),
        array('fields'=>array('name', 'country_id', 'comment')));
    check(is_list($result) && count($result) === 1 && is_struct($result[0]), 'read must return an array of one struct', $result);
    $rec = $result[0];
    check(sorted_keys($rec) === array('comment', 'country_id', 'id', 'name'), 'read with fields must return exactly id, name, country_id, comment', $rec);
    check($rec['id'] === $ids[0], 'id must be the id asked for', $rec);
    check(is_string($rec['name']), 'name must be a string', $rec);
    check(is_m2o($rec['country_id']), 'country_id must be false or an [id, name] pair', $rec);
    check(is_str_or_false($rec['comment']), 'comment must be a string or false', $rec);
    check($rec['name'] === $record['name'] && $rec['country_id'] === $record['country_id'], 'values must match the full read', $rec);
    return $result;
});

// --- Listing record fields --------------------------------------------------------------
example('fields_get', function () use ($models, $db, &$uid, $password, &$record) {
    $fields = $models->execute_kw($db, $uid, $password,
        'res.partner', 'fields_get',
        array(), array('attributes' => array('string', 'help', 'type')));
    check_fields_get($fields, array('id' => 'integer', 'name' => 'char', 'country_id' => 'many2one',
        'is_company' => 'boolean', 'comment' => 'html', 'display_name' => 'char'));
    $only_read = array_diff(array_keys($record), array_keys($fields));
    $only_fields_get = array_diff(array_keys($fields), array_keys($record));
    check(count($only_read) === 0 && count($only_fields_get) === 0,
        'read without fields must return the fields that fields_get lists; only in read: ' . implode(',', $only_read)
        . ', only in fields_get: ' . implode(',', $only_fields_get));
    foreach ($record as $name => $value) {
        $type = $fields[$name]['type'];
        check(value_fits($type, $value), "read value of '$name' ($type) has the wrong shape", $value);
    }
    return array('fields' => count($fields), 'name' => $fields['name'], 'country_id' => $fields['country_id']);
});

// --- Search and read --------------------------------------------------------------------
example('search_read', function () use ($models, $db, &$uid, $password, &$all_ids) {
    $result = $models->execute_kw($db, $uid, $password,
        'res.partner', 'search_read',
        array(array(array('is_company', '=', true))),
        array('fields'=>array('name', 'country_id', 'comment'), 'limit'=>5));
    check(is_list($result), 'search_read must return an array of structs', $result);
    check(array_map(function ($r) { return $r['id'] ?? null; }, $result) === array_slice($all_ids, 0, 5),
        'search_read must return the first 5 records of the search, in order', $result);
    foreach ($result as $r) {
        check(is_struct($r) && sorted_keys($r) === array('comment', 'country_id', 'id', 'name'), 'each record must have exactly id, name, country_id, comment', $r);
        check(is_string($r['name']) && is_m2o($r['country_id']) && is_str_or_false($r['comment']), 'wrong value shapes', $r);
    }
    return $result;
});

// --- Create, update, delete -------------------------------------------------------------
$id = null;
example('create', function () use ($models, $db, &$uid, $password, &$all_ids, &$id) {
    $id = $models->execute_kw($db, $uid, $password,
        'res.partner', 'create',
        array(array('name'=>"New Partner")));
    check(is_int($id) && $id > 0, 'create must return the new id as a positive integer', $id);
    check(!in_array($id, $all_ids, true), 'the new id must be new', $id);
    return $id;
});

example('write', function () use ($models, $db, &$uid, $password, &$id) {
    $result = $models->execute_kw($db, $uid, $password, 'res.partner', 'write',
        array(array($id), array('name'=>"Newer partner")));
    check($result === true, 'write must return true', $result);
    return $result;
});

example('name_get', function () use ($models, $db, &$uid, $password, &$id) {
    // get record name after having changed it
    $result = $models->execute_kw($db, $uid, $password,
        'res.partner', 'name_get', array(array($id)));
    check($result === array(array($id, 'Newer partner')), "name_get must return [[id, 'Newer partner']]", $result);
    return $result;
});

example('unlink', function () use ($models, $db, &$uid, $password, &$id) {
    $result = $models->execute_kw($db, $uid, $password,
        'res.partner', 'unlink',
        array(array($id)));
    check($result === true, 'unlink must return true', $result);
    return $result;
});

example('search_deleted', function () use ($models, $db, &$uid, $password, &$id) {
    // check if the deleted record is still in the database
    $result = $models->execute_kw($db, $uid, $password,
        'res.partner', 'search',
        array(array(array('id', '=', $id))));
    check($result === array(), 'search for the deleted id must return an empty array', $result);
    return $result;
});

// --- ir.model ---------------------------------------------------------------------------
$custom_model = "x_custom_model_$suffix";
example('ir_model_create', function () use ($models, $db, &$uid, $password, $custom_model) {
    $model_id = $models->execute_kw(
        $db, $uid, $password,
        'ir.model', 'create', array(array(
            'name' => "Custom Model",
            'model' => $custom_model,
            'state' => 'manual'
        ))
    );
    check(is_int($model_id) && $model_id > 0, 'ir.model create must return the new id as a positive integer', $model_id);
    return array('model' => $custom_model, 'id' => $model_id);
});

example('custom_model_fields_get', function () use ($models, $db, &$uid, $password, $custom_model, $BUILTIN_FIELDS) {
    $fields = $models->execute_kw(
        $db, $uid, $password,
        $custom_model, 'fields_get',
        array(),
        array('attributes' => array('string', 'help', 'type'))
    );
    check_fields_get($fields, $BUILTIN_FIELDS);
    check(sorted_keys($fields) === sorted_keys($BUILTIN_FIELDS),
        'a new custom model must have only the built-in fields ' . implode(',', sorted_keys($BUILTIN_FIELDS)), sorted_keys($fields));
    return $fields;
});

// --- ir.model.fields --------------------------------------------------------------------
$custom = "x_custom_$suffix";
$record_id = null;
example('ir_model_fields_create', function () use ($models, $db, &$uid, $password, $custom) {
    $id = $models->execute_kw(
        $db, $uid, $password,
        'ir.model', 'create', array(array(
            'name' => "Custom Model",
            'model' => $custom,
            'state' => 'manual'
        ))
    );
    check(is_int($id) && $id > 0, 'ir.model create must return the new id as a positive integer', $id);
    $field_id = $models->execute_kw(
        $db, $uid, $password,
        'ir.model.fields', 'create', array(array(
            'model_id' => $id,
            'name' => 'x_name',
            'ttype' => 'char',
            'state' => 'manual',
            'required' => true
        ))
    );
    check(is_int($field_id) && $field_id > 0, 'ir.model.fields create must return the new id as a positive integer', $field_id);
    return array('model' => $custom, 'model_id' => $id, 'field_id' => $field_id);
});

example('custom_record_create', function () use ($models, $db, &$uid, $password, $custom, &$record_id) {
    $record_id = $models->execute_kw(
        $db, $uid, $password,
        $custom, 'create', array(array(
            'x_name' => "test record"
        ))
    );
    check(is_int($record_id) && $record_id > 0, 'create must return the new id as a positive integer', $record_id);
    return $record_id;
});

example('custom_record_read', function () use ($models, $db, &$uid, $password, $custom, &$record_id, $BUILTIN_FIELDS) {
    $result = $models->execute_kw(
        $db, $uid, $password,
        $custom, 'read',
        array(array($record_id)));
    check(is_list($result) && count($result) === 1 && is_struct($result[0]), 'read must return an array of one struct', $result);
    $rec = $result[0];
    $expected_keys = array_merge(array_keys($BUILTIN_FIELDS), array('x_name'));
    sort($expected_keys);
    check(sorted_keys($rec) === $expected_keys, 'the record must have exactly the fields ' . implode(',', $expected_keys), $rec);
    check($rec['id'] === $record_id, 'id must be the id asked for', $rec);
    check($rec['x_name'] === 'test record', "x_name must be 'test record'", $rec);
    check($rec['display_name'] === 'test record', "display_name must be x_name, 'test record'", $rec);
    check(is_m2o($rec['create_uid']) && $rec['create_uid'] !== false && $rec['create_uid'][0] === $uid, 'create_uid must be [uid, name]', $rec);
    check(is_m2o($rec['write_uid']) && $rec['write_uid'] !== false && $rec['write_uid'][0] === $uid, 'write_uid must be [uid, name]', $rec);
    check(is_string($rec['create_date']) && preg_match(DATETIME_RE, $rec['create_date']), "create_date must be 'YYYY-MM-DD HH:MM:SS'", $rec);
    check(is_string($rec['write_date']) && preg_match(DATETIME_RE, $rec['write_date']), "write_date must be 'YYYY-MM-DD HH:MM:SS'", $rec);
    return $result;
});

$GLOBALS['example'] = 'done';
emit('all examples passed');
