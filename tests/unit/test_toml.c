/* Unit tests for the TOML parser: positions, key order, lookups, error
 * positions and messages, nesting limits, and the JSON/datetime writers. */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "toml/toml.h"

static struct toml_value *parse(const char *text, struct toml_error *err)
{
    return toml_parse(text, strlen(text), err);
}

static void test_positions(void)
{
    struct toml_error err;
    struct toml_value *root = parse("a = 1\n  b = \"x\"\n[t]\nc.d = true\n", &err);
    if (!CHECK(root, "positions document parses: %s", root ? "yes" : err.msg))
        return;
    const struct toml_kv *a = &root->u.table.items[0], *b = &root->u.table.items[1];
    CHECK(a->pos.line == 1 && a->pos.col == 1, "key a at 1:1 (got %d:%d)", a->pos.line, a->pos.col);
    CHECK(a->value->pos.line == 1 && a->value->pos.col == 5, "value of a at 1:5 (got %d:%d)",
          a->value->pos.line, a->value->pos.col);
    CHECK(b->pos.line == 2 && b->pos.col == 3, "key b at 2:3 (got %d:%d)", b->pos.line, b->pos.col);
    CHECK(b->value->pos.line == 2 && b->value->pos.col == 7, "value of b at 2:7");
    const struct toml_value *t = toml_get(root, "t");
    CHECK(t && t->pos.line == 3 && t->pos.col == 1, "table t at 3:1");
    const struct toml_value *c = toml_get(t, "c");
    CHECK(c && c->u.table.len == 1 && c->u.table.items[0].pos.line == 4 &&
              c->u.table.items[0].pos.col == 3,
          "dotted key part d at 4:3");
    toml_free(root);
}

static void test_key_order(void)
{
    struct toml_error err;
    struct toml_value *root = parse("z = 1\na = 2\nm = 3\n[b]\n[0]\n", &err);
    if (!CHECK(root, "key order document parses"))
        return;
    const char *want[] = {"z", "a", "m", "b", "0"};
    int same = root->u.table.len == 5;
    for (size_t k = 0; same && k < 5; k++)
        same = !strcmp(root->u.table.items[k].key, want[k]);
    CHECK(same, "tables keep document order");
    toml_free(root);
}

static void test_lookups(void)
{
    struct toml_error err;
    struct toml_value *root =
        parse("[loader.env]\nPATH = \"/bin\"\n[loader]\nentry = 'x'\n\"a.b\" = 1\n", &err);
    if (!CHECK(root, "lookup document parses: %s", root ? "yes" : err.msg))
        return;
    const struct toml_value *v = toml_get_path(root, "loader.env.PATH");
    CHECK(v && v->type == TOML_STRING && !strcmp(v->u.str.ptr, "/bin"),
          "toml_get_path finds nested key");
    CHECK(toml_get_path(root, "loader.entry") == toml_get(toml_get(root, "loader"), "entry"),
          "toml_get_path agrees with toml_get");
    CHECK(!toml_get_path(root, "loader.missing"), "missing path gives NULL");
    CHECK(!toml_get_path(root, "loader.entry.deeper"), "path through a string gives NULL");
    CHECK(toml_get(toml_get(root, "loader"), "a.b") != NULL,
          "toml_get takes a quoted key with a dot");
    CHECK(!toml_get(v, "x") && !toml_get(NULL, "x"), "toml_get on non-table or NULL gives NULL");
    toml_free(root);
}

struct bad_doc {
    const char *text;
    int line, col;
    const char *msg_part;
};

static void test_error_positions(void)
{
    static const struct bad_doc docs[] = {
        {"a = 1\na = 2\n", 2, 1, "duplicate key 'a'"},
        {"s = \"ok\"\nt = \"bad \\q\"\n", 2, 10, "invalid escape '\\q'"},
        {"[x]\n[x]\n", 2, 2, "table 'x' is already defined"},
        {"n = 0x\n", 1, 5, "hexadecimal"},
        {"d = 2023-02-29\n", 1, 13, "no day 29"},
        {"i = 9223372036854775808\n", 1, 5, "64 bits"},
        {"t = {a = 1,}\n", 1, 11, "trailing comma"},
        {"k = \"\xff\"\n", 1, 6, "UTF-8"},
        {"a = [1,\n  2\n  3]\n", 3, 3, "expected ','"},
        {"x = {}\n[x.y]\n", 2, 2, "inline table 'x'"},
        {"f = 1e400\n", 1, 5, "out of range"},
    };
    for (size_t k = 0; k < sizeof docs / sizeof docs[0]; k++) {
        struct toml_error err;
        struct toml_value *root = parse(docs[k].text, &err);
        CHECK(!root && err.line == docs[k].line && err.col == docs[k].col &&
                  strstr(err.msg, docs[k].msg_part),
              "bad doc %zu rejected at %d:%d with '%s' (got %d:%d '%s')", k, docs[k].line,
              docs[k].col, docs[k].msg_part, err.line, err.col, root ? "accepted" : err.msg);
        toml_free(root);
    }
}

static char *repeat(const char *head, const char *unit, int n, const char *tail)
{
    size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail);
    char *s = malloc(hl + ul * (size_t)n + tl + 1);
    if (!s)
        abort();
    memcpy(s, head, hl);
    for (int k = 0; k < n; k++)
        memcpy(s + hl + ul * (size_t)k, unit, ul);
    memcpy(s + hl + ul * (size_t)n, tail, tl + 1);
    return s;
}

static int parses(char *text, struct toml_error *err)
{
    struct toml_value *root = parse(text, err);
    int ok = root != NULL;
    toml_free(root);
    free(text);
    return ok;
}

static void test_nesting_limit(void)
{
    struct toml_error err;
    CHECK(parses(repeat("a = ", "[", 100, ""), &err) == 0 && strstr(err.msg, "expected"),
          "100 open brackets: ordinary syntax error, not the limit");
    char *ok_doc = repeat("a = ", "[", 100, "");
    char *closes = repeat(ok_doc, "]", 100, "\n");
    free(ok_doc);
    CHECK(parses(closes, &err), "arrays nested 100 deep are accepted");
    CHECK(!parses(repeat("a = ", "[", 100000, ""), &err) && strstr(err.msg, "nested"),
          "arrays nested 100000 deep are rejected with a nesting error ('%s')", err.msg);
    CHECK(!parses(repeat("a = ", "{b = ", 100000, ""), &err) && strstr(err.msg, "nested"),
          "inline tables nested 100000 deep are rejected ('%s')", err.msg);
    CHECK(!parses(repeat("a", ".a", 1000, " = 1\n"), &err) && strstr(err.msg, "dotted parts"),
          "a key with 1001 dotted parts is rejected ('%s')", err.msg);
    CHECK(!parses(repeat("a = {", "a.a.a.a.a.a.a.a.a.a = {", 50, ""), &err) &&
              strstr(err.msg, "nested"),
          "dotted keys inside inline tables count toward the nesting limit ('%s')", err.msg);
}

static void test_values(void)
{
    struct toml_error err;
    const char *doc = "s = \"a\\u0000b\"\nm = \"\"\"\r\nx\r\ny\"\"\"\nf = 0.1\n"
                      "dt = 1979-05-27 07:32:00.999999999999+05:30\nt = 07:32:00\n";
    struct toml_value *root = parse(doc, &err);
    if (!CHECK(root, "values document parses: %s", root ? "yes" : err.msg))
        return;
    const struct toml_value *s = toml_get(root, "s"), *m = toml_get(root, "m");
    CHECK(s->u.str.len == 3 && s->u.str.ptr[1] == '\0' && s->u.str.ptr[2] == 'b',
          "\\u0000 kept inside a length-counted string");
    CHECK(m->u.str.len == 3 && !strcmp(m->u.str.ptr, "x\ny"),
          "CRLF in multi-line string read as LF");
    char buf[64];
    toml_format_datetime(toml_get(root, "dt"), buf, sizeof buf);
    CHECK(!strcmp(buf, "1979-05-27T07:32:00.999999999+05:30"), "offset datetime formats (%s)", buf);
    toml_format_datetime(toml_get(root, "t"), buf, sizeof buf);
    CHECK(!strcmp(buf, "07:32:00"), "local time formats (%s)", buf);
    CHECK(!strcmp(toml_type_name(toml_get(root, "dt")->type), "datetime") &&
              !strcmp(toml_type_name(TOML_DATE_LOCAL), "date-local"),
          "type names follow toml-test");
    char *json = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&json, &len);
    CHECK(mem && toml_write_tagged_json(root, mem) == 0 && fclose(mem) == 0, "JSON writes");
    CHECK(json && strstr(json, "\"a\\u0000b\"") &&
              strstr(json, "{\"type\":\"float\",\"value\":\"0.1\"}"),
          "JSON escapes NUL and prints floats shortest-exact");
    free(json);
    toml_free(root);
}

/* Past 16 keys a table switches to a hash index: lookups, order and
 * duplicate detection must be unchanged. */
static void test_many_keys(void)
{
    char *doc = malloc(1 << 20);
    if (!doc)
        abort();
    size_t n = 0;
    for (int k = 0; k < 5000; k++)
        n += (size_t)sprintf(doc + n, "k%d = %d\n", k, k);
    struct toml_error err;
    struct toml_value *root = toml_parse(doc, n, &err);
    const struct toml_value *v = toml_get(root, "k4321");
    CHECK(root && v && v->u.integer == 4321, "lookup in a 5000-key table");
    CHECK(root && root->u.table.len == 5000 && !strcmp(root->u.table.items[4999].key, "k4999"),
          "5000 keys kept in order");
    CHECK(!toml_get(root, "k5000"), "absent key in a big table gives NULL");
    toml_free(root);
    n += (size_t)sprintf(doc + n, "k2500 = 0\n");
    root = toml_parse(doc, n, &err);
    CHECK(!root && err.line == 5001 && strstr(err.msg, "duplicate key 'k2500'"),
          "duplicate found in a big table (%d:%d %s)", err.line, err.col, root ? "" : err.msg);
    toml_free(root);
    free(doc);
}

static void test_edge_inputs(void)
{
    struct toml_error err;
    struct toml_value *root = toml_parse(NULL, 0, &err);
    CHECK(root && root->type == TOML_TABLE && root->u.table.len == 0,
          "empty input gives an empty table");
    toml_free(root);
    toml_free(NULL);
    root = toml_parse("a = 1", 3, &err);
    CHECK(!root && err.line == 1 && err.col == 4, "length is honoured: 'a =' needs a value");
    root = parse("\xEF\xBB\xBF"
                 "a = 1",
                 &err);
    CHECK(root && toml_get(root, "a"), "byte order mark at start is skipped");
    toml_free(root);
}

/* TOML_INLINE_1_1 (manifests only): newlines, comments and a trailing comma
 * inside { }; everything else about inline tables stays as in TOML 1.0. */
static void test_inline_1_1(void)
{
    struct toml_error err;
    const char *doc =
        "m = [\n  { type = \"encrypted\", path = \"/db/\",\n"
        "    key_name =  \"default\"  },\n]\nt = {\n  a = 1, # one\n\n  b.c = 2,\n}\n";
    struct toml_value *root = toml_parse_flags(doc, strlen(doc), TOML_INLINE_1_1, &err);
    const struct toml_value *m0 = root ? toml_get(root, "m") : NULL;
    m0 = m0 && m0->u.array.len == 1 ? m0->u.array.items[0] : NULL;
    const struct toml_value *kn = m0 ? toml_get(m0, "key_name") : NULL;
    const struct toml_value *c = root ? toml_get_path(root, "t.b.c") : NULL;
    CHECK(kn && kn->type == TOML_STRING && !strcmp(kn->u.str.ptr, "default") && c &&
              c->u.integer == 2 && toml_get(toml_get(root, "t"), "a"),
          "TOML 1.1 inline tables: over lines, with comments and a trailing comma");
    toml_free(root);
    CHECK(!toml_parse(doc, strlen(doc), &err) && err.line == 2,
          "the same document is an error in TOML 1.0 (toml_parse)");
    static const char *const bad[] = {"t = { a = 1,, }", "t = { , }", "t = { a = 1 b = 2 }",
                                      "t = {\n a = 1\n", "t = { a = 1, a = 2 }"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        root = toml_parse_flags(bad[i], strlen(bad[i]), TOML_INLINE_1_1, &err);
        CHECK(!root, "still an error with TOML_INLINE_1_1: bad[%zu]", i);
        toml_free(root);
    }
    root = toml_parse_flags("t = {}\nt.x = 1", 14, TOML_INLINE_1_1, &err);
    CHECK(!root, "an inline table still cannot be extended");
    toml_free(root);
}

int main(void)
{
    test_inline_1_1();
    test_positions();
    test_key_order();
    test_lookups();
    test_error_positions();
    test_nesting_limit();
    test_values();
    test_many_keys();
    test_edge_inputs();
    return TAP_DONE();
}
