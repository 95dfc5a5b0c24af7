/* A YAML document as a small tree of scalars, sequences and mappings,
 * every node with its line and column, built from libyaml's event parser.
 *
 * Why not libcyaml: its schema loader stops at the first problem and does
 * not hand back positions, while our loaders must report every problem with
 * file, line and key. Why events rather than libyaml's document loader: so
 * aliases, nesting depth and node count are refused while parsing, which
 * keeps alias bombs and deep nesting from costing time or memory. */
#ifndef SM_YAML_TREE_H
#define SM_YAML_TREE_H

#include <stddef.h>

#include "../core/diag.h"

typedef enum sm_ynode_kind { SM_YSCALAR, SM_YSEQ, SM_YMAP } sm_ynode_kind;

typedef struct sm_ynode {
    sm_ynode_kind kind;
    int line, col;            /* 1-based position of the node's start */
    char *text;               /* scalars: the value, NUL-terminated */
    int plain;                /* scalars: written without quotes */
    struct sm_ynode **items;  /* sequences: the items; mappings: key, value, key, value... */
    size_t count;             /* sequences: items; mappings: pairs */
} sm_ynode;

/* Limits that bound the work a hostile file can cause. */
#define SM_YAML_MAX_DEPTH 32
#define SM_YAML_MAX_NODES 200000

/* Parse text (len bytes) of the file named `file` into *root. Syntax
 * errors, aliases, several documents, non-scalar or duplicate mapping keys
 * and limits exceeded are input errors with positions. An empty document
 * gives *root == NULL and SM_OK. */
sm_status sm_yaml_parse(const char *file, const char *text, size_t len,
                        sm_ynode **root, sm_diag *d);

void sm_yaml_free(sm_ynode **root);

/* The value for key in a mapping, or NULL. */
const sm_ynode *sm_ymap_get(const sm_ynode *map, const char *key);

/* Scalars that spell YAML's null: plain "", "~", "null". */
int sm_ynode_is_null(const sm_ynode *n);

/* "a mapping", "a sequence", "a number"... for error messages. */
const char *sm_ynode_kind_name(const sm_ynode *n);

#endif
