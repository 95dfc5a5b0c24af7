/* A sweep file -> sm_sweep, checked against a loaded model (see
 * sweep_load.h and models/SWEEPS.md). As in the model loader, reading goes
 * on after a problem wherever the rest still makes sense, so one run of
 * `supplymix validate --sweep` lists everything to fix. */
#include "sweep_load.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "../core/files.h"
#include "../core/parse.h"
#include "../models/model_check.h"
#include "../models/risk.h"
#include "yaml_read.h"

typedef struct loader {
    const sm_model *m;
    sm_sweep *s;
    sm_diag *d;
    sm_yread yr;
    const char *file;
    sm_status fail;   /* SM_ENOMEM once an allocation failed, so it is not reported as bad input */
} loader;

static int nomem(loader *L)
{
    L->fail = sm_diag_fail(L->d, SM_ENOMEM, "out of memory");
    return 0;
}

/* Any finite number; where a bound matters, the caller checks it and says why. */
static int read_number(loader *L, const sm_ynode *n, const char *where, double *out)
{
    return sm_yread_double(&L->yr, n, where, -DBL_MAX, DBL_MAX, out);
}

/* A value the file states (grid point, choice, event outcome, bound) must
 * be one the parameter can take: clamping it quietly would sweep something
 * other than what the file says. Listed values of whole-number parameters
 * (periods) must be whole for the same reason. */
static int check_domain(loader *L, const sm_ynode *n, const char *where,
                        const sm_sweep_param *p, double v, int listed)
{
    const sm_param_domain *dom = &p->domain;
    if (v < dom->lo || v > dom->hi) {
        sm_diag_error(L->d, L->file, n->line, n->col,
                      "%s: %g is outside the domain of %s (%s), expected a value in [%g, %g]",
                      where, v, p->name, dom->meaning, dom->lo, dom->hi);
        return 0;
    }
    if (listed && dom->integer && v != floor(v)) {
        sm_diag_error(L->d, L->file, n->line, n->col,
                      "%s: %g is not a whole number; %s takes whole %ss", where, v, p->name,
                      dom->units);
        return 0;
    }
    return 1;
}

/* A non-empty list of numbers in p's domain into a new array. */
static int read_values(loader *L, const sm_ynode *n, const char *where,
                       const sm_sweep_param *p, double **out, int *count)
{
    if (!sm_yread_kind(&L->yr, n, where, SM_YSEQ))
        return 0;
    if (n->count == 0) {
        sm_diag_error(L->d, L->file, n->line, n->col, "%s: expected at least one value", where);
        return 0;
    }
    double *v = calloc(n->count, sizeof *v);
    if (!v)
        return nomem(L);
    int ok = 1;
    for (size_t i = 0; i < n->count; i++)
        ok &= read_number(L, n->items[i], where, &v[i]) &&
              check_domain(L, n->items[i], where, p, v[i], 1);
    if (!ok) {
        free(v);
        return 0;
    }
    *out = v;
    *count = (int)n->count; /* the YAML node limit keeps it small */
    return 1;
}

/* range: {from, to, steps}: steps points, both ends included, the
 * decimals a person would type (sm_sweep_range_points). */
static int read_range(loader *L, const sm_ynode *r, const char *where, sm_sweep_param *p)
{
    if (!sm_yread_kind(&L->yr, r, where, SM_YMAP))
        return 0;
    static const char *const keys[] = {"from", "to", "steps", NULL};
    int ok = sm_yread_known_keys(&L->yr, r, where, keys) == 0;
    const sm_ynode *fn = sm_yread_required(&L->yr, r, "from", where);
    const sm_ynode *tn = sm_yread_required(&L->yr, r, "to", where);
    const sm_ynode *sn = sm_yread_required(&L->yr, r, "steps", where);
    double from = 0, to = 0;
    int steps = 0;
    char w[320];
    ok &= fn && read_number(L, fn, sm_ypath(w, sizeof w, where, "from"), &from) &&
          check_domain(L, fn, w, p, from, 0);
    ok &= tn && read_number(L, tn, sm_ypath(w, sizeof w, where, "to"), &to) &&
          check_domain(L, tn, w, p, to, 0);
    ok &= sn && sm_yread_int(&L->yr, sn, sm_ypath(w, sizeof w, where, "steps"), 2,
                             SM_SWEEP_MAX_STEPS, &steps);
    if (!ok)
        return 0;
    if (!(from < to)) {
        sm_diag_error(L->d, L->file, fn->line, fn->col,
                      "%s: from (%g) must be below to (%g)", where, from, to);
        return 0;
    }
    p->values = calloc((size_t)steps, sizeof *p->values);
    if (!p->values)
        return nomem(L);
    p->n_values = steps;
    sm_sweep_range_points(from, to, steps, p->values);
    for (int k = 0; k < steps; k++) {
        double v = p->values[k];
        if (p->domain.integer && v != floor(v)) {
            sm_diag_error(L->d, L->file, r->line, r->col,
                          "%s: point %d of the range is %g, not a whole number; %s takes "
                          "whole %ss, so choose steps with (to - from) / (steps - 1) whole",
                          where, k + 1, v, p->name, p->domain.units);
            return 0;
        }
    }
    return 1;
}

/* choice: values with optional weights (default: equal), normalised. */
static int read_choice(loader *L, const sm_ynode *v, const char *where, sm_sweep_param *p)
{
    char w[320];
    const sm_ynode *vals = sm_yread_required(&L->yr, v, "values", where);
    if (!vals || !read_values(L, vals, sm_ypath(w, sizeof w, where, "values"), p, &p->values,
                              &p->n_values))
        return 0;
    p->weights = calloc((size_t)p->n_values, sizeof *p->weights);
    if (!p->weights)
        return nomem(L);
    const sm_ynode *wn = sm_ymap_get(v, "weights");
    if (!wn) {
        for (int i = 0; i < p->n_values; i++)
            p->weights[i] = 1.0 / p->n_values;
        return 1;
    }
    sm_ypath(w, sizeof w, where, "weights");
    if (!sm_yread_kind(&L->yr, wn, w, SM_YSEQ))
        return 0;
    if (wn->count != (size_t)p->n_values) {
        sm_diag_error(L->d, L->file, wn->line, wn->col,
                      "%s: %zu weights for %d values; give one weight per value", w, wn->count,
                      p->n_values);
        return 0;
    }
    double sum = 0;
    int ok = 1;
    for (size_t i = 0; i < wn->count; i++) {
        const sm_ynode *it = wn->items[i];
        if (!read_number(L, it, w, &p->weights[i]))
            ok = 0;
        else if (p->weights[i] < 0) {
            sm_diag_error(L->d, L->file, it->line, it->col, "%s: weight %g is negative", w,
                          p->weights[i]);
            ok = 0;
        } else
            sum += p->weights[i];
    }
    if (!ok)
        return 0;
    if (!(sum > 0) || !isfinite(sum)) {
        sm_diag_error(L->d, L->file, wn->line, wn->col,
                      "%s: the weights sum to %g; expected a positive, finite sum", w, sum);
        return 0;
    }
    for (int i = 0; i < p->n_values; i++)
        p->weights[i] /= sum;
    return 1;
}

typedef struct dist_info {
    const char *name;
    sm_dist dist;
    const char *keys[4];   /* its own keys; for the numeric ones, a, b, c in order */
} dist_info;

static const dist_info dists[] = {
    {"uniform", SM_DIST_UNIFORM, {"low", "high", NULL}},
    {"normal", SM_DIST_NORMAL, {"mean", "sd", NULL}},
    {"lognormal", SM_DIST_LOGNORMAL, {"mu", "sigma", NULL}},
    {"triangular", SM_DIST_TRIANGULAR, {"low", "mode", "high", NULL}},
    {"choice", SM_DIST_CHOICE, {"values", "weights", NULL}},
    {"event", SM_DIST_EVENT, {"p", "yes", "no", NULL}},
};

static int read_dist(loader *L, const sm_ynode *v, const sm_ynode *dn, const char *where,
                     sm_sweep_param *p)
{
    char w[320];
    const char *name = NULL;
    if (!sm_yread_string(&L->yr, dn, sm_ypath(w, sizeof w, where, "dist"), &name))
        return 0;
    const dist_info *di = NULL;
    for (size_t i = 0; i < sizeof dists / sizeof dists[0]; i++)
        if (!strcmp(name, dists[i].name))
            di = &dists[i];
    if (!di) {
        char q[SM_EXCERPT_SIZE];
        sm_diag_error(L->d, L->file, dn->line, dn->col,
                      "%s: unknown distribution '%s' (expected one of: uniform, normal, "
                      "lognormal, triangular, choice, event)", w, sm_excerpt(q, name));
        return 0;
    }
    /* Random from here on, so a missing seed is reported too. */
    p->axis = SM_AXIS_RANDOM;
    p->dist = di->dist;
    const char *allowed[5] = {"dist", di->keys[0], di->keys[1], di->keys[2], NULL};
    int ok = sm_yread_known_keys(&L->yr, v, where, allowed) == 0;
    if (di->dist == SM_DIST_CHOICE)
        return read_choice(L, v, where, p) && ok;

    double x[3] = {0, 0, 0};
    const sm_ynode *xn[3] = {NULL, NULL, NULL};
    char wk[3][320];
    for (int i = 0; i < 3 && di->keys[i]; i++) {
        sm_ypath(wk[i], sizeof wk[i], where, di->keys[i]);
        xn[i] = sm_yread_required(&L->yr, v, di->keys[i], where);
        ok &= xn[i] && read_number(L, xn[i], wk[i], &x[i]);
    }
    if (!ok)
        return 0;
    p->a = x[0];
    p->b = x[1];
    p->c = x[2];
    switch (di->dist) {
    case SM_DIST_UNIFORM:
    case SM_DIST_TRIANGULAR: {
        int hi = di->dist == SM_DIST_UNIFORM ? 1 : 2;
        ok = check_domain(L, xn[0], wk[0], p, x[0], 0) &
             check_domain(L, xn[hi], wk[hi], p, x[hi], 0);
        if (ok && !(x[0] < x[hi])) {
            sm_diag_error(L->d, L->file, xn[hi]->line, xn[hi]->col,
                          "%s: %g must be above low (%g)", wk[hi], x[hi], x[0]);
            ok = 0;
        }
        if (ok && hi == 2 && (x[1] < x[0] || x[1] > x[2])) {
            sm_diag_error(L->d, L->file, xn[1]->line, xn[1]->col,
                          "%s: %g must lie in [low, high] = [%g, %g]", wk[1], x[1], x[0], x[2]);
            ok = 0;
        }
        return ok;
    }
    case SM_DIST_NORMAL:
    case SM_DIST_LOGNORMAL:
        if (!(x[1] > 0)) {
            sm_diag_error(L->d, L->file, xn[1]->line, xn[1]->col, "%s: must be above 0, got %g",
                          wk[1], x[1]);
            return 0;
        }
        return 1;
    case SM_DIST_EVENT:
        if (x[0] < 0 || x[0] > 1) {
            sm_diag_error(L->d, L->file, xn[0]->line, xn[0]->col,
                          "%s: probability %g is outside [0, 1]", wk[0], x[0]);
            ok = 0;
        }
        ok &= check_domain(L, xn[1], wk[1], p, x[1], 1);
        ok &= check_domain(L, xn[2], wk[2], p, x[2], 1);
        return ok;
    case SM_DIST_CHOICE:
    case SM_DIST_CONSTANT:
        break;
    }
    return ok;
}

/* One outcome of an event-tied parameter into o: a number (that value
 * whenever the outcome applies) or a distribution {dist: NAME, ...}. */
static int read_outcome(loader *L, const sm_ynode *n, const char *where, sm_sweep_param *o)
{
    if (n->kind == SM_YSCALAR) {
        o->axis = SM_AXIS_RANDOM;
        o->dist = SM_DIST_CONSTANT;
        return read_number(L, n, where, &o->a) && check_domain(L, n, where, o, o->a, 1);
    }
    const sm_ynode *dn = n->kind == SM_YMAP ? sm_ymap_get(n, "dist") : NULL;
    if (!dn) {
        sm_diag_error(L->d, L->file, n->line, n->col,
                      "%s: expected a number or a distribution {dist: NAME, ...}", where);
        return 0;
    }
    return read_dist(L, n, dn, where, o);
}

/* The index of the event called name, or -1 after an error naming the
 * events there are. */
static int find_event(loader *L, const sm_ynode *n, const char *where, const char *name)
{
    const sm_sweep *s = L->s;
    for (int e = 0; e < s->n_events; e++)
        if (!strcmp(s->events[e].name, name))
            return e;
    char list[256] = "", q[SM_EXCERPT_SIZE];
    for (int e = 0; e < s->n_events; e++) {
        size_t len = strlen(list);
        snprintf(list + len, sizeof list - len, "%s%s", e ? ", " : "", s->events[e].name);
    }
    sm_diag_error(L->d, L->file, n->line, n->col, "%s: unknown event '%s'; %s%s", where,
                  sm_excerpt(q, name),
                  s->n_events ? "the events of this sweep are: "
                              : "this sweep has no events: define it under 'events:' first",
                  list);
    return -1;
}

/* {when: EVENT, happens: OUTCOME, otherwise: OUTCOME}: p follows the
 * event's draw; both outcomes are required. */
static void read_when(loader *L, const sm_ynode *v, const sm_ynode *wn, const char *where,
                      sm_sweep_param *p)
{
    static const char *const keys[] = {"when", "happens", "otherwise", NULL};
    sm_yread_known_keys(&L->yr, v, where, keys);
    p->axis = SM_AXIS_RANDOM; /* so a missing seed is reported too */
    p->otherwise = calloc(1, sizeof *p->otherwise);
    if (!p->otherwise) {
        nomem(L);
        return;
    }
    p->otherwise->name = p->name;
    p->otherwise->domain = p->domain;
    char w[320];
    const char *name = NULL;
    if (sm_yread_string(&L->yr, wn, sm_ypath(w, sizeof w, where, "when"), &name)) {
        p->event = find_event(L, wn, w, name);
        if (p->event >= 0)
            L->s->events[p->event].uses++;
    }
    const sm_ynode *hn = sm_yread_required(&L->yr, v, "happens", where);
    const sm_ynode *on = sm_yread_required(&L->yr, v, "otherwise", where);
    if (hn)
        read_outcome(L, hn, sm_ypath(w, sizeof w, where, "happens"), p);
    p->axis = SM_AXIS_RANDOM;
    if (on)
        read_outcome(L, on, sm_ypath(w, sizeof w, where, "otherwise"), p->otherwise);
}

static void read_param(loader *L, const sm_ynode *k, const sm_ynode *v)
{
    sm_sweep *s = L->s;
    const char *name = NULL;
    if (!sm_yread_string(&L->yr, k, "parameters", &name))
        return;
    sm_sweep_param *p = &s->params[s->n_params];
    p->event = -1;
    p->name = strdup(name);
    if (!p->name) {
        nomem(L);
        return;
    }
    s->n_params++; /* owned from here on, so freed with the sweep */
    p->loc = (sm_loc){s->file, k->line, k->col};
    char where[256], why[256];
    snprintf(where, sizeof where, "parameters.%s", name);
    if (!sm_param_resolve(L->m, name, &p->target, why, sizeof why)) {
        sm_diag_error(L->d, L->file, k->line, k->col, "parameters: %s", why);
        return;
    }
    p->domain = sm_param_domain_of(L->m, p->target.kind);
    if (!sm_yread_kind(&L->yr, v, where, SM_YMAP))
        return;
    /* Exactly one way to vary it: `dist` decides the other keys (a choice
     * has `values` too), else `values` or `range`, never both. */
    const sm_ynode *dn = sm_ymap_get(v, "dist"), *vn = sm_ymap_get(v, "values"),
                   *rn = sm_ymap_get(v, "range"), *wn = sm_ymap_get(v, "when");
    char w[320];
    if (wn)
        read_when(L, v, wn, where, p);
    else if (dn)
        read_dist(L, v, dn, where, p);
    else if (vn && rn)
        sm_diag_error(L->d, L->file, v->line, v->col,
                      "%s: give either 'values' or 'range', not both", where);
    else if (vn || rn) {
        static const char *const vkeys[] = {"values", NULL}, *const rkeys[] = {"range", NULL};
        sm_yread_known_keys(&L->yr, v, where, vn ? vkeys : rkeys);
        if (vn)
            read_values(L, vn, sm_ypath(w, sizeof w, where, "values"), p, &p->values,
                        &p->n_values);
        else
            read_range(L, rn, sm_ypath(w, sizeof w, where, "range"), p);
    } else {
        static const char *const keys[] = {"values", "range", "dist", "when", NULL};
        if (sm_yread_known_keys(&L->yr, v, where, keys) == 0)
            sm_diag_error(L->d, L->file, v->line, v->col,
                          "%s: expected one of 'values: [...]', 'range: {from, to, steps}', "
                          "'dist: NAME' with that distribution's keys, or 'when: EVENT' with "
                          "'happens' and 'otherwise'", where);
    }
}

/* Seeds are 64-bit integers, beyond what a double (and so sm_parse_*)
 * holds exactly: digits only, below 2^63 so any language can store it. */
static void read_seed(loader *L, const sm_ynode *n)
{
    if (!sm_yread_kind(&L->yr, n, "seed", SM_YSCALAR))
        return;
    size_t len = strspn(n->text, "0123456789");
    unsigned long long v = len > 0 && len <= 19 && n->text[len] == '\0'
                               ? strtoull(n->text, NULL, 10) : ~0ull;
    if (v >= (1ull << 63)) {
        char q[SM_EXCERPT_SIZE];
        sm_diag_error(L->d, L->file, n->line, n->col,
                      "seed: expected a whole number in [0, 2^63), got '%s'",
                      sm_excerpt(q, n->text));
        return;
    }
    L->s->seed = v;
}

/* The key node of `key` in map (the value's position is that of its first
 * nested key, which points a reader at the wrong line). */
static const sm_ynode *key_node(const sm_ynode *map, const char *key)
{
    for (size_t i = 0; i < map->count; i++)
        if (!strcmp(map->items[2 * i]->text, key))
            return map->items[2 * i];
    return map;
}

/* G * S, refusing more than SM_SWEEP_MAX_SCENARIOS without overflowing. */
static void count_scenarios(loader *L, const sm_ynode *at)
{
    sm_sweep *s = L->s;
    uint64_t g = 1;
    double g_approx = 1;   /* for the message when g would overflow */
    int too_many = 0;
    for (int k = 0; k < s->n_params; k++) {
        if (s->params[k].axis != SM_AXIS_GRID)
            continue;
        uint64_t n = (uint64_t)s->params[k].n_values;
        g_approx *= (double)n;
        if (g > SM_SWEEP_MAX_SCENARIOS / n)
            too_many = 1;
        else
            g *= n;
    }
    too_many |= !too_many && s->samples > SM_SWEEP_MAX_SCENARIOS / g;
    if (too_many) {
        sm_diag_error(L->d, L->file, at->line, at->col,
                      "the sweep has %.4g scenarios (%.4g grid points x %zu samples), more "
                      "than the limit of %.4g", g_approx * (double)s->samples, g_approx,
                      s->samples, (double)SM_SWEEP_MAX_SCENARIOS);
        return;
    }
    s->grid_size = (size_t)g;
    s->n_scenarios = (size_t)(g * s->samples);
    if (!s->block_size_given)
        s->block_size = sm_sweep_default_block_size(s->n_scenarios);
}

/* name, description and the model the sweep is for. */
static sm_status read_header(loader *L, const sm_ynode *root)
{
    sm_sweep *s = L->s;
    const char *name = NULL, *desc = NULL, *model = NULL;
    const sm_ynode *nn = sm_yread_required(&L->yr, root, "name", "");
    if (nn)
        sm_yread_name(&L->yr, nn, "name", &name);
    sm_yread_string(&L->yr, sm_ymap_get(root, "description"), "description", &desc);
    s->name = strdup(name ? name : "unnamed");
    s->description = strdup(desc ? desc : "");
    if (!s->name || !s->description)
        return sm_diag_fail(L->d, SM_ENOMEM, "out of memory");
    const sm_ynode *mn = sm_ymap_get(root, "model");
    if (mn && sm_yread_name(&L->yr, mn, "model", &model) && strcmp(model, L->m->name) != 0)
        sm_diag_error(L->d, s->file, mn->line, mn->col,
                      "model: this sweep is for model '%s', but the model loaded is '%s' (%s)",
                      model, L->m->name, L->m->dir ? L->m->dir : "");
    return SM_OK;
}

/* The `plan:` mapping: the risk functional of the sweep's plans. */
static void read_plan(loader *L, const sm_ynode *root)
{
    sm_sweep *s = L->s;
    s->risk_weight = s->cvar_alpha = NAN;
    const sm_ynode *pn = sm_ymap_get(root, "plan");
    if (!pn || !sm_yread_kind(&L->yr, pn, "plan", SM_YMAP))
        return;
    static const char *const keys[] = {"risk_weight", "cvar_alpha", NULL};
    sm_yread_known_keys(&L->yr, pn, "plan", keys);
    sm_yread_double(&L->yr, sm_ymap_get(pn, "risk_weight"), "plan.risk_weight", 0.0, 1.0,
                    &s->risk_weight);
    const sm_ynode *an = sm_ymap_get(pn, "cvar_alpha");
    double a = NAN;
    if (sm_yread_double(&L->yr, an, "plan.cvar_alpha", 0.0, 1.0, &a) && an &&
        !sm_cvar_alpha_ok(a))
        sm_diag_error(L->d, s->file, an->line, an->col,
                      "plan.cvar_alpha: %g is out of range, expected a value in [0, 1) (the "
                      "share of futures CVaR leaves out)", a);
    else
        s->cvar_alpha = a;
}

/* seed, sampling and block_size into the sweep; returns `samples` as
 * written (1 when absent), which counts only when a parameter is random. */
static int read_sampling(loader *L, const sm_ynode *root)
{
    sm_sweep *s = L->s;
    const sm_ynode *seed_n = sm_ymap_get(root, "seed"), *sampling_n = sm_ymap_get(root, "sampling");
    const char *sampling = NULL;
    if (seed_n)
        read_seed(L, seed_n);
    int samples = 1, block = 0;
    sm_yread_int(&L->yr, sm_ymap_get(root, "samples"), "samples", 1, SM_SWEEP_MAX_SAMPLES,
                 &samples);
    if (sm_yread_string(&L->yr, sampling_n, "sampling", &sampling) && sampling) {
        if (!strcmp(sampling, "lhs"))
            s->sampling = SM_SAMPLING_LHS;
        else if (strcmp(sampling, "random") != 0)
            sm_diag_error(L->d, s->file, sampling_n->line, sampling_n->col,
                          "sampling: expected 'random' or 'lhs', got '%s'",
                          sm_excerpt((char[SM_EXCERPT_SIZE]){0}, sampling));
    }
    /* Without block_size, count_scenarios sets the default for the count. */
    s->block_size_given =
        sm_yread_int(&L->yr, sm_ymap_get(root, "block_size"), "block_size", 1,
                     SM_SWEEP_MAX_BLOCK, &block) && block > 0;
    s->block_size = (size_t)block;
    return samples;
}

static sm_status read_params(loader *L, const sm_ynode *root)
{
    sm_sweep *s = L->s;
    const sm_ynode *ps = sm_yread_required(&L->yr, root, "parameters", "");
    if (!ps || !sm_yread_kind(&L->yr, ps, "parameters", SM_YMAP))
        return SM_OK;
    if (ps->count == 0)
        sm_diag_error(L->d, s->file, ps->line, ps->col,
                      "parameters: at least one parameter is needed");
    s->params = calloc(ps->count ? ps->count : 1, sizeof *s->params);
    if (!s->params)
        return sm_diag_fail(L->d, SM_ENOMEM, "out of memory");
    for (size_t i = 0; i < ps->count && L->fail == SM_OK; i++)
        read_param(L, ps->items[2 * i], ps->items[2 * i + 1]);
    return L->fail;
}

/* events: {NAME: {p: P}, ...}, read before the parameters that name them. */
static sm_status read_events(loader *L, const sm_ynode *root)
{
    sm_sweep *s = L->s;
    const sm_ynode *es = sm_ymap_get(root, "events");
    if (!es || !sm_yread_kind(&L->yr, es, "events", SM_YMAP))
        return SM_OK;
    s->events = calloc(es->count ? es->count : 1, sizeof *s->events);
    if (!s->events)
        return sm_diag_fail(L->d, SM_ENOMEM, "out of memory");
    for (size_t i = 0; i < es->count; i++) {
        const sm_ynode *k = es->items[2 * i], *v = es->items[2 * i + 1];
        const char *name = NULL;
        if (!sm_yread_name(&L->yr, k, "events", &name))
            continue;
        sm_sweep_event *e = &s->events[s->n_events];
        if (!(e->name = strdup(name)))
            return sm_diag_fail(L->d, SM_ENOMEM, "out of memory");
        s->n_events++;
        e->loc = (sm_loc){s->file, k->line, k->col};
        char where[128], w[320];
        snprintf(where, sizeof where, "events.%s", name);
        if (!sm_yread_kind(&L->yr, v, where, SM_YMAP))
            continue;
        static const char *const keys[] = {"p", "description", NULL};
        sm_yread_known_keys(&L->yr, v, where, keys);
        const char *desc = NULL;
        sm_yread_string(&L->yr, sm_ymap_get(v, "description"),
                        sm_ypath(w, sizeof w, where, "description"), &desc);
        const sm_ynode *pn = sm_yread_required(&L->yr, v, "p", where);
        sm_ypath(w, sizeof w, where, "p");
        if (pn && read_number(L, pn, w, &e->p) && (e->p < 0 || e->p > 1))
            sm_diag_error(L->d, L->file, pn->line, pn->col,
                          "%s: probability %g is outside [0, 1]", w, e->p);
    }
    return SM_OK;
}

/* An event that no parameter follows is a mistake (a misspelt `when:`). */
static void check_events_used(loader *L)
{
    for (int e = 0; e < L->s->n_events; e++) {
        const sm_sweep_event *ev = &L->s->events[e];
        if (!ev->uses)
            sm_diag_error(L->d, L->file, ev->loc.line, ev->loc.col,
                          "events.%s: no parameter uses this event; tie parameters to it "
                          "with 'when: %s' (and 'happens', 'otherwise'), or remove it",
                          ev->name, ev->name);
    }
}

/* The index of the swept parameter a correlation names, or -1 after an
 * error saying why it cannot be correlated. */
static int corr_param(loader *L, const sm_ynode *n, const char *where)
{
    const sm_sweep *s = L->s;
    const char *name = NULL;
    if (!sm_yread_string(&L->yr, n, where, &name))
        return -1;
    char q[SM_EXCERPT_SIZE];
    for (int k = 0; k < s->n_params; k++) {
        const sm_sweep_param *p = &s->params[k];
        if (strcmp(p->name, name) != 0)
            continue;
        if (p->axis == SM_AXIS_RANDOM && p->event < 0)
            return k;
        sm_diag_error(L->d, L->file, n->line, n->col,
                      p->axis == SM_AXIS_GRID
                          ? "%s: '%s' (line %d) is a grid parameter; only random parameters "
                            "(dist: ...) can be correlated"
                          : "%s: '%s' (line %d) follows an event; correlate parameters drawn on "
                            "their own (dist: ...), the event already links its parameters",
                      where, name, p->loc.line);
        return -1;
    }
    sm_diag_error(L->d, L->file, n->line, n->col,
                  "%s: '%s' is not a parameter of this sweep; correlations are between its "
                  "random parameters (dist: ...)", where, sm_excerpt(q, name));
    return -1;
}

/* One entry {between: [A, B], rho: R} into c; 1 when valid. */
static int read_corr(loader *L, const sm_ynode *n, const char *where, sm_sweep_corr *c)
{
    if (!sm_yread_kind(&L->yr, n, where, SM_YMAP))
        return 0;
    static const char *const keys[] = {"between", "rho", NULL};
    int ok = sm_yread_known_keys(&L->yr, n, where, keys) == 0;
    const sm_ynode *bn = sm_yread_required(&L->yr, n, "between", where);
    const sm_ynode *rn = sm_yread_required(&L->yr, n, "rho", where);
    char w[320];
    sm_ypath(w, sizeof w, where, "between");
    if (bn && sm_yread_kind(&L->yr, bn, w, SM_YSEQ) && bn->count != 2) {
        sm_diag_error(L->d, L->file, bn->line, bn->col,
                      "%s: expected two parameter names, got %zu", w, bn->count);
        ok = 0;
    } else if (bn && bn->kind == SM_YSEQ) {
        c->a = corr_param(L, bn->items[0], w);
        c->b = corr_param(L, bn->items[1], w);
        ok &= c->a >= 0 && c->b >= 0;
        if (ok && c->a == c->b) {
            sm_diag_error(L->d, L->file, bn->line, bn->col,
                          "%s: a parameter with itself; name two different ones", w);
            ok = 0;
        }
    } else
        ok = 0;
    ok &= rn && sm_yread_double(&L->yr, rn, sm_ypath(w, sizeof w, where, "rho"), -1.0, 1.0,
                                &c->rho);
    c->loc = (sm_loc){L->file, n->line, n->col};
    return ok;
}

/* correlations: a list of target rank correlations between pairs. */
static sm_status read_correlations(loader *L, const sm_ynode *root)
{
    sm_sweep *s = L->s;
    const sm_ynode *cs = sm_ymap_get(root, "correlations");
    if (!cs || !sm_yread_kind(&L->yr, cs, "correlations", SM_YSEQ))
        return SM_OK;
    const sm_ynode *key = key_node(root, "correlations");
    s->corr_loc = (sm_loc){s->file, key->line, key->col};
    s->corr = calloc(cs->count ? cs->count : 1, sizeof *s->corr);
    if (!s->corr)
        return sm_diag_fail(L->d, SM_ENOMEM, "out of memory");
    for (size_t i = 0; i < cs->count; i++) {
        char where[64];
        snprintf(where, sizeof where, "correlations[%zu]", i + 1);
        sm_sweep_corr c;
        if (!read_corr(L, cs->items[i], where, &c))
            continue;
        for (int o = 0; o < s->n_corr; o++)
            if ((s->corr[o].a == c.a && s->corr[o].b == c.b) ||
                (s->corr[o].a == c.b && s->corr[o].b == c.a)) {
                sm_diag_error(L->d, L->file, c.loc.line, c.loc.col,
                              "%s: the pair %s, %s is already given at line %d", where,
                              s->params[c.a].name, s->params[c.b].name, s->corr[o].loc.line);
                c.a = -1;
                break;
            }
        if (c.a >= 0)
            s->corr[s->n_corr++] = c;
    }
    if (s->n_corr && s->samples > SM_SWEEP_MAX_CORR_SAMPLES)
        sm_diag_error(L->d, L->file, key->line, key->col,
                      "correlations: need samples of at most %d (the whole sample is reordered "
                      "up front), this sweep has %zu", SM_SWEEP_MAX_CORR_SAMPLES, s->samples);
    return SM_OK;
}

/* Seed and samples matter only when something is random; a grid alone is
 * one future per grid point. Sets the sweep's samples; returns whether a
 * parameter is random. */
static int check_random(loader *L, const sm_ynode *root, int samples)
{
    sm_sweep *s = L->s;
    const sm_ynode *seed_n = sm_ymap_get(root, "seed"), *samples_n = sm_ymap_get(root, "samples"),
                   *sampling_n = sm_ymap_get(root, "sampling");
    const sm_sweep_param *first_random = NULL;
    for (int k = 0; k < s->n_params && !first_random; k++)
        if (s->params[k].axis == SM_AXIS_RANDOM)
            first_random = &s->params[k];
    if (!first_random) {
        const sm_ynode *unused[] = {seed_n, samples_n, sampling_n};
        static const char *const names[] = {"seed", "samples", "sampling"};
        for (int k = 0; k < 3; k++)
            if (unused[k])
                sm_diag_warning(L->d, s->file, unused[k]->line, unused[k]->col,
                                "%s: ignored, no parameter is random", names[k]);
        s->samples = 1;
        return 0;
    }
    if (!seed_n)
        sm_diag_error(L->d, s->file, root->line, root->col,
                      "seed: required because parameter '%s' (line %d) is random; give "
                      "any whole number in [0, 2^63)", first_random->name,
                      first_random->loc.line);
    if (!samples_n)
        sm_diag_error(L->d, s->file, root->line, root->col,
                      "samples: required because parameter '%s' (line %d) is random; give "
                      "the number of random futures per grid point", first_random->name,
                      first_random->loc.line);
    s->samples = (size_t)samples;
    return 1;
}

sm_status sm_sweep_load(const char *path, const sm_model *m, sm_sweep **out, sm_diag *d)
{
    *out = NULL;
    sm_status st = SM_OK;
    sm_ynode *root = NULL;
    size_t errors_before = d->errors;
    sm_sweep *s = calloc(1, sizeof *s);
    if (!s)
        return sm_diag_fail(d, SM_ENOMEM, "out of memory");
    s->file = strdup(path);
    if (!s->file)
        SM_TRY(sm_diag_fail(d, SM_ENOMEM, "out of memory"));
    SM_TRY(sm_text_read(path, NULL, SM_SWEEP_MAX_BYTES, &s->text, &s->len, d));
    SM_TRY(sm_yaml_parse(s->file, s->text, s->len, &root, d));
    loader L = {m, s, d, {s->file, d}, s->file, SM_OK};
    if (!root)
        SM_TRY(sm_diag_error(d, s->file, 1, 1, "the file is empty; expected a sweep's name "
                                               "and parameters"));
    if (!sm_yread_kind(&L.yr, root, "the file", SM_YMAP))
        SM_TRY(SM_EINPUT);
    static const char *const keys[] = {"name", "description", "model", "seed", "samples",
                                       "sampling", "block_size", "events", "parameters",
                                       "correlations", "plan", NULL};
    sm_yread_known_keys(&L.yr, root, "", keys);
    SM_TRY(read_header(&L, root));
    int samples = read_sampling(&L, root);
    SM_TRY(read_events(&L, root));
    SM_TRY(read_params(&L, root));
    check_events_used(&L);
    read_plan(&L, root);
    int random = check_random(&L, root, samples);
    SM_TRY(read_correlations(&L, root));
    if (d->errors == errors_before)
        sm_sweep_check_windows(m, s, d); /* models/model_check.c, MODEL.md "Scoped windows" */
    if (d->errors == errors_before)
        count_scenarios(&L, random ? sm_ymap_get(root, "samples") : key_node(root, "parameters"));
    if (d->errors > errors_before)
        SM_TRY(SM_EINPUT);
    SM_TRY(sm_sweep_correlate(s, d));
    s->hash = XXH3_64bits(s->text, s->len);
    *out = s;
    s = NULL;
done:
    sm_yaml_free(&root);
    sm_sweep_free(&s);
    return st;
}

char *sm_sweep_find(const char *arg, const char *model_dir)
{
    if (sm_path_exists(arg) || strchr(arg, '/') || !model_dir)
        return strdup(arg);
    static const char *const suffixes[] = {"", ".yaml"};
    for (int i = 0; i < 2; i++) {
        size_t n = strlen(model_dir) + strlen(arg) + sizeof "/sweeps/.yaml";
        char *p = malloc(n);
        if (!p)
            return NULL;
        snprintf(p, n, "%s/sweeps/%s%s", model_dir, arg, suffixes[i]);
        if (sm_path_exists(p))
            return p;
        free(p);
    }
    return strdup(arg);
}
