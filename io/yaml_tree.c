/* YAML events to a positioned node tree, with limits (see yaml_tree.h). */
#include "yaml_tree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

typedef struct builder {
    const char *file;
    sm_diag *d;
    size_t nodes;
    int failed;
    int documents;
    /* the open collections, innermost last, with their stored and
     * allocated item counts */
    sm_ynode *stack[SM_YAML_MAX_DEPTH + 1];
    size_t caps[SM_YAML_MAX_DEPTH + 1], used[SM_YAML_MAX_DEPTH + 1];
    int depth;
    sm_ynode *top;
} builder;

static void node_free(sm_ynode *n)
{
    if (!n)
        return;
    size_t k = n->kind == SM_YMAP ? 2 * n->count : n->count;
    for (size_t i = 0; i < k; i++)
        node_free(n->items[i]);
    free(n->items);
    free(n->text);
    free(n);
}

void sm_yaml_free(sm_ynode **root)
{
    if (root) {
        node_free(*root);
        *root = NULL;
    }
}

static sm_ynode *node_new(builder *b, sm_ynode_kind kind, const yaml_mark_t *m)
{
    if (++b->nodes > SM_YAML_MAX_NODES) {
        if (!b->failed)
            sm_diag_error(b->d, b->file, (int)m->line + 1, (int)m->column + 1,
                          "more than %d YAML nodes; this is not a model or sweep file",
                          SM_YAML_MAX_NODES);
        b->failed = 1;
        return NULL;
    }
    sm_ynode *n = calloc(1, sizeof *n);
    if (!n) {
        b->failed = 1;
        sm_diag_fail(b->d, SM_ENOMEM, "%s: out of memory parsing YAML", b->file);
        return NULL;
    }
    n->kind = kind;
    n->line = (int)m->line + 1;
    n->col = (int)m->column + 1;
    return n;
}

/* Append child to a sequence, or as the next key or value of a mapping
 * (stored flat: key, value, key, value...); *used counts stored items. */
static int push_item(builder *b, sm_ynode *parent, sm_ynode *child, size_t *used,
                     size_t *cap)
{
    if (*used == *cap) {
        size_t nc = *cap ? 2 * *cap : 8;
        sm_ynode **it = realloc(parent->items, nc * sizeof *it);
        if (!it) {
            b->failed = 1;
            sm_diag_fail(b->d, SM_ENOMEM, "%s: out of memory parsing YAML", b->file);
            return -1;
        }
        parent->items = it;
        *cap = nc;
    }
    parent->items[(*used)++] = child;
    parent->count = parent->kind == SM_YMAP ? *used / 2 : *used;
    return 0;
}

static int cmp_key(const void *a, const void *b)
{
    const sm_ynode *x = *(const sm_ynode *const *)a;
    const sm_ynode *y = *(const sm_ynode *const *)b;
    int c = strcmp(x->text, y->text);
    if (c)
        return c;
    return x->line != y->line ? x->line - y->line : x->col - y->col;
}

/* Keys must be scalars and unique: YAML parsers disagree on which of two
 * duplicates wins, so a duplicate is always a mistake worth reporting. */
static void check_keys(builder *b, const sm_ynode *map)
{
    if (map->count == 0)
        return;
    sm_ynode **keys = malloc(map->count * sizeof *keys);
    if (!keys) {
        b->failed = 1;
        sm_diag_fail(b->d, SM_ENOMEM, "%s: out of memory parsing YAML", b->file);
        return;
    }
    size_t n = 0;
    for (size_t i = 0; i < map->count; i++) {
        sm_ynode *k = map->items[2 * i];
        if (k->kind != SM_YSCALAR) {
            sm_diag_error(b->d, b->file, k->line, k->col,
                          "a mapping key must be a plain name, found %s",
                          sm_ynode_kind_name(k));
            b->failed = 1;
            continue;
        }
        keys[n++] = k;
    }
    qsort(keys, n, sizeof *keys, cmp_key);
    for (size_t i = 1; i < n; i++) {
        if (strcmp(keys[i]->text, keys[i - 1]->text) == 0) {
            sm_diag_error(b->d, b->file, keys[i]->line, keys[i]->col,
                          "duplicate key '%s' (first at line %d)",
                          sm_excerpt((char[SM_EXCERPT_SIZE]){0}, keys[i]->text),
                          keys[i - 1]->line);
            b->failed = 1;
        }
    }
    free(keys);
}

/* An error at an event's position; the parse stops. */
static void event_error(builder *b, const yaml_event_t *ev, const char *msg)
{
    sm_diag_error(b->d, b->file, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1,
                  "%s", msg);
    b->failed = 1;
}

static sm_ynode *scalar_node(builder *b, const yaml_event_t *ev)
{
    sm_ynode *n = node_new(b, SM_YSCALAR, &ev->start_mark);
    if (!n)
        return NULL;
    n->text = malloc(ev->data.scalar.length + 1);
    if (!n->text) {
        b->failed = 1;
        free(n);
        sm_diag_fail(b->d, SM_ENOMEM, "%s: out of memory parsing YAML", b->file);
        return NULL;
    }
    memcpy(n->text, ev->data.scalar.value, ev->data.scalar.length);
    n->text[ev->data.scalar.length] = '\0';
    n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    return n;
}

/* A sequence or mapping opens: it is attached to its parent when it ends. */
static void open_collection(builder *b, const yaml_event_t *ev)
{
    if (b->depth >= SM_YAML_MAX_DEPTH) {
        sm_diag_error(b->d, b->file, (int)ev->start_mark.line + 1,
                      (int)ev->start_mark.column + 1, "nesting deeper than %d levels",
                      SM_YAML_MAX_DEPTH);
        b->failed = 1;
        return;
    }
    sm_ynode *n = node_new(b, ev->type == YAML_SEQUENCE_START_EVENT ? SM_YSEQ : SM_YMAP,
                           &ev->start_mark);
    if (n) {
        b->stack[b->depth] = n;
        b->caps[b->depth] = b->used[b->depth] = 0;
        b->depth++;
    }
}

/* One event; returns a finished node to attach to the open collection,
 * or NULL. Sets *end at the end of the stream. */
static sm_ynode *on_event(builder *b, const yaml_event_t *ev, int *end)
{
    sm_ynode *n = NULL;
    char msg[256];
    switch (ev->type) {
    case YAML_STREAM_END_EVENT: *end = 1; break;
    case YAML_DOCUMENT_START_EVENT:
        if (++b->documents > 1)
            event_error(b, ev, "a second YAML document ('---'); expected one document");
        break;
    case YAML_ALIAS_EVENT:
        snprintf(msg, sizeof msg, "YAML aliases (*%s) are not supported; write the value out",
                 sm_excerpt((char[SM_EXCERPT_SIZE]){0}, (const char *)ev->data.alias.anchor));
        event_error(b, ev, msg);
        break;
    case YAML_SCALAR_EVENT: n = scalar_node(b, ev); break;
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: open_collection(b, ev); break;
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        n = b->stack[--b->depth];
        if (n->kind == SM_YMAP)
            check_keys(b, n);
        break;
    default: break;
    }
    return n;
}

static void attach(builder *b, sm_ynode *n)
{
    int k = b->depth - 1;
    if (b->depth == 0)
        b->top = n;
    else if (push_item(b, b->stack[k], n, &b->used[k], &b->caps[k]) != 0)
        node_free(n);
}

/* After a failure: free what was built. */
static void unwind(builder *b)
{
    while (b->depth > 0) {
        int k = --b->depth;
        if (b->used[k] % 2 == 1 && b->stack[k]->kind == SM_YMAP)
            node_free(b->stack[k]->items[b->used[k] - 1]); /* a key without value */
        node_free(b->stack[k]);
    }
    node_free(b->top);
    b->top = NULL;
}

static void syntax_error(builder *b, const yaml_parser_t *parser)
{
    const char *ctx = parser->context;
    sm_diag_error(b->d, b->file, (int)parser->problem_mark.line + 1,
                  (int)parser->problem_mark.column + 1, "YAML syntax error: %s%s%s",
                  parser->problem ? parser->problem : "unknown problem", ctx ? " " : "",
                  ctx ? ctx : "");
    b->failed = 1;
}

sm_status sm_yaml_parse(const char *file, const char *text, size_t len,
                        sm_ynode **root, sm_diag *d)
{
    *root = NULL;
    builder b;
    memset(&b, 0, sizeof b);
    b.file = file;
    b.d = d;
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return sm_diag_fail(d, SM_ENOMEM, "%s: cannot start the YAML parser", file);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    int end = 0;
    while (!end && !b.failed) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            syntax_error(&b, &parser);
            break;
        }
        sm_ynode *n = on_event(&b, &ev, &end);
        yaml_event_delete(&ev);
        if (n)
            attach(&b, n);
    }
    yaml_parser_delete(&parser);
    if (b.failed) {
        unwind(&b);
        return d->errors ? SM_EINPUT : SM_ENOMEM;
    }
    if (b.top && b.top->kind == SM_YSCALAR && sm_ynode_is_null(b.top)) {
        node_free(b.top);
        b.top = NULL;
    }
    *root = b.top;
    return SM_OK;
}

const sm_ynode *sm_ymap_get(const sm_ynode *map, const char *key)
{
    if (!map || map->kind != SM_YMAP)
        return NULL;
    for (size_t i = 0; i < map->count; i++) {
        const sm_ynode *k = map->items[2 * i];
        if (k->kind == SM_YSCALAR && strcmp(k->text, key) == 0)
            return map->items[2 * i + 1];
    }
    return NULL;
}

int sm_ynode_is_null(const sm_ynode *n)
{
    return n && n->kind == SM_YSCALAR && n->plain &&
           (n->text[0] == '\0' || strcmp(n->text, "~") == 0 ||
            strcmp(n->text, "null") == 0 || strcmp(n->text, "Null") == 0 ||
            strcmp(n->text, "NULL") == 0);
}

const char *sm_ynode_kind_name(const sm_ynode *n)
{
    if (!n)
        return "nothing";
    switch (n->kind) {
    case SM_YMAP: return "a mapping";
    case SM_YSEQ: return "a list";
    case SM_YSCALAR: return sm_ynode_is_null(n) ? "an empty value" : "a single value";
    }
    return "a node";
}
