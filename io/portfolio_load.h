/* Reading a portfolio for `run --portfolio` (models/portfolio.h) from
 * either of two files:
 *
 * - a CSV table with the header supplier,material,period,tonnes: one row
 *   per contract offer and period committed (t); period is the model's
 *   period label (e.g. 2027Q1, as in results files) or its 1-based number;
 *   what the table leaves out is 0. Refused, with FILE:LINE: an unknown
 *   supplier, material or period, a pair the suppliers table does not
 *   offer, a spot offer, tonnes not a number or negative, a duplicate row,
 *   other or missing columns.
 * - a plan file (`supplymix plan`, docs/RESULTS.md "Plan files"): its
 *   root dataset commitment[policy, supplier, material, period] (t). With
 *   one policy that one is used; with as many as the sweep's grid points,
 *   each grid point uses its own; otherwise policy (>= 0) must name one.
 *   Refused, naming the dataset: no commitment, other suppliers, materials
 *   or periods than the model's (by their labels), NaN (a policy without a
 *   plan) or negative tonnes, tonnes on a spot offer.
 *
 * Either way tonnes above k_ub are refused (sm_portfolio_check). A plan
 * file is told from a CSV by the HDF5 signature at its start. */
#ifndef SM_PORTFOLIO_LOAD_H
#define SM_PORTFOLIO_LOAD_H

#include "../models/portfolio.h"

/* policy: the --policy index, or -1 when not given. */
sm_status sm_portfolio_load(const char *path, const sm_model *m, const sm_sweep *sw, long policy,
                            sm_portfolio **out, sm_diag *d);

#define SM_PORTFOLIO_MAX_CSV_BYTES (64u << 20)

#endif
