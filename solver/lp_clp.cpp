// The CLP engine (see lp_clp.h): the project's only C++ and the only file
// that includes COIN-OR headers.
#include "lp_clp.h"

#include <ClpConfig.h>
#include <ClpFactorization.hpp>
#include <ClpSimplex.hpp>
#include <ClpSimplexDual.hpp>
#include <CoinIndexedVector.hpp>
#include <CoinPackedMatrix.hpp>

#include <cmath>
#include <cstdio>
#include <new>
#include <vector>

// ClpSimplex, with the one setting CLP keeps protected (see settle_after).
class SmSimplex : public ClpSimplex {
public:
    void set_dont_factorize(int pivots) { dontFactorizePivots_ = pivots; }
};

struct sm_clp {
    SmSimplex *m;
    int scale;          /* CLP's scaling mode asked for: 3 (auto) or 0 */
    bool scale_settled; /* the first solve since set-up decided it */
    bool fast;          /* work arrays current: numbers go into them too */
    bool fast_ok;       /* no setter met a fake bound since the last solve */
    bool fast_last;     /* the last solve was a fast one: results in work arrays */
    bool factored;      /* the factors and solution of an optimum, nothing changed since */
};

namespace {

// A fixed seed: CLP draws random numbers for its perturbation, and a basis
// installed at a block's start must give the same solves whatever the
// problem solved before.
const int seed = 1234567;

double clp_bound(double v)
{
    if (v == HUGE_VAL)
        return COIN_DBL_MAX;
    if (v == -HUGE_VAL)
        return -COIN_DBL_MAX;
    return v;
}

ClpSimplex::Status to_clp(int glpk_stat)
{
    switch (glpk_stat) {
    case 1: return ClpSimplex::basic;
    case 3: return ClpSimplex::atUpperBound;
    case 4: return ClpSimplex::isFree;
    case 5: return ClpSimplex::isFixed;
    default: return ClpSimplex::atLowerBound;
    }
}

// GLPK has no superbasic status: such a variable (between its bounds,
// nonbasic) is given as free, which GLPK also uses for that.
int to_glpk(ClpSimplex::Status s)
{
    switch (s) {
    case ClpSimplex::basic: return 1;
    case ClpSimplex::atUpperBound: return 3;
    case ClpSimplex::atLowerBound: return 2;
    case ClpSimplex::isFixed: return 5;
    default: return 4;
    }
}

int outcome(const ClpSimplex &m)
{
    switch (m.status()) {
    case 0: return SM_CLP_OPTIMAL;
    case 1: return SM_CLP_INFEASIBLE;
    case 2: return SM_CLP_UNBOUNDED;
    case 3: return m.secondaryStatus() == 9 ? SM_CLP_TIME_LIMIT : SM_CLP_ITERATION_LIMIT;
    default: return SM_CLP_FAILURE;
    }
}

// Between warm solves CLP keeps its work arrays (scaled bounds and costs,
// which the per-element setters update) and its factorization: 1 keep
// them, 2 reuse the factorization, 4 set up only what changed. Set up
// afresh, a warm re-solve of the 10x model took 0.99 s of CPU for 400
// scenarios; kept, 0.73 s.
const int keep = 1 + 2 + 4;

// CLP's shortcuts for many warm re-solves of one LP (ClpModel.hpp,
// specialOptions), measured in instructions on monte_carlo (1,000
// scenarios) and the 10x model (400), where a solve takes 15 and 94
// pivots:
//  2048  no refactorization at the end of a solve of 20 pivots or fewer:
//        the factorization carries on into the next scenario (one solve
//        in two refactorized before; -3 % of all instructions);
//  4096  optimal once no cost was perturbed, without the second pass of
//        checks under tightened tolerances (-12 %; with 2048, -16 % and
//        -13 % on the 10x model);
//   128  no sanity check of the matrix and bounds at each solve (the
//        model's numbers are validated when it loads; -2 % / -3 %).
// Statuses still agree with GLPK on every scenario (test_lp_engines): a
// dual "infeasible" is confirmed by the primal simplex (sm_clp_solve).
const unsigned shortcuts = 2048 | 4096 | 128;

// moreSpecialOptions 8192: the dual simplex does not hand over to the
// primal one halfway (it did on 23 of 465 solves of the 10x model, each
// then costing a primal clean-up of ~10 dual solves' work): -3 % of the
// 10x model's instructions, 94 -> 89 pivots a scenario, monte_carlo
// unchanged. A dual that still ends unfinished is cleaned up by CLP's
// primal as before, and sm_clp_solve's primal confirms what it gives up on.
const int dual_stays = 8192;

// With specialOptions 2048 a solve of up to 20 pivots (CLP's default)
// ends on its updated factorization; one of more pivots refactorizes and
// recomputes its solution before declaring it optimal. The 10x model's
// scenarios take ~89 pivots each, so nearly every solve paid for that,
// and the next solve's factorization was fresh anyway. Up to 60 pivots:
// -1.0 % of the 10x model's instructions (whole run), monte_carlo -0.1 %;
// 100 gave -1.1 % and +0.5 % (longer update chains carried into the next
// scenarios).
const int settle_after = 60;

void configure(SmSimplex &m, int scale)
{
    m.set_dont_factorize(settle_after);
    m.setLogLevel(0);
    m.scaling(scale);
    m.setRandomSeed(seed);
    m.setSpecialOptions(m.specialOptions() | shortcuts);
    m.setMoreSpecialOptions(m.moreSpecialOptions() | dual_stays);
}

// CLP's automatic scaling tries at every solve and, when the matrix is
// well scaled already (the shipped and the synthetic models), gives up
// each time: 2-4 % of the solve loop. The first solve after set-up
// (a block's first scenario, the same whatever the thread count) settles
// it: kept if CLP scaled (its factors then stay for the block), off
// otherwise.
void settle_scaling(sm_clp *c)
{
    if (c->scale_settled)
        return;
    c->scale_settled = true;
    if (c->m->scalingFlag() > 0 && !c->m->rowScale())
        c->m->scaling(0);
}

// After the basis changes other than by pivots, nothing kept may be
// reused: the next solve sets everything up from the model.
void forget_work(ClpSimplex &m)
{
    m.setWhatsChanged(0);
}

// A new ClpSimplex from the model's matrix and numbers alone: what
// CLP learnt while solving (factorization, pricing weights, perturbation,
// dual bound, iteration history) is left behind, so a block's solves
// depend on its starting basis and numbers only, whatever this problem
// solved before. Measured: forgetting the work arrays alone still let
// earlier blocks change later blocks' pivots.
void renew(sm_clp *c)
{
    const ClpSimplex &m = *c->m;
    SmSimplex *n = new SmSimplex;
    n->loadProblem(*m.matrix(), m.columnLower(), m.columnUpper(), m.objective(), m.rowLower(),
                   m.rowUpper());
    configure(*n, c->scale);
    c->fast = c->fast_last = c->factored = false;
    delete c->m;
    c->m = n;
    c->scale_settled = false;
}

void say(char *message, int size, const char *what)
{
    if (message && size > 0)
        std::snprintf(message, (size_t)size, "%s", what);
}

// One simplex run within the limits; adds its iterations.
int run(ClpSimplex &m, bool dual, int it_lim, double tm_lim_s, int *iterations)
{
    m.setMaximumIterations(it_lim > *iterations ? it_lim - *iterations : 0);
    m.setMaximumWallSeconds(tm_lim_s);
    if (dual)
        m.dual(0, keep);
    else
        m.primal(0, keep);
    *iterations += m.numberIterations();
    return outcome(m);
}

} // namespace

extern "C" {

sm_clp *sm_clp_new(int n_rows, int n_cols, int nnz, const int *ia, const int *ja,
                   const double *ar, int scale)
{
    try {
        sm_clp *c = new sm_clp;
        c->m = new SmSimplex;
        c->scale = scale ? 3 : 0;
        c->scale_settled = false;
        c->fast = c->fast_ok = c->fast_last = c->factored = false;
        std::vector<int> rows((size_t)nnz), cols((size_t)nnz);
        for (int k = 0; k < nnz; k++) {
            rows[(size_t)k] = ia[k + 1] - 1;
            cols[(size_t)k] = ja[k + 1] - 1;
        }
        CoinPackedMatrix matrix(true, rows.data(), cols.data(), ar + 1, nnz);
        matrix.setDimensions(n_rows, n_cols);
        c->m->loadProblem(matrix, nullptr, nullptr, nullptr, nullptr, nullptr);
        configure(*c->m, c->scale);
        return c;
    } catch (...) {
        return nullptr;
    }
}

void sm_clp_free(sm_clp *c)
{
    if (c)
        delete c->m;
    delete c;
}

// A nonbasic variable CLP marked fixed (its bounds were equal: a mine
// not yet producing, a supplier cut off) whose bounds now differ. It goes
// to the bound its reduced cost makes dual feasible, where the dual
// simplex wants it; with that bound infinite, CLP would need a fake
// bound: the next solve goes through dual()'s full set-up. On monte_carlo
// 65 % of CLP's warm solves took that set-up only for this, before.
static void unfix(sm_clp *c, int k, bool lo_inf, bool up_inf)
{
    ClpSimplex &m = *c->m;
    bool to_upper = m.djRegion()[k] < 0.0;
    if (to_upper ? up_inf : lo_inf) {
        c->fast_ok = false;
        return;
    }
    m.setStatus(k, to_upper ? ClpSimplex::atUpperBound : ClpSimplex::atLowerBound);
    m.solutionRegion()[k] = to_upper ? m.upperRegion()[k] : m.lowerRegion()[k];
}

// Numbers go into the model's arrays, which every dual() or primal()
// rebuilds its work copies from in full (ClpSimplex::startup calls
// createRim(63)). After an optimal solve the work copies are kept (see
// sm_clp_solve's fast path): then the setters update both, and a nonbasic
// variable whose bound moved is placed on it, as createRim would.
// A variable at a dual "fake" bound (CLP's artificial bound on an infinite
// side) keeps it only when it sits on its other, real bound; anything else
// sends the next solve through dual() and its full set-up.
static void place(sm_clp *c, int k)
{
    ClpSimplex &m = *c->m;
    double *lo = m.lowerRegion(), *up = m.upperRegion(), *x = m.solutionRegion();
    int n = m.getNumCols();
    bool lo_inf = (k < n ? m.columnLower()[k] : m.rowLower()[k - n]) == -COIN_DBL_MAX;
    bool up_inf = (k < n ? m.columnUpper()[k] : m.rowUpper()[k - n]) == COIN_DBL_MAX;
    ClpSimplex::Status st = m.getStatus(k);
    switch (m.getFakeBound(k)) {
    case ClpSimplex::noFake: break;
    case ClpSimplex::lowerFake:
        if (lo_inf && st == ClpSimplex::atUpperBound)
            break;
        c->fast_ok = false;
        return;
    case ClpSimplex::upperFake:
        if (up_inf && st == ClpSimplex::atLowerBound)
            break;
        c->fast_ok = false;
        return;
    default:
        c->fast_ok = false;
        return;
    }
    switch (st) {
    case ClpSimplex::atLowerBound: x[k] = lo[k]; break;
    case ClpSimplex::atUpperBound: x[k] = up[k]; break;
    case ClpSimplex::isFixed:
        if (lo[k] == up[k])
            x[k] = lo[k];
        else
            unfix(c, k, lo_inf, up_inf);
        break;
    default: break;
    }
}

void sm_clp_set_col_bounds(sm_clp *c, int j, double lb, double ub)
{
    c->factored = false;
    if (c->fast) {
        c->m->setColumnBounds(j, clp_bound(lb), clp_bound(ub));
        place(c, j);
        return;
    }
    c->m->columnLower()[j] = clp_bound(lb);
    c->m->columnUpper()[j] = clp_bound(ub);
}

void sm_clp_set_row_bounds(sm_clp *c, int i, double lb, double ub)
{
    c->factored = false;
    if (c->fast) {
        c->m->setRowBounds(i, clp_bound(lb), clp_bound(ub));
        place(c, c->m->getNumCols() + i);
        return;
    }
    c->m->rowLower()[i] = clp_bound(lb);
    c->m->rowUpper()[i] = clp_bound(ub);
}

void sm_clp_set_obj(sm_clp *c, int j, double v)
{
    c->factored = false;
    if (c->fast)
        c->m->setObjectiveCoefficient(j, v);
    else
        c->m->objective()[j] = v;
}

// The dual simplex from the basis held (or the slack basis); whatever it
// ends with short of an optimum or a limit, the primal simplex confirms or
// repairs from there (CLP's dual can stop on "infeasible" or "unbounded"
// with its artificial bounds still active), and after numerical trouble
// one more try starts from the slack basis, as the GLPK engine does.
int sm_clp_solve(sm_clp *c, int warm, int it_lim, double tm_lim_s, int *iterations, int *code,
                 char *message, int message_size)
{
    *iterations = 0;
    *code = -1;
    c->factored = false;
    try {
        ClpSimplex &m = *c->m;
        if (!warm) {
            m.allSlackBasis(true);
            forget_work(m);
            c->fast = false;
        }
        // The fast path: ClpSimplexDual::fastDual (CLP's re-solve for
        // branch and bound) on the work arrays and factorization the last
        // solve left, skipping dual()'s set-up (createRim, the fake bounds,
        // one more pass over the solution) and its tear-down (deleteRim):
        // on the 10x model 2,670 -> 2,390 M instructions in CLP, the whole
        // run -5 %. Results are read from the work arrays (unscaled: only
        // taken when CLP does not scale). Anything short of optimal goes on
        // through dual() as before.
        c->fast_last = false;
        if (warm && c->fast && c->fast_ok) {
            m.setMaximumIterations(it_lim);
            m.setMaximumWallSeconds(tm_lim_s);
            static_cast<ClpSimplexDual &>(static_cast<ClpSimplex &>(m)).fastDual(true);
            *iterations += m.numberIterations();
            if (m.problemStatus() == 0) {
                c->fast_last = true;
                c->fast_ok = true;
                c->factored = true;
                *code = 0;
                return SM_CLP_OPTIMAL;
            }
        }
        c->fast = false;
        int r = run(m, true, it_lim, tm_lim_s, iterations);
        if (r == SM_CLP_INFEASIBLE || r == SM_CLP_UNBOUNDED || r == SM_CLP_FAILURE)
            r = run(m, false, it_lim, tm_lim_s, iterations);
        if (r == SM_CLP_FAILURE) {
            m.allSlackBasis(true);
            forget_work(m);
            r = run(m, false, it_lim, tm_lim_s, iterations);
        }
        settle_scaling(c);
        c->fast = r == SM_CLP_OPTIMAL && !m.rowScale() && m.objectiveScale() == 1.0 &&
                  m.rhsScale() == 1.0 && m.optimizationDirection() == 1.0;
        c->fast_ok = true;
        c->factored = r == SM_CLP_OPTIMAL;
        *code = m.status() * 100 + m.secondaryStatus();
        if (r == SM_CLP_FAILURE)
            say(message, message_size, "CLP stopped on numerical difficulties");
        return r;
    } catch (const std::bad_alloc &) {
        say(message, message_size, "out of memory in CLP");
    } catch (...) {
        say(message, message_size, "CLP raised an error");
    }
    return SM_CLP_FAILURE;
}

void sm_clp_solution(const sm_clp *c, int n_cols, double *x, double *y, double *d)
{
    const ClpSimplex &m = *c->m;
    const double *px = m.getColSolution(), *py = m.getRowPrice(), *pd = m.getReducedCost();
    if (c->fast_last) {
        px = m.solutionRegion(1);
        pd = m.djRegion(1);
    }
    for (int j = 0; x && j < n_cols; j++)
        x[j] = px[j];
    for (int i = 0; y && i < m.getNumRows(); i++)
        y[i] = py[i];
    for (int j = 0; d && j < n_cols; j++)
        d[j] = pd[j];
}

double sm_clp_objective(const sm_clp *c)
{
    if (c->fast_last) {
        const ClpSimplex &m = *c->m;
        const double *x = m.solutionRegion(1), *o = m.getObjCoefficients();
        double v = 0.0;
        for (int j = 0; j < m.getNumCols(); j++)
            v += o[j] * x[j];
        return v;
    }
    return c->m->objectiveValue();
}

void sm_clp_get_basis(const sm_clp *c, int n_cols, int *row_stat, int *col_stat)
{
    const ClpSimplex &m = *c->m;
    for (int i = 0; i < m.getNumRows(); i++)
        row_stat[i] = to_glpk(m.getRowStatus(i));
    for (int j = 0; j < n_cols; j++)
        col_stat[j] = to_glpk(m.getColumnStatus(j));
}

void sm_clp_set_basis(sm_clp *c, int n_cols, const int *row_stat, const int *col_stat)
{
    try {
        renew(c);
    } catch (...) {
        // Out of memory: the problem keeps its learnt state, and its next
        // solve may pivot differently, never to a different optimum.
    }
    ClpSimplex &m = *c->m;
    for (int i = 0; i < m.getNumRows(); i++)
        m.setRowStatus(i, to_clp(row_stat[i]));
    for (int j = 0; j < n_cols; j++)
        m.setColumnStatus(j, to_clp(col_stat[j]));
}

int sm_clp_add_elastic(sm_clp *c, int n, const int *rows)
{
    try {
        const double one = 1.0;
        for (int e = 0; e < n; e++)
            c->m->addColumn(1, &rows[e], &one, 0.0, COIN_DBL_MAX, 1.0);
        forget_work(*c->m);
        c->fast = c->fast_last = c->factored = false;
        return 0;
    } catch (...) {
        return -1;
    }
}

int sm_clp_nonzeros(const sm_clp *c)
{
    return (int)c->m->getNumElements();
}

const char *sm_clp_version(void)
{
    return CLP_VERSION;
}

} // extern "C"

// ---- right-hand-side ranging (lp.c's sm_lp_rhs_range) --------------------

namespace {

double from_clp(double v)
{
    if (v >= COIN_DBL_MAX)
        return HUGE_VAL;
    if (v <= -COIN_DBL_MAX)
        return -HUGE_VAL;
    return v;
}

// The factors of the optimal basis. Those the last solve ended with (kept
// by startFinishOptions 1 and 2, updated by its last pivots) serve while
// nothing has changed since and they are of the basis held; otherwise the
// basis is factorized afresh, as CLP's own ClpSimplex::primalRanging does:
// a primal simplex from it, unperturbed, keeping its work arrays. From an
// optimal basis that makes no pivot, unless the fresh factors find it
// infeasible by more than CLP's tolerance; it then ends on another optimal
// basis. Refactorizing every time cost 8 % more instructions on quick under
// --ranging (317,000 a scenario).
bool factors_of_optimum(sm_clp *c)
{
    ClpSimplex &m = *c->m;
    bool kept = c->factored && m.factorization() && m.rowArray(0) && m.rowArray(1) &&
                m.pivotVariable();
    for (int p = 0; kept && p < m.getNumRows(); p++)
        kept = m.getStatus(m.pivotVariable()[p]) == ClpSimplex::basic;
    if (kept)
        return true;
    int perturbation = m.perturbation();
    m.setPerturbation(100);
    m.primal(0, 1);
    m.setPerturbation(perturbation);
    c->fast = c->fast_last = false;
    c->factored = m.status() == 0;
    return c->factored && m.factorization() && m.rowArray(0) && m.rowArray(1) &&
           m.pivotVariable();
}

} // namespace

extern "C" {

// CLP's basis matrix holds, for a basic row, its activity with the column
// -e_i (Ax - r = 0), and scales rows by R and columns by C (the scaled
// activity R·r, the scaled column value x/C). Moving nonbasic rows'
// activities by move[i] moves the basic variables by B^-1 g, g_i = move[i]
// for those rows: one FTRAN, scaled on the way in and out.
int sm_clp_basic_motion(sm_clp *c, const double *move, int *row, double *value, double *lb,
                        double *ub, double *rate)
{
    try {
        if (!factors_of_optimum(c))
            return -1;
        ClpSimplex &m = *c->m;
        int n = m.getNumCols(), nr = m.getNumRows();
        const double *rs = m.rowScale(), *cs = m.columnScale();
        CoinIndexedVector *spare = m.rowArray(0), *g = m.rowArray(1);
        spare->clear();
        g->clear();
        for (int i = 0; i < nr; i++)
            if (move[i] != 0.0 && m.getRowStatus(i) != ClpSimplex::basic)
                g->insert(i, rs ? move[i] * rs[i] : move[i]);
        m.factorization()->updateColumn(spare, g, false);
        const double *dz = g->denseVector(), *x = m.getColSolution(), *r = m.getRowActivity();
        if (c->fast_last) // the fast path's results are in the (unscaled) work arrays
            x = m.solutionRegion(1), r = m.solutionRegion(0);
        const int *pivot = m.pivotVariable();
        for (int p = 0; p < nr; p++) {
            int k = pivot[p], i = k - n;
            row[p] = k < n ? -1 : i;
            value[p] = k < n ? x[k] : r[i];
            lb[p] = from_clp(k < n ? m.columnLower()[k] : m.rowLower()[i]);
            ub[p] = from_clp(k < n ? m.columnUpper()[k] : m.rowUpper()[i]);
            rate[p] = k < n ? dz[p] * (cs ? cs[k] : 1.0) : dz[p] / (rs ? rs[i] : 1.0);
        }
        g->clear();
        return 0;
    } catch (...) {
        return -1;
    }
}

} // extern "C"
