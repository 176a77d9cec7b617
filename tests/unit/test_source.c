/* Unit tests for source: node positions (1-based, columns in characters),
 * scalar styles, and each refusal — syntax errors, duplicate keys, depth
 * and node limits, empty files, several documents, aliases. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "source/source.h"

typedef struct result {
    fo_arena *a;
    fo_node *root;
    fo_status st;
    char *diags;
} result;

static result load_n(const char *text, size_t len)
{
    result res = {.a = fo_arena_new()};
    fo_diags d;
    fo_diags_init(&d);
    res.st = fo_source_load_string(text, len, "t.yaml", res.a, &d, &res.root);
    size_t n = 0;
    FILE *fp = open_memstream(&res.diags, &n);
    fo_diags_print(&d, fp);
    (void)fclose(fp);
    fo_diags_free(&d);
    return res;
}

static result load(const char *text)
{
    return load_n(text, strlen(text));
}

static void done(result *res)
{
    fo_arena_free(res->a);
    free(res->diags);
}

static void fails(const char *text, const char *expected)
{
    result r = load(text);
    assert_int_equal(r.st, FO_ERR_INPUT);
    assert_null(r.root);
    assert_string_equal(r.diags, expected);
    done(&r);
}

static void pos_is(fo_pos p, int line, int col)
{
    assert_string_equal(p.file, "t.yaml");
    assert_int_equal(p.line, line);
    assert_int_equal(p.col, col);
}

static void test_positions(void **state)
{
    (void)state;
    result r = load("tỉnh: Nam Định\n"
                    "năm: 2025\n"
                    "tên: { vi: \"Đất và người\", en: 'Land' }\n"
                    "ds:\n"
                    "  - một\n"
                    "  - |\n"
                    "      khối\n"
                    "      văn bản\n");
    assert_int_equal(r.st, FO_OK);
    assert_string_equal(r.diags, "");
    fo_node *root = r.root;
    assert_int_equal(root->kind, FO_NODE_MAP);
    assert_int_equal(root->n, 4);
    pos_is(root->pos, 1, 1);
    /* keys keep their order and positions */
    assert_true(fo_node_is(root->pairs[0].key, "tỉnh"));
    pos_is(root->pairs[1].key->pos, 2, 1);
    /* "tỉnh: " is 6 characters (7 bytes) */
    pos_is(root->pairs[0].value->pos, 1, 7);
    assert_string_equal(root->pairs[0].value->str, "Nam Định");

    fo_node *year = fo_node_get(root, "năm");
    assert_int_equal(year->style, FO_SCALAR_PLAIN);
    pos_is(year->pos, 2, 6);

    fo_node *ten = fo_node_get(root, "tên");
    assert_int_equal(ten->kind, FO_NODE_MAP);
    pos_is(ten->pos, 3, 6);
    fo_node *vi = fo_node_get(ten, "vi");
    assert_int_equal(vi->style, FO_SCALAR_DOUBLE);
    pos_is(vi->pos, 3, 12);
    pos_is(vi->text_pos, 3, 13); /* after the quote */
    fo_node *en = fo_node_get(ten, "en");
    assert_int_equal(en->style, FO_SCALAR_SINGLE);
    /* after "Đất và người", (multi-byte letters count once each) */
    pos_is(en->pos, 3, 32);
    pos_is(ten->pairs[1].key->pos, 3, 28);

    fo_node *ds = fo_node_get(root, "ds");
    assert_int_equal(ds->kind, FO_NODE_SEQ);
    assert_int_equal(ds->n, 2);
    pos_is(ds->items[0]->pos, 5, 5);
    fo_node *block = ds->items[1];
    assert_int_equal(block->style, FO_SCALAR_LITERAL);
    pos_is(block->pos, 6, 5);
    pos_is(block->text_pos, 7, 7);
    assert_string_equal(block->str, "khối\nvăn bản\n");
    done(&r);
}

static void test_helpers(void **state)
{
    (void)state;
    result r = load("a: ~\nb:\nc: null\nd: \"\"\ne: [x]\nf: {g: h}\n");
    assert_int_equal(r.st, FO_OK);
    assert_true(fo_node_is_null(fo_node_get(r.root, "a")));
    assert_true(fo_node_is_null(fo_node_get(r.root, "b")));
    assert_true(fo_node_is_null(fo_node_get(r.root, "c")));
    assert_false(fo_node_is_null(fo_node_get(r.root, "d")));
    assert_string_equal(fo_node_describe(fo_node_get(r.root, "a")),
                        "an empty value");
    assert_string_equal(fo_node_describe(fo_node_get(r.root, "d")), "a string");
    assert_string_equal(fo_node_describe(fo_node_get(r.root, "e")),
                        "a sequence");
    assert_string_equal(fo_node_describe(fo_node_get(r.root, "f")),
                        "a mapping");
    assert_null(fo_node_get(r.root, "z"));
    assert_null(fo_node_get(fo_node_get(r.root, "e"), "x"));
    done(&r);
    /* a NUL written as an escape stays in the value */
    r = load("a: \"x\\0y\"\n");
    assert_int_equal(r.st, FO_OK);
    assert_int_equal(r.root->pairs[0].value->len, 3);
    done(&r);
}

/* fo_node_copy: a deep copy that outlives the tree it came from, with
 * positions borrowing the same display name (never copied). */
static void test_copy(void **state)
{
    (void)state;
    static const char name[] = "t.yaml";
    fo_arena *a = fo_arena_new(), *b = fo_arena_new();
    fo_diags d;
    fo_diags_init(&d);
    fo_node *root = NULL;
    const char *text =
        "s:\n  body: {size: \"x\\0y\"}\nl:\n  - 1\n  - |\n    two\n";
    assert_int_equal(
        fo_source_load_string(text, strlen(text), name, a, &d, &root), FO_OK);
    assert_ptr_equal(root->pos.file, name);
    fo_node *c = fo_node_copy(b, root);
    fo_arena_free(a);
    assert_null(fo_node_copy(b, NULL));
    assert_int_equal(c->kind, FO_NODE_MAP);
    assert_int_equal(c->n, 2);
    const fo_node *size = fo_node_get(fo_node_get(c, "s"), "body");
    size = fo_node_get(size, "size");
    assert_int_equal(size->len, 3);
    assert_memory_equal(size->str, "x\0y", 4);
    assert_int_equal(size->style, FO_SCALAR_DOUBLE);
    assert_ptr_equal(size->pos.file, name);
    assert_int_equal(size->pos.line, 2);
    assert_int_equal(size->pos.col, 16);
    assert_int_equal(size->text_pos.col, 17);
    const fo_node *l = fo_node_get(c, "l");
    assert_int_equal(l->kind, FO_NODE_SEQ);
    assert_int_equal(l->n, 2);
    assert_true(fo_node_is(l->items[0], "1"));
    assert_string_equal(l->items[1]->str, "two\n");
    assert_int_equal(l->items[1]->text_pos.line, 6);
    assert_int_equal(l->items[1]->text_pos.col, 5);
    fo_arena_free(b);
    fo_diags_free(&d);
}

static void test_syntax_error(void **state)
{
    (void)state;
    fails("a: 1\nb:\n  - x\n - y\n",
          "t.yaml:4:2: error: wrong indentation: this line starts at "
          "column 2, where no block above starts: line it up with line 3 "
          "(column 3)\n");
    fails("a: [1, 2\n",
          "t.yaml:1:4: error: this '[' is never closed: end the list with "
          "']'\n");
    fails("tên: \"Nam Định\n",
          "t.yaml:1:6: error: the double quote opened here is never "
          "closed: end the value with \"\n");
    /* a byte that is not UTF-8, after two-byte letters */
    fails("ởở: \xff\n", "t.yaml:1:5: error: invalid leading UTF-8 octet\n");
}

static void test_duplicate_key(void **state)
{
    (void)state;
    fails("a: 1\nb: 2\na: 3\nc: {x: 1, x: 2}\nb: 4\n",
          "t.yaml:4:11: error: duplicate key 'x': it is set twice on line 4 "
          "(columns 5 and 11); keep one\n"
          "t.yaml:3:1: error: duplicate key 'a': it is set on line 1 and again "
          "on line 3; keep one\n"
          "t.yaml:5:1: error: duplicate key 'b': it is set on line 2 and again "
          "on line 5; keep one\n");
    /* "2025" and 2025 are the same key text */
    fails("2025: a\n\"2025\": b\n",
          "t.yaml:2:1: error: duplicate key '2025': it is set on line 1 and "
          "again on line 2; keep one\n");
    /* every repeat of a key names the first, however many there are */
    fails("k: 1\nj: 0\nk: 2\nk: 3\nj: 1\nk: 4\n",
          "t.yaml:3:1: error: duplicate key 'k': it is set on line 1 and again "
          "on line 3; keep one\n"
          "t.yaml:4:1: error: duplicate key 'k': it is set on line 1 and again "
          "on line 4; keep one\n"
          "t.yaml:5:1: error: duplicate key 'j': it is set on line 2 and again "
          "on line 5; keep one\n"
          "t.yaml:6:1: error: duplicate key 'k': it is set on line 1 and again "
          "on line 6; keep one\n");
}

static char *nested(size_t depth)
{
    char *s = fo_xmalloc(depth * 2 + 2);
    for (size_t i = 0; i < depth; i++) {
        s[i] = '[';
        s[depth + i] = ']';
    }
    s[depth * 2] = '\n';
    s[depth * 2 + 1] = 0;
    return s;
}

static void test_depth_limit(void **state)
{
    (void)state;
    char *ok = nested(FO_SOURCE_MAX_DEPTH);
    result r = load(ok);
    assert_int_equal(r.st, FO_OK);
    done(&r);
    free(ok);
    char *deep = nested(100000);
    fails(deep, "t.yaml:1:65: error: nesting deeper than 64 levels\n");
    free(deep);
}

static void test_node_limit(void **state)
{
    (void)state;
    size_t n = (size_t)FO_SOURCE_MAX_NODES + 10;
    char *s = fo_xmalloc(n * 2 + 3);
    s[0] = '[';
    for (size_t i = 0; i < n; i++) {
        s[1 + 2 * i] = '0';
        s[2 + 2 * i] = ',';
    }
    s[2 * n] = ']';
    s[2 * n + 1] = 0;
    result r = load(s);
    assert_int_equal(r.st, FO_ERR_INPUT);
    assert_non_null(strstr(r.diags, "error: more than 1048576 values in one "
                                    "file\n"));
    done(&r);
    free(s);
}

static void test_empty(void **state)
{
    (void)state;
    fails("", "t.yaml:1:1: error: the file is empty\n");
    fails("# chỉ có chú thích\n\n", "t.yaml:1:1: error: the file is empty\n");
    fails("---\n", "t.yaml:1:1: error: the file is empty\n");
}

static void test_documents_and_aliases(void **state)
{
    (void)state;
    fails("a: 1\n---\nb: 2\n", "t.yaml:2:1: error: a file holds one YAML "
                               "document; a second one starts here\n");
    fails("a: &x [1, 2]\nb: *x\nc: *x\n",
          "t.yaml:2:4: error: aliases ('*x') are not supported: repeat the "
          "content instead\n"
          "t.yaml:3:4: error: aliases ('*x') are not supported: repeat the "
          "content instead\n");
    fails("[a, b]: 1\n", "t.yaml:1:1: error: a key must be a string, not a "
                         "sequence\n");
}

/* After FO_SOURCE_MAX_ALIASES alias errors, the next alias stops the
 * file: a file of aliases reports a hundred of them, not a million. */
static void test_alias_limit(void **state)
{
    (void)state;
    fo_buf b;
    fo_buf_init(&b, 0);
    assert_int_equal(fo_buf_puts(&b, "a: &x 1\nl:\n"), FO_OK);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(fo_buf_puts(&b, "  - *x\n"), FO_OK);
    result r = load(b.data);
    assert_int_equal(r.st, FO_ERR_INPUT);
    int n = 0;
    for (const char *p = r.diags; (p = strstr(p, "aliases ('*x')")); p++)
        n++;
    assert_int_equal(n, FO_SOURCE_MAX_ALIASES);
    assert_non_null(strstr(r.diags, "t.yaml:103:5: error: more than 100 "
                                    "aliases: the rest of the file is not "
                                    "read\n"));
    done(&r);
    fo_buf_free(&b);
}

/* Files loaded with one budget share its values: the second file fails
 * where the first one used up the budget, with the budget's scope. */
static void test_shared_budget(void **state)
{
    (void)state;
    fo_arena *a = fo_arena_new();
    fo_diags d;
    fo_diags_init(&d);
    fo_source_budget b = fo_source_budget_full("in the test");
    b.nodes = 6;
    fo_node *root = NULL;
    const char *text = "[a, b, c, d]\n"; /* five values */
    assert_int_equal(fo_source_load_string_budget(text, strlen(text), "1.yaml",
                                                  a, &d, &b, &root),
                     FO_OK);
    assert_int_equal(b.nodes, 1);
    assert_int_equal(fo_source_load_string_budget(text, strlen(text), "2.yaml",
                                                  a, &d, &b, &root),
                     FO_ERR_INPUT);
    assert_null(root);
    assert_int_equal(d.n, 1);
    assert_string_equal(d.items[0].message,
                        "more than 1048576 values in the test");
    assert_string_equal(d.items[0].pos.file, "2.yaml");
    assert_int_equal(d.items[0].pos.col, 2);
    fo_diags_free(&d);
    fo_arena_free(a);
}

/* A UTF-8 byte order mark is skipped: keys indented as usual load, and
 * columns on the first line count from after it. */
static void test_bom(void **state)
{
    (void)state;
    result r = load("\xEF\xBB\xBF"
                    "a: 1\n"
                    "b:\n"
                    "  c: [x, y]\n");
    assert_int_equal(r.st, FO_OK);
    assert_string_equal(r.diags, "");
    pos_is(r.root->pairs[0].key->pos, 1, 1);
    pos_is(r.root->pairs[0].value->pos, 1, 4);
    const fo_node *b = fo_node_get(r.root, "b");
    pos_is(b->pairs[0].key->pos, 3, 3);
    assert_true(fo_node_is(b->pairs[0].value->items[1], "y"));
    done(&r);
    fails("\xEF\xBB\xBF"
          "a: [1\n",
          "t.yaml:1:4: error: this '[' is never closed: end the list with "
          "']'\n");
}

/* UTF-16 and UTF-32 files are named as such, with or without a byte
 * order mark, rather than reported as invalid UTF-8. */
static void test_wide_encodings(void **state)
{
    (void)state;
    static const struct {
        const char *bytes;
        size_t len;
        const char *name;
    } cases[] = {
        {"\xFF\xFEk\0:\0 \0v\0", 10, "UTF-16 (little-endian)"},
        {"\xFE\xFF\0k\0:\0 \0v", 10, "UTF-16 (big-endian)"},
        {"k\0:\0 \0v\0", 8, "UTF-16 (little-endian)"},
        {"\0k\0:\0 \0v", 8, "UTF-16 (big-endian)"},
        {"\xFF\xFE\0\0k\0\0\0", 8, "UTF-32 (little-endian)"},
        {"\0\0\xFE\xFF\0\0\0k", 8, "UTF-32 (big-endian)"},
        {"k\0\0\0:\0\0\0", 8, "UTF-32 (little-endian)"},
        {"\0\0\0k\0\0\0:", 8, "UTF-32 (big-endian)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        result r = load_n(cases[i].bytes, cases[i].len);
        assert_int_equal(r.st, FO_ERR_INPUT);
        char want[128];
        (void)snprintf(want, sizeof want,
                       "t.yaml: error: this file is %s; save it as UTF-8\n",
                       cases[i].name);
        assert_string_equal(r.diags, want);
        done(&r);
    }
}

static void test_file(void **state)
{
    (void)state;
    fo_arena *a = fo_arena_new();
    fo_diags d;
    fo_diags_init(&d);
    fo_node *root = NULL;
    fo_status st =
        fo_source_load_file("/nonexistent/x.yaml", "x.yaml", a, &d, &root);
    assert_int_equal(st, FO_ERR_IO);
    assert_int_equal(d.n, 0);
    st = fo_source_load_file(FO_TEST_SRC "/tests/errors/bad-syntax.yaml",
                             "bad-syntax.yaml", a, &d, &root);
    assert_int_equal(st, FO_ERR_INPUT);
    assert_int_equal(d.n, 1);
    assert_string_equal(d.items[0].pos.file, "bad-syntax.yaml");
    fo_diags_free(&d);
    fo_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_positions),
        cmocka_unit_test(test_helpers),
        cmocka_unit_test(test_copy),
        cmocka_unit_test(test_syntax_error),
        cmocka_unit_test(test_duplicate_key),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_node_limit),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_documents_and_aliases),
        cmocka_unit_test(test_alias_limit),
        cmocka_unit_test(test_shared_budget),
        cmocka_unit_test(test_bom),
        cmocka_unit_test(test_wide_encodings),
        cmocka_unit_test(test_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
