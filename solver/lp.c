/* The LP problem of one thread: build, patch, warm re-solve (see lp.h).
 * GLPK here; a problem of the CLP engine holds an sm_clp (lp_clp.h) and
 * no glp_prob, and each function that both engines serve tests lp->clp
 * first. Functions for GLPK only need no test: only sm_lp_new builds CLP
 * problems. */
#include "lp.h"
#include "lp_clp.h"
#include "lp_dual.h"

#include "../core/clock.h"

#include <glpk.h>
#include <math.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct sm_lp {
    glp_prob *P;
    sm_clp *clp;             /* instead of P in the CLP engine */
    sm_lp_opts opts;
    sm_coeffs *cur;          /* what P holds now */
    int bound_conflict;      /* a loaded lower bound lies above its upper bound */
    int n_rows, n_cols;
    jmp_buf jmp;             /* where GLPK's error hook returns to */
    char msg[160];           /* GLPK's last line of output */
    /* Generations of the last solution's primal values and duals: a solve
     * keeps a generation only when it provably left those values as they
     * were (sm_lp_solution_moved); x_warm/y_warm say that nothing since
     * the last such solve could move them. */
    unsigned long x_gen, y_gen;
    int x_warm, y_warm;
    int rows_added;          /* GLPK: rows appended since the last solve */
    /* GLPK, a problem of the layout: the duals of a re-solve after costs
     * alone moved (lp_dual.h); dual_off once the problem grows beyond it. */
    sm_lp_dual *dual;
    int dual_off;
    /* The last solve was such: GLPK's stored duals and objective predate
     * its costs, and the last solution is read from dual; the objective's
     * constant then, when it has moved since (c0_moved). */
    int stale, c0_moved;
    double c0_then;
    int test_fatal;          /* sm_lp_test_fatal_next: fail the next long-step solve */
    /* GLPK: columns whose cost cur holds and P not yet. set_obj defers
     * the call until GLPK next reads costs (costs_to_glpk): on a grid
     * most scenarios are decided by the duals alone, from cur, and a
     * tariff step moves 60 costs (china_grid: 842,000 calls a run). */
    int *obj_due;
    unsigned char *obj_due_mark;
    int n_obj_due;
};

/* Something moved that the primal values (and so the duals) depend on:
 * bounds, the basis, its factorization, the scaling, the rows. */
static void values_move(sm_lp *lp)
{
    lp->x_warm = lp->y_warm = 0;
    sm_lp_dual_forget(lp->dual);
}

/* The problem grows beyond the layout the dual shortcut holds: no more
 * shortcuts (what the last solve left stays readable). */
static void dual_drop(sm_lp *lp)
{
    lp->dual_off = 1;
}

void sm_lp_opts_init(sm_lp_opts *o)
{
    o->it_lim = 100000;
    o->tm_lim_ms = 60000;
    o->scale = 1;
    o->warm_method = SM_WARM_DUAL;
    o->warm_pricing = SM_PRICING_TEXTBOOK;
    o->warm_ratio = SM_RATIO_HARRIS;
    o->engine = SM_LP_GLPK;
    o->dual_only = 1;
}

const char *sm_ratio_test_name(sm_ratio_test r)
{
    return r == SM_RATIO_FLIP ? "long-step" : r == SM_RATIO_HARRIS ? "harris" : NULL;
}

int sm_ratio_test_parse(const char *name, sm_ratio_test *r)
{
    if (!strcmp(name, "long-step"))
        *r = SM_RATIO_FLIP;
    else if (!strcmp(name, "harris"))
        *r = SM_RATIO_HARRIS;
    else
        return 0;
    return 1;
}

void sm_lp_set_warm_ratio(sm_lp *lp, sm_ratio_test r)
{
    lp->opts.warm_ratio = r;
}

void sm_lp_test_fatal_next(sm_lp *lp)
{
    lp->test_fatal = 1;
}

const char *sm_lp_engine_name(sm_lp_engine e)
{
    static const char *const names[SM_LP_N_ENGINES] = {"glpk", "clp"};
    return e >= 0 && e < SM_LP_N_ENGINES ? names[e] : NULL;
}

int sm_lp_engine_built(sm_lp_engine e)
{
#ifdef SM_WITH_CLP
    return e == SM_LP_GLPK || e == SM_LP_CLP;
#else
    return e == SM_LP_GLPK;
#endif
}

int sm_lp_engine_parse(const char *name, sm_lp_engine *e)
{
    for (int k = 0; k < SM_LP_N_ENGINES; k++)
        if (strcmp(name, sm_lp_engine_name((sm_lp_engine)k)) == 0 &&
            sm_lp_engine_built((sm_lp_engine)k)) {
            *e = (sm_lp_engine)k;
            return 1;
        }
    return 0;
}

const char *sm_lp_engines_built(void)
{
#ifdef SM_WITH_CLP
    return "glpk, clp";
#else
    return "glpk";
#endif
}

const char *sm_lp_engine_version(sm_lp_engine e)
{
    return e == SM_LP_CLP ? sm_clp_version() : glp_version();
}

sm_lp_engine sm_lp_engine_of(const sm_lp *lp)
{
    return lp->clp ? SM_LP_CLP : SM_LP_GLPK;
}

/* GLPK's terminal output goes to the problem's last-message buffer: a
 * batch of a million scenarios must not print, but a failure should say
 * what GLPK said. */
static int on_glpk_output(void *info, const char *s)
{
    sm_lp *lp = info;
    size_t n = strlen(s);
    /* GLPK's fatal errors end with "Error detected in file ..."; the line
     * before it says what was wrong, so keep that one. */
    if (strncmp(s, "Error detected in file", 22) == 0)
        return 1;
    if (n > 1 || (n == 1 && s[0] != '\n')) {
        strncpy(lp->msg, s, sizeof lp->msg - 1);
        lp->msg[sizeof lp->msg - 1] = '\0';
        char *nl = strchr(lp->msg, '\n');
        if (nl)
            *nl = '\0';
    }
    return 1;
}

static void on_glpk_error(void *info)
{
    sm_lp *lp = info;
    longjmp(lp->jmp, 1);
}

static int drop_output(void *info, const char *s)
{
    (void)info;
    (void)s;
    return 1;
}

/* The hooks live in the thread's GLPK environment, not in the problem:
 * install this problem's around each call, and leave none pointing at it. */
static void enter(sm_lp *lp)
{
    lp->msg[0] = '\0';
    glp_term_hook(on_glpk_output, lp);
    glp_error_hook(on_glpk_error, lp);
}

static void leave(void)
{
    glp_error_hook(NULL, NULL);
    glp_term_hook(drop_output, NULL);
}

static int bound_type(double lb, double ub)
{
    if (lb == -HUGE_VAL && ub == HUGE_VAL)
        return GLP_FR;
    if (lb == -HUGE_VAL)
        return GLP_UP;
    if (ub == HUGE_VAL)
        return GLP_LO;
    if (lb == ub)
        return GLP_FX;
    return GLP_DB;
}

static double finite_or_zero(double v)
{
    return isfinite(v) ? v : 0.0;
}

static void set_col(sm_lp *lp, int j, double lb, double ub)
{
    if (lb > ub) {
        lp->bound_conflict = 1;
        return;
    }
    values_move(lp);
    if (lp->clp)
        sm_clp_set_col_bounds(lp->clp, j, lb, ub);
    else
        glp_set_col_bnds(lp->P, j + 1, bound_type(lb, ub), finite_or_zero(lb),
                         finite_or_zero(ub));
    lp->cur->col_lb[j] = lb;
    lp->cur->col_ub[j] = ub;
}

static void set_row(sm_lp *lp, int i, double lb, double ub)
{
    if (lb > ub) {
        lp->bound_conflict = 1;
        return;
    }
    values_move(lp);
    if (lp->clp)
        sm_clp_set_row_bounds(lp->clp, i, lb, ub);
    else
        glp_set_row_bnds(lp->P, i + 1, bound_type(lb, ub), finite_or_zero(lb),
                         finite_or_zero(ub));
    lp->cur->row_lb[i] = lb;
    lp->cur->row_ub[i] = ub;
}

/* Whether the next warm solve may be decided by the duals alone: only
 * costs moved since a basis glp_warm_up found optimal (lp_dual.h). */
static int duals_may_decide(const sm_lp *lp)
{
    return lp->x_warm && lp->dual && !lp->dual_off;
}

/* Column j's cost, which differs from what the problem holds. */
static void set_obj(sm_lp *lp, int j, double obj)
{
    sm_coeffs *cur = lp->cur;
    lp->y_warm = 0;
    /* Else no solve takes the shortcut, nor is the last one read from dual,
     * before the next solve clears this. */
    if (lp->x_warm || lp->stale)
        sm_lp_dual_cost_moved(lp->dual, j, cur->obj[j]);
    if (lp->clp) {
        sm_clp_set_obj(lp->clp, j, obj);
    } else if (!duals_may_decide(lp)) {
        /* GLPK reads costs at the next solve anyway (monte_carlo: every
         * future), and a deferred call costs more than a direct one. */
        glp_set_obj_coef(lp->P, j + 1, obj);
    } else if (!lp->obj_due_mark[j]) {
        lp->obj_due_mark[j] = 1;
        lp->obj_due[lp->n_obj_due++] = j;
    }
    cur->obj[j] = obj;
}

/* The deferred costs into GLPK: before anything there reads them (a
 * solve, scaling, a copy, a file) or sets costs itself. */
static void costs_to_glpk(sm_lp *lp)
{
    for (int a = 0; a < lp->n_obj_due; a++) {
        int j = lp->obj_due[a];
        glp_set_obj_coef(lp->P, j + 1, lp->cur->obj[j]);
        lp->obj_due_mark[j] = 0;
    }
    lp->n_obj_due = 0;
}

/* Column j's cost as GLPK is to hold it (0-based). */
static double obj_of(const sm_lp *lp, int j)
{
    if (lp->n_obj_due && j < lp->cur->n_cols && lp->obj_due_mark[j])
        return lp->cur->obj[j];
    return glp_get_obj_coef(lp->P, j + 1);
}

/* Column j of c where it differs from what the problem holds: compared
 * here, in the loops that call it (a scenario compares hundreds of
 * numbers and changes few), and changed by set_col and set_obj. */
static inline void load_col(sm_lp *lp, const sm_coeffs *c, int j)
{
    const sm_coeffs *cur = lp->cur;
    double lb = c->col_lb[j], ub = c->col_ub[j];
    if (lb != cur->col_lb[j] || ub != cur->col_ub[j] || lb > ub)
        set_col(lp, j, lb, ub);
    if (c->obj[j] != cur->obj[j])
        set_obj(lp, j, c->obj[j]);
}

/* Row i's bounds of c where they differ from what the problem holds. */
static void load_row(sm_lp *lp, const sm_coeffs *c, int i)
{
    if (c->row_lb[i] != lp->cur->row_lb[i] || c->row_ub[i] != lp->cur->row_ub[i] ||
        c->row_lb[i] > c->row_ub[i])
        set_row(lp, i, c->row_lb[i], c->row_ub[i]);
}

void sm_lp_load(sm_lp *lp, const sm_coeffs *c)
{
    sm_coeffs *cur = lp->cur;
    lp->bound_conflict = 0;
    for (int j = 0; j < c->n_cols; j++)
        load_col(lp, c, j);
    /* CLP's objective holds no constant: sm_lp_objective adds cur's. */
    if (c->obj_const != cur->obj_const) {
        if (lp->stale && !lp->c0_moved) {
            lp->c0_then = cur->obj_const;
            lp->c0_moved = 1;
        }
        if (!lp->clp)
            glp_set_obj_coef(lp->P, 0, c->obj_const);
        cur->obj_const = c->obj_const;
    }
    for (int i = 0; i < c->n_rows; i++)
        load_row(lp, c, i);
}

/* Start from "everything changed" so the first load sets all numbers. */
static void mark_all_changed(sm_lp *lp)
{
    for (int j = 0; j < lp->n_cols; j++)
        lp->cur->col_lb[j] = lp->cur->col_ub[j] = lp->cur->obj[j] = NAN;
    for (int i = 0; i < lp->n_rows; i++)
        lp->cur->row_lb[i] = lp->cur->row_ub[i] = NAN;
}

/* The CLP engine's problem: no names (reports and files name rows and
 * columns from the layout, and LP files are written by GLPK). */
static sm_status new_clp(sm_lp *lp, const sm_layout *L, const sm_coeffs *base, sm_diag *d)
{
    lp->clp = sm_clp_new(L->n_rows, L->n_cols, L->nnz, L->ia, L->ja, L->ar, lp->opts.scale);
    if (!lp->clp)
        return sm_diag_fail(d, SM_ESOLVER, "CLP failed building the LP (out of memory?)");
    mark_all_changed(lp);
    sm_lp_load(lp, base);
    return SM_OK;
}

/* The matrix by columns, in GLPK's element order, for the dual shortcut;
 * NULL (no shortcut, nothing lost) when out of memory. */
static sm_lp_dual *dual_new(glp_prob *P, int nnz)
{
    int m = glp_get_num_rows(P), n = glp_get_num_cols(P);
    sm_lp_dual *d = sm_lp_dual_new(m, n, nnz);
    int *ind = malloc(((size_t)m + 1) * sizeof *ind);
    double *val = malloc(((size_t)m + 1) * sizeof *val);
    for (int j = 1; d && ind && val && j <= n; j++)
        if (sm_lp_dual_set_col(d, j - 1, glp_get_mat_col(P, j, ind, val), ind, val) != 0)
            sm_lp_dual_free(&d);
    if (!ind || !val)
        sm_lp_dual_free(&d);
    free(ind);
    free(val);
    return d;
}

static sm_status new_glpk(sm_lp *lp, const sm_model *m, const sm_layout *L,
                          const sm_coeffs *base, sm_diag *d)
{
    if (setjmp(lp->jmp)) {
        /* GLPK failed while building: its environment is unusable. */
        glp_free_env();
        lp->P = NULL;
        return sm_diag_fail(d, SM_ESOLVER, "GLPK failed building the LP: %s", lp->msg);
    }
    enter(lp);
    glp_prob *P = glp_create_prob();
    lp->P = P;
    glp_set_prob_name(P, m->name);
    glp_set_obj_name(P, "total_cost");
    glp_set_obj_dir(P, GLP_MIN);
    glp_add_rows(P, L->n_rows);
    glp_add_cols(P, L->n_cols);
    char name[256];
    for (int i = 0; i < L->n_rows; i++) {
        sm_layout_row_name(m, L, i, name, sizeof name);
        glp_set_row_name(P, i + 1, name);
    }
    for (int j = 0; j < L->n_cols; j++) {
        sm_layout_col_name(m, L, j, name, sizeof name);
        glp_set_col_name(P, j + 1, name);
    }
    glp_load_matrix(P, L->nnz, L->ia, L->ja, L->ar);
    if (lp->opts.dual_only)
        lp->dual = dual_new(P, L->nnz);
    mark_all_changed(lp);
    sm_lp_load(lp, base); /* x_warm is 0: every cost goes straight in */
    if (lp->opts.scale)
        glp_scale_prob(P, GLP_SF_AUTO);
    glp_std_basis(P);
    leave();
    return SM_OK;
}

sm_status sm_lp_new(sm_lp **out, const sm_model *m, const sm_layout *L, const sm_coeffs *base,
                    const sm_lp_opts *opts, sm_diag *d)
{
    *out = NULL;
    sm_lp *lp = calloc(1, sizeof *lp);
    if (!lp)
        return sm_diag_fail(d, SM_ENOMEM, "out of memory building the LP");
    if (opts)
        lp->opts = *opts;
    else
        sm_lp_opts_init(&lp->opts);
    lp->cur = sm_coeffs_new(L);
    lp->obj_due = malloc((size_t)L->n_cols * sizeof *lp->obj_due + 1);
    lp->obj_due_mark = calloc((size_t)L->n_cols + 1, 1);
    if (!lp->cur || !lp->obj_due || !lp->obj_due_mark) {
        sm_lp_forget(&lp);
        return sm_diag_fail(d, SM_ENOMEM, "out of memory building the LP");
    }
    lp->n_rows = L->n_rows;
    lp->n_cols = L->n_cols;
    sm_status st;
    if (lp->opts.engine == SM_LP_CLP && sm_lp_engine_built(SM_LP_CLP))
        st = new_clp(lp, L, base, d);
    else
        st = new_glpk(lp, m, L, base, d);
    if (st != SM_OK) {
        sm_lp_forget(&lp);
        return st;
    }
    *out = lp;
    return SM_OK;
}

sm_status sm_lp_new_cols(sm_lp **out, int n_cols, const double *lb, const double *ub,
                         const double *obj, const sm_lp_opts *opts, sm_diag *d)
{
    *out = NULL;
    sm_lp *lp = calloc(1, sizeof *lp);
    if (!lp)
        return sm_diag_fail(d, SM_ENOMEM, "out of memory building the master LP");
    if (opts)
        lp->opts = *opts;
    else
        sm_lp_opts_init(&lp->opts);
    lp->n_cols = n_cols;
    if (setjmp(lp->jmp)) {
        glp_free_env();
        sm_status st = sm_diag_fail(d, SM_ESOLVER, "GLPK failed building the master LP: %s",
                                    lp->msg);
        free(lp);
        return st;
    }
    enter(lp);
    lp->P = glp_create_prob();
    glp_set_obj_dir(lp->P, GLP_MIN);
    if (n_cols > 0)
        glp_add_cols(lp->P, n_cols);
    for (int j = 0; j < n_cols; j++) {
        glp_set_col_bnds(lp->P, j + 1, bound_type(lb[j], ub[j]), finite_or_zero(lb[j]),
                         finite_or_zero(ub[j]));
        glp_set_obj_coef(lp->P, j + 1, obj[j]);
    }
    leave();
    *out = lp;
    return SM_OK;
}

sm_status sm_lp_new_data(sm_lp **out, const sm_lp_data *data, sm_diag *d)
{
    sm_status st = sm_lp_new_cols(out, data->n_cols, data->col_lb, data->col_ub, data->obj,
                                  NULL, d);
    if (st != SM_OK)
        return st;
    sm_lp *lp = *out;
    if (setjmp(lp->jmp)) {
        glp_free_env();
        st = sm_diag_fail(d, SM_ESOLVER, "GLPK failed building the LP: %s", lp->msg);
        sm_lp_forget(out);
        return st;
    }
    enter(lp);
    if (data->n_rows > 0)
        glp_add_rows(lp->P, data->n_rows);
    for (int i = 0; i < data->n_rows; i++)
        glp_set_row_bnds(lp->P, i + 1, bound_type(data->row_lb[i], data->row_ub[i]),
                         finite_or_zero(data->row_lb[i]), finite_or_zero(data->row_ub[i]));
    glp_load_matrix(lp->P, data->nnz, data->ia, data->ja, data->ar);
    leave();
    lp->n_rows = data->n_rows;
    return SM_OK;
}

sm_status sm_lp_add_row(sm_lp *lp, int n, const int *cols, const double *vals, double lb,
                        double ub, sm_diag *d)
{
    int *ind = malloc(((size_t)n + 1) * sizeof *ind);
    double *val = malloc(((size_t)n + 1) * sizeof *val);
    if (!ind || !val) {
        free(ind);
        free(val);
        return sm_diag_fail(d, SM_ENOMEM, "out of memory adding a row");
    }
    for (int i = 0; i < n; i++) {
        ind[i + 1] = cols[i] + 1;
        val[i + 1] = vals[i];
    }
    if (setjmp(lp->jmp)) {
        glp_free_env();
        lp->P = NULL;
        free(ind);
        free(val);
        return sm_diag_fail(d, SM_ESOLVER, "GLPK failed adding a row: %s", lp->msg);
    }
    enter(lp);
    values_move(lp);
    dual_drop(lp);
    int i = glp_add_rows(lp->P, 1);
    lp->rows_added = 1;
    glp_set_mat_row(lp->P, i, n, ind, val);
    glp_set_row_bnds(lp->P, i, bound_type(lb, ub), finite_or_zero(lb), finite_or_zero(ub));
    leave();
    lp->n_rows = i;
    free(ind);
    free(val);
    return SM_OK;
}

void sm_lp_set_col_bounds(sm_lp *lp, int first, int n, const double *lb, const double *ub)
{
    values_move(lp);
    for (int j = 0; j < n; j++)
        glp_set_col_bnds(lp->P, first + j + 1, bound_type(lb[j], ub[j]), finite_or_zero(lb[j]),
                         finite_or_zero(ub[j]));
}

void sm_lp_rows_basic(const sm_lp *lp, int first, uint8_t *basic)
{
    for (int i = first; i < lp->n_rows; i++)
        basic[i - first] = glp_get_row_stat(lp->P, i + 1) == GLP_BS;
}

sm_status sm_lp_del_rows(sm_lp *lp, int n, const int *rows, sm_diag *d)
{
    if (n == 0)
        return SM_OK;
    int *num = malloc(((size_t)n + 1) * sizeof *num);
    if (!num)
        return sm_diag_fail(d, SM_ENOMEM, "out of memory dropping rows");
    for (int i = 0; i < n; i++)
        num[i + 1] = rows[i] + 1;
    if (setjmp(lp->jmp)) {
        glp_free_env();
        lp->P = NULL;
        free(num);
        return sm_diag_fail(d, SM_ESOLVER, "GLPK failed dropping rows: %s", lp->msg);
    }
    enter(lp);
    values_move(lp);
    dual_drop(lp);
    glp_del_rows(lp->P, n, num);
    leave();
    lp->n_rows -= n;
    free(num);
    return SM_OK;
}

sm_status sm_lp_add_elastic(sm_lp *lp, int n, const int *rows, sm_diag *d)
{
    if (n == 0)
        return SM_OK;
    values_move(lp);
    dual_drop(lp);
    if (lp->clp)
        return sm_clp_add_elastic(lp->clp, n, rows) == 0
                   ? SM_OK
                   : sm_diag_fail(d, SM_ESOLVER, "CLP failed adding elastic columns");
    if (setjmp(lp->jmp)) {
        glp_free_env();
        lp->P = NULL;
        return sm_diag_fail(d, SM_ESOLVER, "GLPK failed adding elastic columns: %s", lp->msg);
    }
    enter(lp);
    costs_to_glpk(lp);
    int j0 = glp_add_cols(lp->P, n);
    for (int e = 0; e < n; e++) {
        int ind[2] = {0, rows[e] + 1};
        double val[2] = {0.0, 1.0};
        glp_set_mat_col(lp->P, j0 + e, 1, ind, val);
        glp_set_col_bnds(lp->P, j0 + e, GLP_LO, 0.0, 0.0);
        glp_set_obj_coef(lp->P, j0 + e, 1.0);
    }
    leave();
    return SM_OK;
}

void sm_lp_free(sm_lp **plp)
{
    sm_lp *lp = plp ? *plp : NULL;
    if (!lp)
        return;
    if (lp->P)
        glp_delete_prob(lp->P);
    sm_clp_free(lp->clp);
    sm_lp_dual_free(&lp->dual);
    sm_coeffs_free(&lp->cur);
    free(lp->obj_due);
    free(lp->obj_due_mark);
    free(lp);
    *plp = NULL;
}

void sm_lp_forget(sm_lp **plp)
{
    if (plp && *plp) {
        (*plp)->P = NULL;
        sm_lp_free(plp);
    }
}

static sm_scen_status status_of(glp_prob *P)
{
    switch (glp_get_status(P)) {
    case GLP_OPT: return SM_SCEN_OPTIMAL;
    case GLP_NOFEAS: return SM_SCEN_INFEASIBLE;
    case GLP_UNBND: return SM_SCEN_UNBOUNDED;
    default: return SM_SCEN_SOLVER_FAILURE;
    }
}

static int run_simplex(sm_lp *lp, int meth, int warm, sm_solve_info *info)
{
    glp_smcp parm;
    glp_init_smcp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    parm.meth = meth;
    parm.presolve = GLP_OFF; /* presolve would throw the warm basis away */
    if (warm && lp->opts.warm_pricing == SM_PRICING_TEXTBOOK)
        parm.pricing = GLP_PT_STD;
    if (warm && lp->opts.warm_ratio == SM_RATIO_FLIP)
        parm.r_test = GLP_RT_FLIP;
    parm.it_lim = lp->opts.it_lim;
    parm.tm_lim = lp->opts.tm_lim_ms;
    costs_to_glpk(lp);
    int before = glp_get_it_cnt(lp->P);
    int ret = glp_simplex(lp->P, &parm);
    info->iterations += glp_get_it_cnt(lp->P) - before;
    info->simplex_calls++;
    info->glpk_code = ret;
    return ret;
}

/* The CLP engine's solve: the same statuses; a failure is a status, and
 * the problem stays usable (CLP has no fatal errors that take a thread's
 * state with them). */
static void solve_clp(sm_lp *lp, int warm, sm_solve_info *info)
{
    static const sm_scen_status status[] = {
        [SM_CLP_OPTIMAL] = SM_SCEN_OPTIMAL,
        [SM_CLP_INFEASIBLE] = SM_SCEN_INFEASIBLE,
        [SM_CLP_UNBOUNDED] = SM_SCEN_UNBOUNDED,
        [SM_CLP_ITERATION_LIMIT] = SM_SCEN_ITERATION_LIMIT,
        [SM_CLP_TIME_LIMIT] = SM_SCEN_TIME_LIMIT,
        [SM_CLP_FAILURE] = SM_SCEN_SOLVER_FAILURE,
    };
    int r = sm_clp_solve(lp->clp, warm, lp->opts.it_lim, lp->opts.tm_lim_ms / 1000.0,
                         &info->iterations, &info->glpk_code, info->message,
                         (int)sizeof info->message);
    info->status = status[r];
    /* CLP always runs its simplex; "no call" here means no pivot was
     * needed, as for a GLPK basis still optimal. */
    info->simplex_calls = info->iterations > 0;
}

static int warm_meth(const sm_lp *lp, int primal_feasible)
{
    /* Bounds and right-hand sides break primal feasibility (dual simplex
     * repairs it); costs break dual feasibility (primal). */
    if (lp->opts.warm_method == SM_WARM_AUTO)
        return primal_feasible ? GLP_PRIMAL : GLP_DUALP;
    return lp->opts.warm_method == SM_WARM_PRIMAL ? GLP_PRIMAL : GLP_DUALP;
}

static void dual_class_of(sm_lp_dual *d, int k, int stat, int bind)
{
    sm_dual_class c = stat == GLP_BS   ? SM_DC_BASIC
                      : stat == GLP_NL ? SM_DC_LOWER
                      : stat == GLP_NU ? SM_DC_UPPER
                      : stat == GLP_NF ? SM_DC_FREE
                                       : SM_DC_FIXED;
    sm_lp_dual_set_class(d, k, c, bind);
}

/* Only costs moved since a basis found still optimal, with its values
 * computed by glp_warm_up (x_warm): whether it still is, by the dual half
 * of glp_warm_up alone (lp_dual.h). GLPK's factorization is valid. */
static int costs_kept(sm_lp *lp)
{
    sm_lp_dual *d = lp->dual;
    glp_prob *P = lp->P;
    if (!sm_lp_dual_basis_known(d)) {
        for (int i = 1; i <= lp->n_rows; i++)
            dual_class_of(d, i - 1, glp_get_row_stat(P, i), 0);
        for (int j = 1; j <= lp->n_cols; j++) {
            int stat = glp_get_col_stat(P, j);
            dual_class_of(d, lp->n_rows + j - 1, stat, stat == GLP_BS ? glp_get_col_bind(P, j) : 0);
        }
        sm_lp_dual_basis_done(d);
    }
    int all = sm_lp_dual_pi_stale(d);
    if (all) {
        glp_btran(P, sm_lp_dual_cb(d, lp->cur->obj));
        sm_lp_dual_pi_done(d);
    }
    return sm_lp_dual_feasible(d, lp->cur->obj, all);
}

/* The method a warm solve goes on with, or -1 when the basis is still
 * optimal (*kept). */
static int warm_start(sm_lp *lp, sm_solve_info *info, int *kept)
{
    glp_prob *P = lp->P;
    if (duals_may_decide(lp)) {
        /* The primal values cannot have moved: only the duals are checked. */
        *kept = costs_kept(lp);
        lp->stale = *kept;
        info->duals_only = 1;
        return *kept ? -1 : warm_meth(lp, 1);
    }
    costs_to_glpk(lp);
    if (glp_warm_up(P) != 0) {
        glp_std_basis(P);
        return GLP_PRIMAL;
    }
    int pf = glp_get_prim_stat(P) == GLP_FEAS, df = glp_get_dual_stat(P) == GLP_FEAS;
    /* Both: the old basis is still optimal, the patch moved nothing that matters. */
    *kept = pf && df;
    return *kept ? -1 : warm_meth(lp, pf);
}

/* sm_lp_solve; *kept = 1 when GLPK found the basis still optimal, its
 * values then computed by glp_warm_up alone (or, after a change of costs
 * alone, its duals by costs_kept). */
static sm_status solve(sm_lp *lp, int warm, sm_solve_info *info, int *kept)
{
    memset(info, 0, sizeof *info);
    double t0 = sm_clock_s();
    lp->stale = lp->c0_moved = 0;
    if (lp->bound_conflict) {
        /* A lower bound above its upper bound (say a stock target above the
         * stock capacity): no plan exists, no simplex needed. */
        info->status = SM_SCEN_INFEASIBLE;
        info->seconds = sm_clock_s() - t0;
        return SM_OK;
    }
    if (lp->clp) {
        solve_clp(lp, warm, info);
        info->seconds = sm_clock_s() - t0;
        return SM_OK;
    }
    if (setjmp(lp->jmp)) {
        glp_free_env();
        lp->P = NULL;
        info->status = SM_SCEN_SOLVER_FAILURE;
        info->glpk_code = -1;
        snprintf(info->message, sizeof info->message, "%s", lp->msg);
        info->seconds = sm_clock_s() - t0;
        return SM_ESOLVER;
    }
    enter(lp);
    if (lp->test_fatal && warm && lp->opts.warm_ratio == SM_RATIO_FLIP) {
        lp->test_fatal = 0;
        glp_error("sm_lp_test_fatal_next: injected fatal error in a long-step solve\n");
    }
    glp_prob *P = lp->P;
    int ret;
    int meth = GLP_PRIMAL;
    /* After rows were added (a master's cuts, which the last solution
     * violates) glp_warm_up would factorize the grown basis and compute
     * values only to find it infeasible, and glp_simplex then factorizes
     * it again for its own working copy: straight to the dual simplex,
     * from the same basis, the same pivots. 1,000 futures: master 1.37 ->
     * 0.90 s CPU, 5,612 pivots both (bench/README.md, session 22). */
    int skip = warm && lp->rows_added && !lp->cur;
    lp->rows_added = 0;
    if (skip) {
        meth = GLP_DUALP;
    } else if (warm == SM_LP_DIRECT) {
        meth = lp->opts.warm_method == SM_WARM_PRIMAL ? GLP_PRIMAL : GLP_DUALP;
    } else if (warm) {
        meth = warm_start(lp, info, kept);
        if (*kept) {
            info->status = SM_SCEN_OPTIMAL;
            info->seconds = sm_clock_s() - t0;
            leave();
            return SM_OK;
        }
    } else {
        glp_std_basis(P);
    }
    ret = run_simplex(lp, meth, warm, info);
    if (ret == GLP_EFAIL || ret == GLP_ESING || ret == GLP_ECOND || ret == GLP_EBADB) {
        /* A numerically bad basis: one more try from scratch. */
        glp_std_basis(P);
        ret = run_simplex(lp, GLP_PRIMAL, 0, info);
    }
    switch (ret) {
    case 0: info->status = status_of(P); break;
    case GLP_EITLIM: info->status = SM_SCEN_ITERATION_LIMIT; break;
    case GLP_ETMLIM: info->status = SM_SCEN_TIME_LIMIT; break;
    default: info->status = SM_SCEN_SOLVER_FAILURE; break;
    }
    if (info->status == SM_SCEN_SOLVER_FAILURE)
        snprintf(info->message, sizeof info->message, "%s", lp->msg);
    leave();
    info->seconds = sm_clock_s() - t0;
    return SM_OK;
}

/* glp_warm_up computes the primal values from the basis, its
 * factorization (made only when none exists), the bounds and the matrix,
 * and the duals from those and the costs, nothing else: two solves that
 * both keep the basis, with nothing of that moved in between (x_warm,
 * y_warm), give the same values to the bit. Every other solve (a simplex,
 * CLP, a bound conflict, a failure) may give others. costs_kept computes
 * the duals as glp_warm_up would. */
sm_status sm_lp_solve(sm_lp *lp, int warm, sm_solve_info *info)
{
    int kept = 0;
    sm_status st = solve(lp, warm, info, &kept);
    lp->x_gen += !(kept && lp->x_warm);
    lp->y_gen += !(kept && lp->y_warm);
    lp->x_warm = lp->y_warm = kept;
    if (!kept)
        sm_lp_dual_forget(lp->dual);
    sm_lp_dual_clear_moved(lp->dual);
    return st;
}

void sm_lp_solution(const sm_lp *lp, double *x, double *y)
{
    sm_lp_solution_rows(lp, x, y, 0);
}

sm_status sm_lp_solve_rescue(sm_lp *lp, sm_solve_info *info)
{
    memset(info, 0, sizeof *info);
    double t0 = sm_clock_s();
    if (setjmp(lp->jmp)) {
        glp_free_env();
        lp->P = NULL;
        info->status = SM_SCEN_SOLVER_FAILURE;
        info->glpk_code = -1;
        snprintf(info->message, sizeof info->message, "%s", lp->msg);
        return SM_ESOLVER;
    }
    enter(lp);
    values_move(lp);
    costs_to_glpk(lp);
    glp_scale_prob(lp->P, GLP_SF_AUTO);
    glp_adv_basis(lp->P, 0);
    glp_smcp parm;
    glp_init_smcp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    parm.presolve = GLP_ON;
    parm.it_lim = lp->opts.it_lim;
    parm.tm_lim = lp->opts.tm_lim_ms;
    int before = glp_get_it_cnt(lp->P);
    int ret = glp_simplex(lp->P, &parm);
    if (ret != 0 || glp_get_status(lp->P) != GLP_OPT) {
        parm.presolve = GLP_OFF;
        glp_adv_basis(lp->P, 0);
        ret = glp_exact(lp->P, &parm);
    }
    info->iterations = glp_get_it_cnt(lp->P) - before;
    info->simplex_calls = 1;
    info->glpk_code = ret;
    info->status = ret == 0 ? status_of(lp->P) : SM_SCEN_SOLVER_FAILURE;
    leave();
    info->seconds = sm_clock_s() - t0;
    return SM_OK;
}

void sm_lp_reduced_costs(const sm_lp *lp, double *d)
{
    if (lp->clp) {
        sm_clp_solution(lp->clp, lp->n_cols, NULL, NULL, d);
        return;
    }
    for (int j = 0; j < lp->n_cols; j++)
        d[j] = lp->stale ? sm_lp_dual_col(lp->dual, j,
                                          sm_lp_dual_solved_cost(lp->dual, j, lp->cur->obj[j]))
                         : glp_get_col_dual(lp->P, j + 1);
}

double sm_lp_objective(const sm_lp *lp)
{
    if (lp->clp)
        return sm_clp_objective(lp->clp) + lp->cur->obj_const;
    if (!lp->stale)
        return glp_get_obj_val(lp->P);
    /* glp_warm_up's sum, at the costs costs_kept checked. */
    double v = lp->c0_moved ? lp->c0_then : glp_get_obj_coef(lp->P, 0);
    for (int j = 1; j <= lp->n_cols; j++)
        v += sm_lp_dual_solved_cost(lp->dual, j - 1, obj_of(lp, j - 1)) *
             glp_get_col_prim(lp->P, j);
    return v;
}

/* Row i's dual (0-based), from GLPK or, after costs_kept, as it computed it. */
static double row_dual(const sm_lp *lp, int i)
{
    return lp->stale ? sm_lp_dual_row(lp->dual, i) : glp_get_row_dual(lp->P, i + 1);
}

sm_basis *sm_basis_new(int n_rows, int n_cols)
{
    sm_basis *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->n_rows = n_rows;
    b->n_cols = n_cols;
    b->row_stat = malloc(((size_t)n_rows + 1) * sizeof(int));
    b->col_stat = malloc(((size_t)n_cols + 1) * sizeof(int));
    if (!b->row_stat || !b->col_stat)
        sm_basis_free(&b);
    return b;
}

void sm_basis_free(sm_basis **pb)
{
    sm_basis *b = pb ? *pb : NULL;
    if (!b)
        return;
    free(b->row_stat);
    free(b->col_stat);
    free(b);
    *pb = NULL;
}

void sm_lp_get_basis(const sm_lp *lp, sm_basis *b)
{
    if (lp->clp) {
        sm_clp_get_basis(lp->clp, lp->n_cols, b->row_stat + 1, b->col_stat + 1);
        return;
    }
    for (int i = 1; i <= lp->n_rows; i++)
        b->row_stat[i] = glp_get_row_stat(lp->P, i);
    for (int j = 1; j <= lp->n_cols; j++)
        b->col_stat[j] = glp_get_col_stat(lp->P, j);
}

void sm_lp_set_basis(sm_lp *lp, const sm_basis *b)
{
    values_move(lp);
    if (lp->clp) {
        sm_clp_set_basis(lp->clp, lp->n_cols, b->row_stat + 1, b->col_stat + 1);
        return;
    }
    for (int i = 1; i <= lp->n_rows; i++)
        glp_set_row_stat(lp->P, i, b->row_stat[i]);
    for (int j = 1; j <= lp->n_cols; j++)
        glp_set_col_stat(lp->P, j, b->col_stat[j]);
    /* glp_factorize rebuilds the basis header in index order: the
     * factorization no longer remembers the pivots that led here. */
    if (glp_factorize(lp->P) != 0)
        glp_std_basis(lp->P);
}

static void bounds_of(int type, double lo, double up, double *lb, double *ub)
{
    *lb = type == GLP_FR || type == GLP_UP ? -HUGE_VAL : lo;
    *ub = type == GLP_FR || type == GLP_LO ? HUGE_VAL : up;
}

void sm_lp_get_col(const sm_lp *lp, int j, double *lb, double *ub, double *obj)
{
    bounds_of(glp_get_col_type(lp->P, j + 1), glp_get_col_lb(lp->P, j + 1),
              glp_get_col_ub(lp->P, j + 1), lb, ub);
    *obj = obj_of(lp, j);
}

void sm_lp_get_row(const sm_lp *lp, int i, int *len, int *cols, double *vals, double *lb,
                   double *ub)
{
    bounds_of(glp_get_row_type(lp->P, i + 1), glp_get_row_lb(lp->P, i + 1),
              glp_get_row_ub(lp->P, i + 1), lb, ub);
    /* GLPK keeps a row's terms last-given first and returns them so:
     * reversed here, sm_lp_add_row rebuilds the same lists. */
    int n = glp_get_mat_row(lp->P, i + 1, cols, vals);
    for (int a = 0; a < n; a++) {
        cols[a] = cols[a + 1] - 1;
        vals[a] = vals[a + 1];
    }
    for (int a = 0, b = n - 1; a < b; a++, b--) {
        int tc = cols[a];
        double tv = vals[a];
        cols[a] = cols[b], vals[a] = vals[b];
        cols[b] = tc, vals[b] = tv;
    }
    *len = n;
}

void sm_lp_get_scale(const sm_lp *lp, double *rows, double *cols)
{
    for (int i = 0; i < lp->n_rows; i++)
        rows[i] = glp_get_rii(lp->P, i + 1);
    for (int j = 0; j < lp->n_cols; j++)
        cols[j] = glp_get_sjj(lp->P, j + 1);
}

void sm_lp_set_scale(sm_lp *lp, const double *rows, const double *cols)
{
    values_move(lp);
    for (int i = 0; i < lp->n_rows; i++)
        glp_set_rii(lp->P, i + 1, rows[i]);
    for (int j = 0; j < lp->n_cols; j++)
        glp_set_sjj(lp->P, j + 1, cols[j]);
}

sm_status sm_lp_write(sm_lp *lp, const char *path, int lp_format, sm_diag *d)
{
    if (lp->clp)
        return sm_diag_fail(d, SM_EINTERNAL, "writing LP files is not supported by the clp "
                                             "engine: build the problem with glpk");
    /* Only the output hook: writing raises no fatal errors, just returns
     * non-zero, and no setjmp point waits here. */
    lp->msg[0] = '\0';
    glp_term_hook(on_glpk_output, lp);
    values_move(lp);
    costs_to_glpk(lp);
    /* GLPK writes an objective's constant as a comment in LP files, which
     * readers skip, and as an objective right-hand side in MPS, whose sign
     * readers disagree on: so a column fixed at 1 carries it instead. */
    glp_prob *P = lp->P;
    double c0 = glp_get_obj_coef(P, 0);
    if (c0 != 0.0) {
        P = glp_create_prob();
        glp_copy_prob(P, lp->P, GLP_ON);
        int j = glp_add_cols(P, 1);
        glp_set_col_name(P, j, SM_LP_CONSTANT_COLUMN);
        glp_set_col_bnds(P, j, GLP_FX, 1.0, 1.0);
        glp_set_obj_coef(P, j, c0);
        glp_set_obj_coef(P, 0, 0.0);
    }
    int ret = lp_format ? glp_write_lp(P, NULL, path) : glp_write_mps(P, GLP_MPS_FILE, NULL, path);
    if (P != lp->P)
        glp_delete_prob(P);
    glp_term_hook(drop_output, NULL);
    if (ret != 0)
        return sm_diag_fail_at(d, SM_EOUTPUT, path, "cannot write the %s file: %s",
                               lp_format ? "LP" : "MPS", lp->msg[0] ? lp->msg : "write failed");
    return SM_OK;
}

int sm_lp_rows(const sm_lp *lp) { return lp->n_rows; }
int sm_lp_cols(const sm_lp *lp) { return lp->n_cols; }
int sm_lp_nonzeros(const sm_lp *lp)
{
    return lp->clp ? sm_clp_nonzeros(lp->clp) : glp_get_num_nz(lp->P);
}

void sm_lp_thread_end(void)
{
    glp_free_env();
}

const char *sm_glpk_thread_check(void)
{
    const char *tls = glp_config("TLS");
    if (tls && *tls)
        return NULL;
    return "the GLPK library in use was built without thread-local storage "
           "(glp_config(\"TLS\") is empty), so GLPK cannot run on several threads at once; "
           "run with -j 1 or install a GLPK built with TLS (Debian's libglpk40 5.0 is)";
}

const char *sm_glpk_version(void)
{
    return glp_version();
}

sm_status sm_lp_solve_failed(const sm_solve_info *info, const char *what, sm_diag *d)
{
    /* Problems that stop a caller are GLPK's (a master); CLP's failures are
     * statuses, recorded. */
    return sm_diag_fail(d, SM_ESOLVER, "GLPK failed solving %s: %s", what,
                        info->message[0] ? info->message : "a fatal error");
}

/* ---- an LP grown beyond its layout (the elastic LP of explain.c) ------- */

void sm_lp_set_costs(sm_lp *lp, int first, int n, const double *cost)
{
    lp->y_warm = 0;
    dual_drop(lp); /* costs the layout's record (cur) does not hold */
    costs_to_glpk(lp);
    for (int j = 0; j < n; j++) {
        if (lp->stale)
            sm_lp_dual_cost_moved(lp->dual, first + j, glp_get_obj_coef(lp->P, first + j + 1));
        glp_set_obj_coef(lp->P, first + j + 1, cost[j]);
    }
}

void sm_lp_set_row_bounds(sm_lp *lp, int first, int n, const double *lb, const double *ub)
{
    values_move(lp);
    for (int i = 0; i < n; i++)
        glp_set_row_bnds(lp->P, first + i + 1, bound_type(lb[i], ub[i]), finite_or_zero(lb[i]),
                         finite_or_zero(ub[i]));
}

void sm_lp_col_values(const sm_lp *lp, int first, int n, double *out)
{
    for (int j = 0; j < n; j++)
        out[j] = glp_get_col_prim(lp->P, first + j + 1);
}

/* ---- right-hand-side ranging ------------------------------------------- */

/* The basic variable in position i (1-based): its value and bounds, and
 * how fast its bounds move (a moving row's). */
static void basic_var(glp_prob *P, int i, const double *move, double *v, double *lb, double *ub,
                      double *mv)
{
    int m = glp_get_num_rows(P), k = glp_get_bhead(P, i);
    int type = k <= m ? glp_get_row_type(P, k) : glp_get_col_type(P, k - m);
    double lo = k <= m ? glp_get_row_lb(P, k) : glp_get_col_lb(P, k - m);
    double up = k <= m ? glp_get_row_ub(P, k) : glp_get_col_ub(P, k - m);
    bounds_of(type, lo, up, lb, ub);
    *v = k <= m ? glp_get_row_prim(P, k) : glp_get_col_prim(P, k - m);
    *mv = k <= m ? move[k] : 0.0;
}

/* Narrow [*lo, *hi] to the δ that keep one basic variable, of value v and
 * moving at rate, within its bounds, which move at mv:
 * lb + δ·mv <= v + δ·rate <= ub + δ·mv. */
static void keep_within(double v, double lb, double ub, double rate, double mv, double *lo,
                        double *hi)
{
    double r = rate - mv, tol = 1e-9 * (1.0 + fabs(v));
    if (fabs(r) <= 1e-12 * (1.0 + fabs(rate) + fabs(mv)))
        return;
    double to_lb = fmin(0.0, lb - v + tol), to_ub = fmax(0.0, ub - v - tol);
    if (lb > -HUGE_VAL)
        r > 0 ? (*lo = fmax(*lo, to_lb / r)) : (*hi = fmin(*hi, to_lb / r));
    if (ub < HUGE_VAL)
        r > 0 ? (*hi = fmin(*hi, to_ub / r)) : (*lo = fmax(*lo, to_ub / r));
}

/* GLPK: a nonbasic row sits on its bound and moves with it; the basic
 * variables follow by x_B = -B^-1 N x_N (GLPK's rows are x_r - Ax = 0). */
static sm_status glpk_rhs_range(glp_prob *P, const double *move, double *g, double *lo,
                                double *hi, sm_diag *d)
{
    int m = glp_get_num_rows(P);
    if (!glp_bf_exists(P) || glp_get_status(P) != GLP_OPT)
        return sm_diag_fail(d, SM_EINTERNAL, "ranging needs an optimal, factorized basis");
    for (int i = 1; i <= m; i++)
        g[i] = glp_get_row_stat(P, i) != GLP_BS ? move[i] : 0.0;
    glp_ftran(P, g);
    for (int i = 1; i <= m; i++) {
        double v, lb, ub, mv;
        basic_var(P, i, move, &v, &lb, &ub, &mv);
        keep_within(v, lb, ub, -g[i], mv, lo, hi);
    }
    return SM_OK;
}

/* CLP: the same test on what sm_clp_basic_motion reports of its basis. */
static sm_status clp_rhs_range(sm_clp *clp, int m, const double *move, double *lo, double *hi,
                               sm_diag *d)
{
    sm_status st = SM_OK;
    int *row = malloc((size_t)m * sizeof *row);
    double *buf = malloc(4 * (size_t)m * sizeof *buf);
    if (!row || !buf)
        SM_TRY(sm_diag_fail(d, SM_ENOMEM, "out of memory for ranging"));
    double *v = buf, *lb = buf + m, *ub = buf + 2 * m, *rate = buf + 3 * m;
    /* Not SM_ESOLVER: the problem lives on, and a run must stop rather
     * than leave the scenario's ranges NaN. */
    if (sm_clp_basic_motion(clp, move + 1, row, v, lb, ub, rate) != 0)
        SM_TRY(sm_diag_fail(d, SM_EINTERNAL, "CLP found no optimal basis to range the limits' "
                                             "shares on (--ranging)"));
    for (int p = 0; p < m; p++)
        keep_within(v[p], lb[p], ub[p], rate[p], row[p] >= 0 ? move[row[p] + 1] : 0.0, lo, hi);
done:
    free(row);
    free(buf);
    return st;
}

sm_status sm_lp_rhs_range(sm_lp *lp, int n, const int *rows, const double *dir, double *lo,
                          double *hi, sm_diag *d)
{
    int m = lp->n_rows;
    *lo = -HUGE_VAL;
    *hi = HUGE_VAL;
    double *move = calloc((size_t)m + 1, sizeof *move), *g = calloc((size_t)m + 1, sizeof *g);
    if (!move || !g) {
        free(move);
        free(g);
        return sm_diag_fail(d, SM_ENOMEM, "out of memory for ranging");
    }
    for (int a = 0; a < n; a++)
        move[rows[a] + 1] = dir[a];
    sm_status st = lp->clp ? clp_rhs_range(lp->clp, m, move, lo, hi, d)
                           : glpk_rhs_range(lp->P, move, g, lo, hi, d);
    free(move);
    free(g);
    return st;
}

/* ---- loading only what a patch moved ------------------------------------ */

void sm_lp_load_moved(sm_lp *lp, const sm_coeffs *c, int n_cols, const int *cols, int n_rows,
                      const int *rows)
{
    if (lp->bound_conflict || c->obj_const != lp->cur->obj_const) {
        /* A bound conflict may sit in a column that did not move, and the
         * objective's constant is rare: the whole comparison. */
        sm_lp_load(lp, c);
        return;
    }
    for (int a = 0; a < n_cols; a++)
        load_col(lp, c, cols[a]);
    for (int a = 0; a < n_rows; a++)
        load_row(lp, c, rows[a]);
}

/* ---- reading back only what is kept -------------------------------------- */

void sm_lp_solution_rows(const sm_lp *lp, double *x, double *y, int first_row)
{
    if (lp->clp) { /* CLP hands over every row at once */
        sm_clp_solution(lp->clp, lp->n_cols, x, y, NULL);
        return;
    }
    for (int j = 0; j < lp->n_cols; j++)
        x[j] = glp_get_col_prim(lp->P, j + 1);
    for (int i = first_row; y && i < lp->n_rows; i++)
        y[i] = row_dual(lp, i);
}

/* ---- reading back only what moved ---------------------------------------- */

int sm_lp_solution_moved(const sm_lp *lp, double *x, double *y, int first_row,
                         unsigned long gen[2])
{
    int x_moved = !gen[0] || gen[0] != lp->x_gen, y_moved = !gen[1] || gen[1] != lp->y_gen;
    if (lp->clp || (x_moved && y_moved)) {
        sm_lp_solution_rows(lp, x, y, first_row);
    } else if (x_moved) {
        for (int j = 0; j < lp->n_cols; j++)
            x[j] = glp_get_col_prim(lp->P, j + 1);
    } else if (y_moved) {
        for (int i = first_row; y && i < lp->n_rows; i++)
            y[i] = row_dual(lp, i);
    }
    gen[0] = lp->x_gen;
    gen[1] = lp->y_gen;
    return x_moved;
}
