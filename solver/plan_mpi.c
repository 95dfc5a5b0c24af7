/* A plan across MPI ranks (see plan_mpi.h). */
#include "plan_mpi.h"
#include "plan_checkpoint.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef SM_WITH_MPI
#include <mpi.h>

#include "engine_mpi.h"
#endif

#ifdef SM_WITH_MPI
/* The unit tests call the solver without MPI started: one process. */
static int started(void)
{
    int init = 0, fin = 0;
    MPI_Initialized(&init);
    MPI_Finalized(&fin);
    return init && !fin;
}
#endif

int sm_plan_mpi_ranks(void)
{
#ifdef SM_WITH_MPI
    return started() ? sm_mpi_size() : 1;
#else
    return 1;
#endif
}

int sm_plan_mpi_rank(void)
{
#ifdef SM_WITH_MPI
    return started() ? sm_mpi_rank() : 0;
#else
    return 0;
#endif
}

static size_t range_start(size_t n, int rank, int ranks)
{
    return n / (size_t)ranks * (size_t)rank + (n % (size_t)ranks) * (size_t)rank / (size_t)ranks;
}

void sm_plan_mpi_range(size_t n, size_t *lo, size_t *hi)
{
    int r = sm_plan_mpi_rank(), R = sm_plan_mpi_ranks();
    *lo = range_start(n, r, R);
    *hi = range_start(n, r + 1, R);
}

#ifdef SM_WITH_MPI
/* Every rank's range of n futures, unit elements each, as MPI counts. */
static sm_status counts(size_t n, size_t unit, int **cnt, int **dsp, sm_diag *d)
{
    int R = sm_mpi_size();
    *cnt = malloc((size_t)R * sizeof **cnt);
    *dsp = malloc((size_t)R * sizeof **dsp);
    if (!*cnt || !*dsp)
        return sm_diag_fail(d, SM_ENOMEM, "out of memory");
    if (n * unit > INT_MAX)
        return sm_diag_fail(d, SM_EINPUT, "too many futures x commitments (%zu) to share "
                                          "among MPI ranks", n * unit);
    for (int r = 0; r < R; r++) {
        (*dsp)[r] = (int)(range_start(n, r, R) * unit);
        (*cnt)[r] = (int)(range_start(n, r + 1, R) * unit) - (*dsp)[r];
    }
    return SM_OK;
}

static sm_status share(size_t n, size_t unit, void *data, MPI_Datatype type, sm_diag *d)
{
    int *cnt = NULL, *dsp = NULL;
    sm_status st = counts(n, unit, &cnt, &dsp, d);
    /* Every rank reaches here with the same n: a failure is the same on all. */
    if (st == SM_OK)
        MPI_Allgatherv(MPI_IN_PLACE, 0, type, data, cnt, dsp, type, MPI_COMM_WORLD);
    free(cnt);
    free(dsp);
    return st;
}
#endif

sm_status sm_plan_mpi_share_bytes(size_t n, size_t unit, uint8_t *data, sm_diag *d)
{
#ifdef SM_WITH_MPI
    if (sm_plan_mpi_ranks() > 1)
        return share(n, unit, data, MPI_BYTE, d);
#else
    (void)n, (void)unit, (void)data, (void)d;
#endif
    return SM_OK;
}

#ifdef SM_WITH_MPI
/* The worst st of all ranks; a rank whose own st is fine says that
 * another failed (what fails means: a future, the resume data). */
static sm_status agree_or_say(sm_status st, const char *what, sm_diag *d)
{
    sm_status all = sm_mpi_agree(st);
    if (all == SM_OK)
        return SM_OK;
    if (st != SM_OK && sm_mpi_rank() != 0) {
        /* Only rank 0 reports: say here what went wrong on this one. */
        fprintf(stderr, "supplymix: MPI rank %d: ", sm_mpi_rank());
        sm_diag_print(d, stderr);
    }
    return st != SM_OK ? st : sm_diag_fail(d, all, "%s failed on another MPI rank (that rank "
                                                   "says why above)", what);
}
#endif

sm_status sm_plan_mpi_share(size_t n, int nk, double *q, uint8_t *status, double *g,
                            sm_status st, sm_diag *d)
{
#ifdef SM_WITH_MPI
    if (sm_plan_mpi_ranks() <= 1)
        return st;
    st = agree_or_say(st, "a future", d);
    if (st != SM_OK)
        return st;
    st = share(n, 1, q, MPI_DOUBLE, d);
    if (st == SM_OK)
        st = share(n, 1, status, MPI_BYTE, d);
    if (st == SM_OK && g)
        st = share(n, (size_t)nk, g, MPI_DOUBLE, d);
    return st;
#else
    (void)n, (void)nk, (void)q, (void)status, (void)g, (void)d;
    return st;
#endif
}

#ifdef SM_WITH_MPI
static sm_status concat_ranks(const uint8_t *mine, size_t len, uint8_t **all, size_t *total,
                              sm_diag *d)
{
    int R = sm_mpi_size(), n = len > INT_MAX ? -1 : (int)len;
    int *cnt = malloc((size_t)R * sizeof *cnt), *dsp = malloc((size_t)R * sizeof *dsp);
    sm_status st = cnt && dsp ? SM_OK : sm_diag_fail(d, SM_ENOMEM, "out of memory");
    int bad = st != SM_OK || n < 0, any = 0;
    MPI_Allreduce(&bad, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (any) {
        free(cnt);
        free(dsp);
        return st != SM_OK ? st : sm_diag_fail(d, SM_ENOMEM, "cannot gather the futures' "
                                                             "bases across MPI ranks");
    }
    MPI_Allgather(&n, 1, MPI_INT, cnt, 1, MPI_INT, MPI_COMM_WORLD);
    size_t sum = 0;
    for (int r = 0; r < R; r++) {
        dsp[r] = (int)sum;
        sum += (size_t)cnt[r];
    }
    *total = sum;
    *all = malloc(sum + 1);
    /* Every rank allocates the same size; a failure on one is fatal to all. */
    if (!*all || sum > INT_MAX)
        MPI_Abort(MPI_COMM_WORLD, 1);
    MPI_Allgatherv(mine, n, MPI_BYTE, *all, cnt, dsp, MPI_BYTE, MPI_COMM_WORLD);
    free(cnt);
    free(dsp);
    return SM_OK;
}
#endif

sm_status sm_plan_mpi_concat(const uint8_t *mine, size_t len, uint8_t **all, size_t *total,
                             sm_diag *d)
{
    *all = NULL;
    *total = len;
#ifdef SM_WITH_MPI
    if (sm_plan_mpi_ranks() > 1)
        return concat_ranks(mine, len, all, total, d);
#endif
    if (!(*all = malloc(len + 1)))
        return sm_diag_fail(d, SM_ENOMEM, "out of memory");
    if (len)
        memcpy(*all, mine, len);
    return SM_OK;
}

sm_status sm_plan_mpi_agree(sm_status st)
{
#ifdef SM_WITH_MPI
    if (sm_plan_mpi_ranks() > 1)
        return sm_mpi_agree(st);
#endif
    return st;
}

int sm_plan_mpi_any(int flag)
{
#ifdef SM_WITH_MPI
    if (sm_plan_mpi_ranks() > 1) {
        int mine = flag != 0, any = 0;
        MPI_Allreduce(&mine, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
        return any;
    }
#endif
    return flag != 0;
}

#ifdef SM_WITH_MPI
/* Rank 0's len bytes at data to every rank, in pieces an int counts. */
static void bcast_bytes(void *data, size_t len)
{
    uint8_t *p = data;
    while (len) {
        int part = len > (size_t)1 << 30 ? 1 << 30 : (int)len;
        MPI_Bcast(p, part, MPI_BYTE, 0, MPI_COMM_WORLD);
        p += part;
        len -= (size_t)part;
    }
}

/* One checkpoint array's name, type and length, as sent. */
typedef struct array_head {
    char name[32];
    uint64_t n;
    char type;
} array_head;

/* Rank 0's arrays' heads to every rank; the others make room for them. */
static sm_status share_heads(sm_plan_checkpoint *ck, size_t na, sm_diag *d)
{
    int root = sm_mpi_rank() == 0;
    array_head *h = calloc(na + 1, sizeof *h);
    sm_status st = h ? SM_OK : sm_diag_fail(d, SM_ENOMEM, "out of memory resuming a plan");
    for (size_t a = 0; h && root && a < na; a++) {
        memcpy(h[a].name, ck->arrays[a].name, sizeof h[a].name);
        h[a].n = ck->arrays[a].n;
        h[a].type = ck->arrays[a].type;
    }
    /* Every rank reaches each collective: a failure is agreed first. */
    st = agree_or_say(st, "resuming", d);
    if (st != SM_OK) {
        free(h);
        return st;
    }
    bcast_bytes(h, na * sizeof *h);
    for (size_t a = 0; st == SM_OK && !root && a < na; a++) {
        h[a].name[sizeof h[a].name - 1] = '\0';
        st = sm_ckpt_add(ck, h[a].name, h[a].type, (size_t)h[a].n, NULL, d);
    }
    free(h);
    return agree_or_say(st, "resuming", d);
}

static sm_status share_resume(uint8_t *done, size_t G, sm_plan_checkpoint *ck, size_t *ck_g,
                              sm_diag *d)
{
    uint64_t head[2] = {(uint64_t)ck->n_arrays, (uint64_t)*ck_g};
    bcast_bytes(done, G);
    bcast_bytes(head, sizeof head);
    *ck_g = (size_t)head[1];
    sm_status st = share_heads(ck, (size_t)head[0], d);
    for (int a = 0; st == SM_OK && a < ck->n_arrays; a++)
        bcast_bytes(ck->arrays[a].data, ck->arrays[a].n * sm_ckpt_type_size(ck->arrays[a].type));
    return st;
}
#endif

sm_status sm_plan_mpi_share_resume(uint8_t *done, size_t G, sm_plan_checkpoint *ck,
                                   size_t *ck_g, sm_diag *d)
{
#ifdef SM_WITH_MPI
    if (sm_plan_mpi_ranks() > 1)
        return share_resume(done, G, ck, ck_g, d);
#else
    (void)done, (void)G, (void)ck, (void)ck_g, (void)d;
#endif
    return SM_OK;
}
