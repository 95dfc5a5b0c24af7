/* A portfolio from a CSV table or a plan file (see portfolio_load.h). */
#include "portfolio_load.h"

#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "../core/files.h"
#include "../core/parse.h"
#include "csv_table.h"
#include "h5_util.h"

static int offer_of(const sm_model *m, int u, int mat)
{
    for (int o = 0; o < m->n_offers; o++)
        if (m->offers[o].supplier == u && m->offers[o].material == mat)
            return o;
    return -1;
}

/* A period by its label (as results files name it) or 1-based number. */
static int period_of(const sm_model *m, const char *s)
{
    char label[32];
    int v;
    for (int t = 1; t <= m->n_periods; t++) {
        sm_period_label(m, t, label, sizeof label);
        if (!strcmp(label, s))
            return t - 1;
    }
    if (sm_parse_int(s, &v) == SM_PARSE_OK && v >= 1 && v <= m->n_periods)
        return v - 1;
    return -1;
}

/* ---- CSV ---------------------------------------------------------------- */

static const char *const csv_columns[4] = {"supplier", "material", "period", "tonnes"};

/* Row r of the table into pf, or its first problem with its line. */
static sm_status csv_row(const sm_model *m, const sm_csv *t, size_t r, const int *col,
                         sm_portfolio *pf, sm_diag *d)
{
    const char *file = pf->file, *su = sm_csv_cell(t, r, (size_t)col[0]),
               *ma = sm_csv_cell(t, r, (size_t)col[1]), *pe = sm_csv_cell(t, r, (size_t)col[2]),
               *to = sm_csv_cell(t, r, (size_t)col[3]);
    int line = t->row_line[r], u = sm_model_supplier(m, su), mat = sm_model_material(m, ma);
    int per = period_of(m, pe);
    char ex[SM_EXCERPT_SIZE], first[32], last[32];
    if (u < 0)
        return sm_diag_error(d, file, line, 0, "supplier: unknown supplier '%s' (not in the "
                             "model's suppliers table)", sm_excerpt(ex, su));
    if (mat < 0)
        return sm_diag_error(d, file, line, 0, "material: unknown material '%s'",
                             sm_excerpt(ex, ma));
    sm_period_label(m, 1, first, sizeof first);
    sm_period_label(m, m->n_periods, last, sizeof last);
    if (per < 0)
        return sm_diag_error(d, file, line, 0, "period: unknown period '%s' (the model's "
                             "periods are %s..%s, or 1..%d)", sm_excerpt(ex, pe), first, last,
                             m->n_periods);
    int o = offer_of(m, u, mat);
    if (o < 0)
        return sm_diag_error(d, file, line, 0, "%s does not offer %s (no such row in the "
                             "suppliers table)", su, ma);
    if (m->offers[o].terms != SM_TERMS_CONTRACT)
        return sm_diag_error(d, file, line, 0, "%s %s is a spot offer, which cannot be "
                             "committed (only offers with terms = contract)", su, ma);
    double v;
    sm_parse_result pr = sm_parse_double(to, &v);
    if (pr != SM_PARSE_OK)
        return sm_diag_error(d, file, line, 0, "tonnes: '%s' %s", sm_excerpt(ex, to),
                             sm_parse_problem(pr));
    if (v < 0)
        return sm_diag_error(d, file, line, 0, "tonnes: %g is negative", v);
    int *prev = &pf->line[o * pf->T + per];
    if (*prev)
        return sm_diag_error(d, file, line, 0, "%s %s in period %s is given twice (first at "
                             "line %d)", su, ma, pe, *prev);
    *prev = line;
    pf->k[o * pf->T + per] = v;
    return SM_OK;
}

static sm_status csv_header(const sm_csv *t, const char *file, int *col, sm_diag *d)
{
    sm_status st = SM_OK;
    for (int i = 0; i < 4; i++)
        if ((col[i] = sm_csv_column(t, csv_columns[i])) < 0)
            st = sm_diag_error(d, file, t->header_line, 0, "missing column '%s' (the header "
                               "is supplier,material,period,tonnes)", csv_columns[i]);
    for (size_t c = 0; c < t->ncols; c++) {
        int known = 0;
        for (int i = 0; i < 4; i++)
            known |= !strcmp(t->header[c], csv_columns[i]);
        if (!known) {
            char ex[SM_EXCERPT_SIZE];
            st = sm_diag_error(d, file, t->header_line, 0, "unknown column '%s' (the header is "
                               "supplier,material,period,tonnes)", sm_excerpt(ex, t->header[c]));
        }
    }
    return st;
}

static sm_status load_csv(const sm_model *m, sm_portfolio *pf, sm_diag *d)
{
    sm_status st = SM_OK;
    sm_csv *t = NULL;
    int col[4];
    SM_TRY(sm_text_read(pf->file, NULL, SM_PORTFOLIO_MAX_CSV_BYTES, &pf->text, &pf->len, d));
    SM_TRY(sm_csv_parse(pf->file, pf->text, pf->len, &t, d));
    SM_TRY(csv_header(t, pf->file, col, d));
    for (size_t r = 0; r < t->nrows; r++)
        if (csv_row(m, t, r, col, pf, d) != SM_OK)
            st = SM_EINPUT; /* every row is checked, so one pass shows every problem */
    pf->hash = XXH3_64bits(pf->text, pf->len);
done:
    sm_csv_free(&t);
    return st;
}

/* ---- plan file ---------------------------------------------------------- */

/* Does the 1-D string dataset name hold exactly want[0..n)? */
static int labels_match(hid_t f, const char *name, const char *const *want, size_t n)
{
    char **got;
    size_t len;
    int ok = sm_h5_read_strings(f, name, &got, &len) && len == n;
    for (size_t i = 0; ok && i < n; i++)
        ok = strcmp(got[i], want[i]) == 0;
    sm_h5_strings_free(got, len);
    return ok;
}

/* The plan's supplier, material and period scales against the model's. */
static sm_status same_model(hid_t f, const sm_model *m, const char *file, sm_diag *d)
{
    int n = m->n_suppliers > m->n_materials ? m->n_suppliers : m->n_materials;
    n = n > m->n_periods ? n : m->n_periods;
    const char **want = calloc((size_t)n + 1, sizeof *want);
    char(*labels)[32] = calloc((size_t)m->n_periods + 1, sizeof *labels);
    if (!want || !labels) {
        free(want);
        free(labels);
        return sm_diag_fail(d, SM_ENOMEM, "out of memory");
    }
    sm_status st = SM_OK;
    for (int u = 0; u < m->n_suppliers; u++)
        want[u] = m->suppliers[u].name;
    if (!labels_match(f, "supplier", want, (size_t)m->n_suppliers))
        st = sm_diag_error(d, file, 0, 0, "commitment: its suppliers (dataset 'supplier') are "
                           "not the model's %d suppliers in table order", m->n_suppliers);
    for (int i = 0; i < m->n_materials; i++)
        want[i] = m->materials[i].name;
    if (!labels_match(f, "material", want, (size_t)m->n_materials))
        st = sm_diag_error(d, file, 0, 0, "commitment: its materials (dataset 'material') are "
                           "not the model's %d materials", m->n_materials);
    for (int t = 0; t < m->n_periods; t++) {
        sm_period_label(m, t + 1, labels[t], sizeof labels[t]);
        want[t] = labels[t];
    }
    if (!labels_match(f, "period", want, (size_t)m->n_periods))
        st = sm_diag_error(d, file, 0, 0, "commitment: its periods (dataset 'period') are not "
                           "the model's %d periods %s..%s", m->n_periods, labels[0],
                           labels[m->n_periods - 1]);
    free(want);
    free(labels);
    return st;
}

/* Read commitment[policy, supplier, material, period] whole into pf. */
static sm_status read_commitment(hid_t f, const sm_model *m, sm_portfolio *pf, sm_diag *d)
{
    const char *file = pf->file;
    if (H5Lexists(f, "commitment", H5P_DEFAULT) <= 0)
        return sm_diag_error(d, file, 0, 0, "has no dataset 'commitment' (policy, supplier, "
                             "material, period): not a plan file of supplymix plan");
    hid_t ds = H5Dopen2(f, "commitment", H5P_DEFAULT), sp = ds >= 0 ? H5Dget_space(ds) : -1;
    hsize_t dims[4] = {0, 0, 0, 0};
    int ok = sp >= 0 && H5Sget_simple_extent_ndims(sp) == 4 &&
             H5Sget_simple_extent_dims(sp, dims, NULL) == 4;
    size_t n = ok ? (size_t)(dims[0] * dims[1] * dims[2] * dims[3]) : 0;
    sm_status st = SM_OK;
    if (!ok || dims[0] < 1 || dims[1] != (hsize_t)m->n_suppliers ||
        dims[2] != (hsize_t)m->n_materials || dims[3] != (hsize_t)m->n_periods)
        st = sm_diag_error(d, file, 0, 0, "commitment: expected dimensions (policy, %d "
                           "suppliers, %d materials, %d periods) of model '%s'",
                           m->n_suppliers, m->n_materials, m->n_periods, m->name);
    else if (!(pf->commitment = malloc(n * sizeof(double))))
        st = sm_diag_fail(d, SM_ENOMEM, "out of memory");
    else if (H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, pf->commitment) < 0)
        st = sm_diag_error(d, file, 0, 0, "commitment: cannot be read (damaged?): %s",
                           sm_h5_last_error());
    for (int i = 0; i < 4; i++)
        pf->commitment_dims[i] = (size_t)dims[i];
    if (sp >= 0)
        H5Sclose(sp);
    if (ds >= 0)
        H5Dclose(ds);
    return st;
}

/* Which of the file's P policies each grid point uses (see the header). */
static sm_status choose_policies(const sm_sweep *sw, long policy, sm_portfolio *pf, size_t *n,
                                 sm_diag *d)
{
    size_t P = pf->commitment_dims[0];
    if (policy >= 0 && (size_t)policy >= P)
        return sm_diag_error(d, NULL, 0, 0, "--policy %ld: %s has policies 0..%zu", policy,
                             pf->file, P - 1);
    if (policy >= 0 || P == 1) {
        pf->policy = policy >= 0 ? policy : 0;
        *n = 1;
    } else if (P == sw->grid_size) {
        *n = P;
    } else {
        return sm_diag_error(d, NULL, 0, 0, "%s has %zu policies and sweep '%s' %zu grid "
                             "points: name the policy to use with --policy P (0..%zu)",
                             pf->file, P, sw->name, sw->grid_size, P - 1);
    }
    return SM_OK;
}

/* The tonnes of file policy q into k: NaN (no plan), negative and
 * committed spot offers refused, naming the entry. */
static sm_status take_policy(const sm_model *m, const sm_portfolio *pf, size_t q, double *k,
                             sm_diag *d)
{
    int U = m->n_suppliers, M = m->n_materials, T = m->n_periods;
    const double *c = &pf->commitment[q * (size_t)U * (size_t)M * (size_t)T];
    sm_status st = SM_OK;
    for (int u = 0; u < U; u++)
        for (int mat = 0; mat < M; mat++)
            for (int t = 0; t < T; t++) {
                double v = c[((size_t)u * (size_t)M + (size_t)mat) * (size_t)T + (size_t)t];
                int o = offer_of(m, u, mat);
                const char *why = isnan(v)  ? "is NaN: this policy has no plan"
                                  : v < 0   ? "is negative"
                                  : v == 0  ? NULL
                                  : o < 0   ? "is not 0, but the supplier does not offer it"
                                  : m->offers[o].terms != SM_TERMS_CONTRACT
                                      ? "is not 0, but it is a spot offer"
                                      : NULL;
                char period[32];
                sm_period_label(m, t + 1, period, sizeof period);
                if (why) {
                    st = sm_diag_error(d, pf->file, 0, 0, "commitment[policy %zu, %s, %s, %s] "
                                       "= %g t %s", q, m->suppliers[u].name,
                                       m->materials[mat].name, period, v, why);
                    if (isnan(v))
                        return st;
                } else if (o >= 0) {
                    k[o * T + t] = v;
                }
            }
    return st;
}

static sm_status load_plan(const sm_model *m, const sm_sweep *sw, long policy,
                           sm_portfolio **ppf, sm_diag *d)
{
    sm_status st = SM_OK;
    sm_portfolio *pf = *ppf;
    sm_h5_quiet();
    hid_t f = sm_h5_open_read(pf->file);
    size_t n = 1;
    if (f < 0)
        return sm_diag_error(d, pf->file, 0, 0, "cannot be opened as a plan file (HDF5): %s",
                             sm_h5_last_error());
    SM_TRY(read_commitment(f, m, pf, d));
    SM_TRY(same_model(f, m, pf->file, d));
    SM_TRY(choose_policies(sw, policy, pf, &n, d));
    if (n > 1) {
        /* One per grid point: a portfolio of n policies, keeping what was read. */
        sm_portfolio *big = sm_portfolio_new(m, n);
        if (!big)
            SM_TRY(sm_diag_fail(d, SM_ENOMEM, "out of memory"));
        big->file = pf->file;
        big->commitment = pf->commitment;
        memcpy(big->commitment_dims, pf->commitment_dims, sizeof big->commitment_dims);
        pf->file = NULL;
        pf->commitment = NULL;
        sm_portfolio_free(&pf);
        pf = big;
    }
    size_t per = (size_t)m->n_offers * (size_t)m->n_periods;
    for (size_t p = 0; p < pf->n_policies; p++)
        if (take_policy(m, pf, n > 1 ? p : (size_t)pf->policy, &pf->k[p * per], d) != SM_OK)
            st = SM_EINPUT;
    size_t bytes = sizeof(double);
    for (int i = 0; i < 4; i++)
        bytes *= pf->commitment_dims[i];
    XXH3_state_t *h = XXH3_createState();
    if (!h)
        SM_TRY(sm_diag_fail(d, SM_ENOMEM, "out of memory"));
    XXH3_64bits_reset(h);
    XXH3_64bits_update(h, pf->commitment, bytes);
    XXH3_64bits_update(h, &pf->policy, sizeof pf->policy);
    pf->hash = XXH3_64bits_digest(h);
    XXH3_freeState(h);
done:
    *ppf = pf;
    H5Fclose(f);
    return st;
}

/* ---- either ------------------------------------------------------------- */

/* An HDF5 file starts with this signature (at offset 0 for files HDF5
 * makes itself). Opened without blocking, so a FIFO never hangs here. */
static int is_hdf5(const char *path)
{
    static const unsigned char sig[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    unsigned char buf[8];
    struct stat sb;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC), yes = 0;
    if (fd < 0)
        return 0;
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && read(fd, buf, 8) == 8)
        yes = !memcmp(buf, sig, 8);
    close(fd);
    return yes;
}

sm_status sm_portfolio_load(const char *path, const sm_model *m, const sm_sweep *sw, long policy,
                            sm_portfolio **out, sm_diag *d)
{
    sm_status st = SM_OK;
    sm_portfolio *pf = sm_portfolio_new(m, 1);
    *out = NULL;
    if (!pf || !(pf->file = strdup(path)))
        SM_TRY(sm_diag_fail(d, SM_ENOMEM, "out of memory"));
    if (is_hdf5(path)) {
        SM_TRY(load_plan(m, sw, policy, &pf, d));
    } else {
        if (policy >= 0)
            SM_TRY(sm_diag_error(d, NULL, 0, 0, "--policy picks a policy of a plan file; %s is "
                                 "not one (a CSV portfolio has a single policy)", path));
        SM_TRY(load_csv(m, pf, d));
    }
    SM_TRY(sm_portfolio_check(m, sw, pf, d));
    *out = pf;
    pf = NULL;
done:
    sm_portfolio_free(&pf);
    return st;
}
