// Runs every Java example of the "External API" seed document
// (the Odoo external API guide) against a server.
//
// The document uses Apache XML-RPC (org.apache.xmlrpc:xmlrpc-client 3.1.3), which this
// machine cannot install (Maven Central is out of reach and Debian no longer packages it).
// This program uses aXMLRPC (Debian package libaxmlrpc-java), another Java XML-RPC client
// that answers in the same Java types as Apache's: Integer, Double, Boolean, String,
// Object[] for arrays and Map for structs. Each call keeps the document's Apache shape
// (`execute(models, "execute_kw", asList(...))`, results cast as the document casts them).
//
// Run: java -cp /usr/share/java/axmlrpc.jar SeedExamples.java   (Java 11+ source launcher)
// Settings come from the environment: ODOO_URL, ODOO_DB, ODOO_USER, ODOO_PASSWORD
// (and ODOO_SKIP_START=1 to leave out the demo server's /start example).
// Prints one JSON line per example; on the first answer whose shape differs from what
// Odoo 17 returns, prints the reason on stderr and exits 1 (2 for a missing setting).

import static java.util.Arrays.asList;
import static java.util.Collections.emptyList;
import static java.util.Collections.emptyMap;

import de.timroes.axmlrpc.XMLRPCClient;
import de.timroes.axmlrpc.XMLRPCServerException;

import java.net.URL;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

@SuppressWarnings({"unchecked", "rawtypes", "serial"})
public class SeedExamples {
    static final String LANG = "java";
    static String current = "setup";

    static class Mismatch extends RuntimeException {
        Mismatch(String message) { super(message); }
    }

    interface Example { Object run() throws Exception; }

    static String setting(String name) {
        String value = System.getenv(name);
        if (value == null || value.isEmpty()) {
            System.err.println(LANG + ": environment variable " + name + " is not set");
            System.exit(2);
        }
        return value;
    }

    // --- a small JSON writer for the report lines -------------------------------------------
    static String json(Object v) {
        StringBuilder sb = new StringBuilder();
        writeJson(sb, v);
        return sb.toString();
    }

    static void writeJson(StringBuilder sb, Object v) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof String) {
            sb.append('"');
            for (char c : ((String) v).toCharArray()) {
                switch (c) {
                    case '"': sb.append("\\\""); break;
                    case '\\': sb.append("\\\\"); break;
                    case '\n': sb.append("\\n"); break;
                    case '\r': sb.append("\\r"); break;
                    case '\t': sb.append("\\t"); break;
                    default:
                        if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                        else sb.append(c);
                }
            }
            sb.append('"');
        } else if (v instanceof Boolean || v instanceof Integer || v instanceof Long || v instanceof Double) {
            sb.append(v);
        } else if (v instanceof Map) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry e : ((Map<?, ?>) v).entrySet()) {
                if (!first) sb.append(',');
                first = false;
                writeJson(sb, String.valueOf(e.getKey()));
                sb.append(':');
                writeJson(sb, e.getValue());
            }
            sb.append('}');
        } else if (v instanceof Object[] || v instanceof List) {
            List<?> items = v instanceof Object[] ? Arrays.asList((Object[]) v) : (List<?>) v;
            sb.append('[');
            for (int i = 0; i < items.size(); i++) {
                if (i > 0) sb.append(',');
                writeJson(sb, items.get(i));
            }
            sb.append(']');
        } else {
            writeJson(sb, v.getClass().getName() + ":" + v);
        }
    }

    static String shortJson(Object v) {
        String text = json(v);
        return text.length() > 600 ? text.substring(0, 600) + "..." : text;
    }

    static void check(boolean condition, String message) {
        if (!condition) throw new Mismatch(message);
    }

    static void check(boolean condition, String message, Object value) {
        if (!condition) throw new Mismatch(message + "; got: " + shortJson(value));
    }

    static void example(String name, Example body) {
        current = name;
        Object result;
        String detail = null;
        try {
            result = body.run();
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("lang", LANG);
            line.put("example", name);
            line.put("ok", true);
            line.put("result", result);
            System.out.println(json(line));
            System.out.flush();
            return;
        } catch (Mismatch e) {
            detail = e.getMessage();
        } catch (XMLRPCServerException e) {
            String[] lines = String.valueOf(e.getMessage()).trim().split("\n");
            detail = "XML-RPC fault " + e.getErrorNr() + ": "
                + String.join("\n", Arrays.copyOfRange(lines, Math.max(0, lines.length - 3), lines.length));
        } catch (Exception e) {
            detail = e.getClass().getName() + ": " + e.getMessage()
                + (e.getCause() != null ? " (cause: " + e.getCause() + ")" : "");
        }
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("lang", LANG);
        line.put("example", name);
        line.put("ok", false);
        line.put("error", detail);
        System.out.println(json(line));
        System.err.println(LANG + ": MISMATCH in example '" + name + "': " + detail);
        System.exit(1);
    }

    // --- shape checks -------------------------------------------------------------------------
    static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
    static final Pattern DATETIME = Pattern.compile("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}");

    static boolean isFalse(Object v) { return Boolean.FALSE.equals(v); }

    static boolean isIntArray(Object v) {
        if (!(v instanceof Object[])) return false;
        for (Object o : (Object[]) v) if (!(o instanceof Integer)) return false;
        return true;
    }

    static boolean isM2o(Object v) {
        if (isFalse(v)) return true;
        if (!(v instanceof Object[])) return false;
        Object[] pair = (Object[]) v;
        return pair.length == 2 && pair[0] instanceof Integer && (Integer) pair[0] > 0 && pair[1] instanceof String;
    }

    static boolean isStrOrFalse(Object v) { return isFalse(v) || v instanceof String; }

    /** The value `read` returns for a field of the given fields_get type, as Odoo 17 marshals it. */
    static boolean valueFits(String type, Object v) {
        switch (type) {
            case "boolean": return v instanceof Boolean;
            case "integer": return v instanceof Integer;
            case "float": case "monetary": return v instanceof Double;
            case "char": case "text": case "html": case "selection": case "binary": case "reference": return isStrOrFalse(v);
            case "date": return isFalse(v) || (v instanceof String && DATE.matcher((String) v).matches());
            case "datetime": return isFalse(v) || (v instanceof String && DATETIME.matcher((String) v).matches());
            case "many2one": return isM2o(v);
            case "one2many": case "many2many": return isIntArray(v);
            default: return true;
        }
    }

    static List<Object> list(Object v) { return Arrays.asList((Object[]) v); }

    static Set<String> keys(Object map) { return new TreeSet<>(((Map<String, Object>) map).keySet()); }

    static Set<String> setOf(String... names) { return new TreeSet<>(asList(names)); }

    static void checkFieldsGet(Object result, Map<String, String> expectedTypes) {
        check(result instanceof Map && !((Map) result).isEmpty(), "fields_get must return a non-empty struct", result);
        Map<String, Object> fields = (Map<String, Object>) result;
        Set<String> allowed = setOf("string", "help", "type");
        for (Map.Entry<String, Object> e : fields.entrySet()) {
            String name = e.getKey();
            check(e.getValue() instanceof Map, "fields_get['" + name + "'] must be a struct", e.getValue());
            Map<String, Object> attrs = (Map<String, Object>) e.getValue();
            Set<String> extra = new TreeSet<>(attrs.keySet());
            extra.removeAll(allowed);
            check(extra.isEmpty(), "fields_get['" + name + "'] has attributes that were not asked for: " + extra, attrs);
            check(attrs.get("type") instanceof String, "fields_get['" + name + "']['type'] must be a string", attrs);
            check(attrs.get("string") instanceof String, "fields_get['" + name + "']['string'] must be a string", attrs);
            check(!attrs.containsKey("help") || attrs.get("help") instanceof String,
                "fields_get['" + name + "']['help'] must be a string", attrs);
        }
        for (Map.Entry<String, String> e : expectedTypes.entrySet()) {
            check(fields.containsKey(e.getKey()), "fields_get lacks field '" + e.getKey() + "'", fields.keySet());
            Map<String, Object> attrs = (Map<String, Object>) fields.get(e.getKey());
            check(e.getValue().equals(attrs.get("type")), "field '" + e.getKey() + "' must have type " + e.getValue(), attrs);
        }
    }

    static final Map<String, String> BUILTIN_FIELDS = new LinkedHashMap<String, String>() {{
        put("id", "integer");
        put("display_name", "char");
        put("create_uid", "many2one");
        put("create_date", "datetime");
        put("write_uid", "many2one");
        put("write_date", "datetime");
    }};

    /** Apache XML-RPC's `client.execute(method, List params)`, on aXMLRPC. */
    static Object execute(XMLRPCClient client, String method, List<?> params) throws Exception {
        return client.call(method, params.toArray());
    }

    // state carried from one example to the next
    static XMLRPCClient common, models;
    static int uid;
    static List<Object> allIds, ids;
    static Map<String, Object> record;
    static Integer id, recordId;

    public static void main(String[] args) throws Exception {
        final String url = setting("ODOO_URL"),
                      db = setting("ODOO_DB"),
                username = setting("ODOO_USER"),
                password = setting("ODOO_PASSWORD");
        byte[] random = new byte[4];
        new SecureRandom().nextBytes(random);
        final String suffix = String.format("%08x", java.nio.ByteBuffer.wrap(random).getInt());

        // --- demo: the /start endpoint that hands out a test database -----------------------
        // (skipped with ODOO_SKIP_START=1, for a server that does not offer it)
        example("start", () -> {
            if ("1".equals(System.getenv("ODOO_SKIP_START"))) return "skipped (ODOO_SKIP_START=1)";
            final XMLRPCClient client = new XMLRPCClient(new URL(String.format("%s/start", url)));
            final Object result = execute(client, "start", emptyList());
            check(result instanceof Map && keys(result).equals(setOf("host", "database", "user", "password")),
                "start() must return a struct with exactly host, database, user, password", result);
            final Map<String, Object> info = (Map<String, Object>) result;
            for (Object v : info.values()) check(v instanceof String, "start() values must be strings", info);
            check(((String) info.get("host")).startsWith("http"), "host must be a URL", info);
            check(!"".equals(info.get("database")) && !db.equals(info.get("database"))
                    && username.equals(info.get("user")),
                "start() must name a fresh demo database (not " + db + ") and user " + username, info);
            return info;
        });

        // --- Logging in ---------------------------------------------------------------------
        common = new XMLRPCClient(new URL(String.format("%s/xmlrpc/2/common", url)));
        example("version", () -> {
            Object result = execute(common, "version", emptyList());
            check(result instanceof Map, "version() must return a struct", result);
            Map<String, Object> info = (Map<String, Object>) result;
            check(keys(info).equals(setOf("server_version", "server_version_info", "server_serie", "protocol_version")),
                "version() must have exactly the keys server_version, server_version_info, server_serie, protocol_version", info);
            check("17.0".equals(info.get("server_version")), "server_version must be '17.0'", info);
            check("17.0".equals(info.get("server_serie")), "server_serie must be '17.0'", info);
            check(info.get("server_version_info") instanceof Object[]
                && list(info.get("server_version_info")).equals(asList(17, 0, 0, "final", 0, "")),
                "server_version_info must be [17, 0, 0, 'final', 0, '']", info);
            check(Integer.valueOf(1).equals(info.get("protocol_version")), "protocol_version must be the integer 1", info);
            return info;
        });

        example("authenticate", () -> {
            Object result = execute(common, "authenticate", asList(
                db, username, password, emptyMap()));
            check(result instanceof Integer && (Integer) result > 0, "authenticate must return the uid as a positive integer", result);
            uid = (int) result;
            return uid;
        });

        // --- Calling methods ----------------------------------------------------------------
        models = new XMLRPCClient(new URL(String.format("%s/xmlrpc/2/object", url)));
        example("check_access_rights", () -> {
            Object result = execute(models, "execute_kw", asList(
                db, uid, password,
                "res.partner", "check_access_rights",
                asList("read"),
                new HashMap() {{ put("raise_exception", false); }}
            ));
            check(Boolean.TRUE.equals(result), "check_access_rights('read', raise_exception=False) must return true", result);
            return result;
        });

        // --- List records -------------------------------------------------------------------
        example("search", () -> {
            Object result = execute(models, "execute_kw", asList(
                db, uid, password,
                "res.partner", "search",
                asList(asList(
                    asList("is_company", "=", true)))
            ));
            check(isIntArray(result), "search must return an array of integers", result);
            allIds = asList((Object[]) result);
            check(!allIds.isEmpty(), "the demo database must have companies", result);
            check(new HashSet<>(allIds).size() == allIds.size(), "search must not repeat ids", result);
            return allIds;
        });

        example("search_offset_limit", () -> {
            Object result = execute(models, "execute_kw", asList(
                db, uid, password,
                "res.partner", "search",
                asList(asList(
                    asList("is_company", "=", true))),
                new HashMap() {{ put("offset", 10); put("limit", 5); }}
            ));
            check(isIntArray(result), "search must return an array of integers", result);
            List<Object> page = asList((Object[]) result);
            List<Object> expected = allIds.subList(Math.min(10, allIds.size()), Math.min(15, allIds.size()));
            check(page.equals(expected), "offset 10 / limit 5 must be the same slice of the unpaged search " + shortJson(allIds), page);
            return page;
        });

        example("search_count", () -> {
            Object result = execute(models, "execute_kw", asList(
                db, uid, password,
                "res.partner", "search_count",
                asList(asList(
                    asList("is_company", "=", true)))
            ));
            check(result instanceof Integer, "search_count must return an integer", result);
            check((Integer) result == allIds.size(),
                "search_count must equal the number of ids search returned (" + allIds.size() + ")", result);
            return result;
        });

        // --- Read records -------------------------------------------------------------------
        example("read", () -> {
            Object found = execute(models,
                "execute_kw", asList(
                    db, uid, password,
                    "res.partner", "search",
                    asList(asList(
                        asList("is_company", "=", true))),
                    new HashMap() {{ put("limit", 1); }}));
            check(isIntArray(found) && ((Object[]) found).length == 1, "search with limit 1 must return one integer", found);
            ids = asList((Object[]) found);
            check(ids.equals(allIds.subList(0, 1)), "search with limit 1 must return the first id of the unpaged search", ids);
            Object result = execute(models,
                "execute_kw", asList(
                    db, uid, password,
                    "res.partner", "read",
                    asList(ids)
                ));
            check(result instanceof Object[] && ((Object[]) result).length == 1 && ((Object[]) result)[0] instanceof Map,
                "read of one id must return an array of one struct", result);
            record = (Map) ((Object[]) result)[0];
            check(ids.get(0).equals(record.get("id")), "the record must carry its id", record);
            check(record.get("name") instanceof String, "name must be a string", record.get("name"));
            check(isM2o(record.get("country_id")), "country_id must be false or an [id, name] pair", record.get("country_id"));
            check(Boolean.TRUE.equals(record.get("is_company")), "is_company must be true", record.get("is_company"));
            // count the number of fields fetched by default
            return new LinkedHashMap() {{ put("fields", record.size()); }};
        });

        example("read_fields", () -> {
            Object result = execute(models, "execute_kw", asList(
                db, uid, password,
                "res.partner", "read",
                asList(ids),
                new HashMap() {{
                    put("fields", asList("name", "country_id", "comment"));
                }}
            ));
            check(result instanceof Object[] && ((Object[]) result).length == 1 && ((Object[]) result)[0] instanceof Map,
                "read must return an array of one struct", result);
            Map<String, Object> rec = (Map) ((Object[]) result)[0];
            check(keys(rec).equals(setOf("id", "name", "country_id", "comment")),
                "read with fields must return exactly id, name, country_id, comment", rec);
            check(ids.get(0).equals(rec.get("id")), "id must be the id asked for", rec);
            check(rec.get("name") instanceof String, "name must be a string", rec);
            check(isM2o(rec.get("country_id")), "country_id must be false or an [id, name] pair", rec);
            check(isStrOrFalse(rec.get("comment")), "comment must be a string or false", rec);
            check(rec.get("name").equals(record.get("name")) && json(rec.get("country_id")).equals(json(record.get("country_id"))),
                "values must match the full read", rec);
            return result;
        });

        // --- Listing record fields ----------------------------------------------------------
        example("fields_get", () -> {
            Object result = (Map<String, Map<String, Object>>) execute(models, "execute_kw", asList(
                db, uid, password,
                "res.partner", "fields_get",
                emptyList(),
                new HashMap() {{
                    put("attributes", asList("string", "help", "type"));
                }}
            ));
            checkFieldsGet(result, new LinkedHashMap<String, String>() {{
                put("id", "integer"); put("name", "char"); put("country_id", "many2one");
                put("is_company", "boolean"); put("comment", "html"); put("display_name", "char");
            }});
            Map<String, Object> fields = (Map<String, Object>) result;
            Set<String> onlyRead = new TreeSet<>(record.keySet());
            onlyRead.removeAll(fields.keySet());
            Set<String> onlyFieldsGet = new TreeSet<>(fields.keySet());
            onlyFieldsGet.removeAll(record.keySet());
            check(onlyRead.isEmpty() && onlyFieldsGet.isEmpty(),
                "read without fields must return the fields that fields_get lists; only in read: " + onlyRead
                    + ", only in fields_get: " + onlyFieldsGet);
            for (Map.Entry<String, Object> e : record.entrySet()) {
                String type = (String) ((Map<String, Object>) fields.get(e.getKey())).get("type");
                check(valueFits(type, e.getValue()), "read value of '" + e.getKey() + "' (" + type + ") has the wrong shape", e.getValue());
            }
            return new LinkedHashMap() {{
                put("fields", fields.size()); put("name", fields.get("name")); put("country_id", fields.get("country_id"));
            }};
        });

        // --- Search and read ----------------------------------------------------------------
        example("search_read", () -> {
            Object result = execute(models, "execute_kw", asList(
                db, uid, password,
                "res.partner", "search_read",
                asList(asList(
                    asList("is_company", "=", true))),
                new HashMap() {{
                    put("fields", asList("name", "country_id", "comment"));
                    put("limit", 5);
                }}
            ));
            check(result instanceof Object[], "search_read must return an array of structs", result);
            List<Object> got = new ArrayList<>();
            for (Object r : (Object[]) result) {
                check(r instanceof Map, "search_read must return an array of structs", result);
                Map<String, Object> rec = (Map<String, Object>) r;
                check(keys(rec).equals(setOf("id", "name", "country_id", "comment")),
                    "each record must have exactly id, name, country_id, comment", rec);
                check(rec.get("name") instanceof String && isM2o(rec.get("country_id")) && isStrOrFalse(rec.get("comment")),
                    "wrong value shapes", rec);
                got.add(rec.get("id"));
            }
            check(got.equals(allIds.subList(0, Math.min(5, allIds.size()))),
                "search_read must return the first 5 records of the search, in order", result);
            return result;
        });

        // --- Create, update, delete ---------------------------------------------------------
        example("create", () -> {
            Object result = execute(models, "execute_kw", asList(
                db, uid, password,
                "res.partner", "create",
                asList(new HashMap() {{ put("name", "New Partner"); }})
            ));
            check(result instanceof Integer && (Integer) result > 0, "create must return the new id as a positive integer", result);
            id = (Integer) result;
            check(!allIds.contains(id), "the new id must be new", id);
            return id;
        });

        example("write", () -> {
            Object result = execute(models, "execute_kw", asList(
                db, uid, password,
                "res.partner", "write",
                asList(
                    asList(id),
                    new HashMap() {{ put("name", "Newer partner"); }}
                )
            ));
            check(Boolean.TRUE.equals(result), "write must return true", result);
            return result;
        });

        example("name_get", () -> {
            // get record name after having changed it
            Object result = execute(models, "execute_kw", asList(
                db, uid, password,
                "res.partner", "name_get",
                asList(asList(id))
            ));
            check(json(result).equals(json(asList(asList(id, "Newer partner")))), "name_get must return [[id, 'Newer partner']]", result);
            check(result instanceof Object[] && ((Object[]) result)[0] instanceof Object[], "name_get must return arrays", result);
            return result;
        });

        example("unlink", () -> {
            Object result = execute(models, "execute_kw", asList(
                db, uid, password,
                "res.partner", "unlink",
                asList(asList(id))));
            check(Boolean.TRUE.equals(result), "unlink must return true", result);
            return result;
        });

        example("search_deleted", () -> {
            // check if the deleted record is still in the database
            Object result = execute(models, "execute_kw", asList(
                db, uid, password,
                "res.partner", "search",
                asList(asList(asList("id", "=", id)))
            ));
            check(result instanceof Object[] && ((Object[]) result).length == 0, "search for the deleted id must return an empty array", result);
            return result;
        });

        // --- ir.model -----------------------------------------------------------------------
        final String customModel = "x_custom_model_" + suffix;
        example("ir_model_create", () -> {
            Object result = execute(models,
                "execute_kw", asList(
                    db, uid, password,
                    "ir.model", "create",
                    asList(new HashMap<String, Object>() {{
                        put("name", "Custom Model");
                        put("model", customModel);
                        put("state", "manual");
                    }})
            ));
            check(result instanceof Integer && (Integer) result > 0, "ir.model create must return the new id as a positive integer", result);
            return new LinkedHashMap() {{ put("model", customModel); put("id", result); }};
        });

        example("custom_model_fields_get", () -> {
            final Object fields = execute(models,
                "execute_kw", asList(
                    db, uid, password,
                    customModel, "fields_get",
                    emptyList(),
                    new HashMap<String, Object>() {{
                        put("attributes", asList(
                                "string",
                                "help",
                                "type"));
                    }}
            ));
            checkFieldsGet(fields, BUILTIN_FIELDS);
            check(keys(fields).equals(new TreeSet<>(BUILTIN_FIELDS.keySet())),
                "a new custom model must have only the built-in fields " + new TreeSet<>(BUILTIN_FIELDS.keySet()), keys(fields));
            return fields;
        });

        // --- ir.model.fields ----------------------------------------------------------------
        final String custom = "x_custom_" + suffix;
        example("ir_model_fields_create", () -> {
            Object created = execute(models,
                "execute_kw", asList(
                    db, uid, password,
                    "ir.model", "create",
                    asList(new HashMap<String, Object>() {{
                        put("name", "Custom Model");
                        put("model", custom);
                        put("state", "manual");
                    }})
            ));
            check(created instanceof Integer && (Integer) created > 0, "ir.model create must return the new id as a positive integer", created);
            final Integer id = (Integer) created;
            Object fieldId = execute(models,
                "execute_kw", asList(
                    db, uid, password,
                    "ir.model.fields", "create",
                    asList(new HashMap<String, Object>() {{
                        put("model_id", id);
                        put("name", "x_name");
                        put("ttype", "char");
                        put("state", "manual");
                        put("required", true);
                    }})
            ));
            check(fieldId instanceof Integer && (Integer) fieldId > 0, "ir.model.fields create must return the new id as a positive integer", fieldId);
            return new LinkedHashMap() {{ put("model", custom); put("model_id", id); put("field_id", fieldId); }};
        });

        example("custom_record_create", () -> {
            Object result = execute(models,
                "execute_kw", asList(
                    db, uid, password,
                    custom, "create",
                    asList(new HashMap<String, Object>() {{
                        put("x_name", "test record");
                    }})
            ));
            check(result instanceof Integer && (Integer) result > 0, "create must return the new id as a positive integer", result);
            recordId = (Integer) result;
            return recordId;
        });

        example("custom_record_read", () -> {
            Object result = execute(models,
                "execute_kw", asList(
                    db, uid, password,
                    custom, "read",
                    asList(asList(recordId))
            ));
            check(result instanceof Object[] && ((Object[]) result).length == 1 && ((Object[]) result)[0] instanceof Map,
                "read must return an array of one struct", result);
            Map<String, Object> rec = (Map) ((Object[]) result)[0];
            Set<String> expected = new TreeSet<>(BUILTIN_FIELDS.keySet());
            expected.add("x_name");
            check(keys(rec).equals(expected), "the record must have exactly the fields " + expected, rec);
            check(recordId.equals(rec.get("id")), "id must be the id asked for", rec);
            check("test record".equals(rec.get("x_name")), "x_name must be 'test record'", rec);
            check("test record".equals(rec.get("display_name")), "display_name must be x_name, 'test record'", rec);
            check(isM2o(rec.get("create_uid")) && !isFalse(rec.get("create_uid"))
                && Integer.valueOf(uid).equals(((Object[]) rec.get("create_uid"))[0]), "create_uid must be [uid, name]", rec);
            check(isM2o(rec.get("write_uid")) && !isFalse(rec.get("write_uid"))
                && Integer.valueOf(uid).equals(((Object[]) rec.get("write_uid"))[0]), "write_uid must be [uid, name]", rec);
            check(rec.get("create_date") instanceof String && DATETIME.matcher((String) rec.get("create_date")).matches(),
                "create_date must be 'YYYY-MM-DD HH:MM:SS'", rec);
            check(rec.get("write_date") instanceof String && DATETIME.matcher((String) rec.get("write_date")).matches(),
                "write_date must be 'YYYY-MM-DD HH:MM:SS'", rec);
            return result;
        });

        current = "done";
        example("done", () -> "all examples passed");
    }
}
