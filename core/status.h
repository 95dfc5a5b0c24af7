/* The one error convention of supplymix: every fallible call returns an
 * sm_status and records its message in the caller's sm_diag. */
#ifndef SM_STATUS_H
#define SM_STATUS_H

typedef enum sm_status {
    SM_OK = 0,
    SM_EINPUT,       /* a bad input file or value (exit code 2) */
    SM_EUSAGE,       /* a bad command line (exit code 2) */
    SM_EOUTPUT,      /* an output could not be written (disk full, permissions):
                      * what was saved is intact and resumable (exit code 4) */
    SM_ENOMEM,       /* out of memory (exit code 1) */
    SM_ESOLVER,      /* GLPK raised a fatal error, caught by the error hook */
    SM_EINTERRUPTED, /* stopped by a signal after saving what was done (exit 3) */
    SM_EINTERNAL     /* a broken invariant: a bug (exit code 1) */
} sm_status;

/* The process exit code that CLI.md assigns to a status. */
int sm_status_exit_code(sm_status st);

/* Propagate a failure: needs a local `sm_status st` and a `done:` label
 * where the function releases what it holds. */
#define SM_TRY(expr)                                                          \
    do {                                                                      \
        st = (expr);                                                          \
        if (st != SM_OK)                                                      \
            goto done;                                                        \
    } while (0)

#endif
