/* Scenario parameters against LP numbers worked out by hand: every kind of
 * models/params.h is resolved by name, applied to the base inputs with
 * sm_params_apply and turned into column bounds, costs and row bounds by
 * sm_coeffs_compute; every number of the LP is compared with a literal
 * from MODEL.md Part 1, never with one the code under test computed. The
 * glpsol cross-check and the engine test take their numbers from
 * sm_scenario_coeffs, so this is what notices a wrong multiplier. Also:
 * how parameters combine, base values, domains and clamping. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/model_load.h"
#include "models/commit.h"
#include "models/lp_coeffs.h"
#include "models/params.h"
#include "support/testing.h"
#include "support/tiny_model.h"

#define T 3
#define INF HUGE_VAL
#define TOL 1e-12
#define ALL(v) {v, v, v}

/* Two regions, two materials, three periods. China: tariff 0.25,
 * availability 0.5 from period 3, suppliers C1 (NdPr, Dy) and C2 (NdPr).
 * USA: no tariff, full availability, the late ramping mine U1 (start 2,
 * ramp 2). A cap on China for both materials, a floor on USA for NdPr,
 * stock of both materials, freight on every supplier. */
static const char *const model_yaml =
    "name: params\n"
    "periods: {count: 3}\n"
    "regions:\n"
    "  China: {tariff: 0.25, availability: 0.5, availability_from: 3}\n"
    "  USA: {}\n"
    "materials:\n"
    "  NdPr: {shortfall_penalty: 1000, holding_cost: 2, stock_initial: 30,\n"
    "         stock_capacity: 80, stock_final: 10}\n"
    "  Dy: {shortfall_penalty: 5000, holding_cost: 5, stock_initial: 4, stock_capacity: 10}\n"
    "limits:\n"
    "  china_cap: {kind: cap, regions: [China], share: 0.6}\n"
    "  us_floor: {kind: floor, regions: [USA], materials: [NdPr], share: 0.1}\n"
    "tables: {suppliers: suppliers.csv, demand: demand.csv}\n";

static const char *const model_suppliers =
    "supplier,region,material,capacity_t_per_period,price_usd_per_t,freight_usd_per_t,"
    "start_period,ramp_periods,source\n"
    "C1,China,NdPr,100,10,2,1,0,test\n"
    "C1,China,Dy,20,50,2,1,0,test\n"
    "C2,China,NdPr,40,12,1,1,0,test\n"
    "U1,USA,NdPr,60,20,4,2,2,test\n"
    "U1,USA,Dy,30,80,4,2,2,test\n";

static const char *const model_demand =
    "material,period,demand_t\n"
    "NdPr,1,100\nNdPr,2,120\nNdPr,3,150\n"
    "Dy,1,10\nDy,2,12\nDy,3,15\n";

/* One expected LP number per period. X_* name an offer (supplier,
 * material), S_*, Q_OBJ and BAL a material, CAP and FLOOR (limit,
 * material); CAP rows are (-inf, v], FLOOR rows [v, +inf). */
typedef enum { X_UB, X_OBJ, S_LB, S_UB, S_OBJ, Q_OBJ, BAL, CAP, FLOOR } entry_kind;
typedef struct entry {
    entry_kind kind;
    const char *a, *b;
    double v[T];
} entry;

typedef struct setting {
    const char *name;
    double value;
} setting;

/* Parameters set together, and the LP numbers that differ from the base
 * case. clamp: values go through the parameter's domain first, as a sweep
 * does. */
typedef struct patch_case {
    const char *label;
    int clamp;
    setting set[3];
    entry want[10];
} patch_case;

/* The base case, every number of the LP. x <= cap·ramp_factor·a with
 * China's a = 1, 1, 0.5 and U1's ramp_factor = 0, (2-2+1)/(2+1) = 1/3,
 * (3-2+1)/3 = 2/3; c = p·(1 + tariff) + f. x and q are >= 0, q unbounded
 * above (set for every column by expect_base). */
static const entry base[] = {
    {X_UB, "C1", "NdPr", {100, 100, 50}},  /* 100·1, 100·1, 100·0.5 */
    {X_UB, "C1", "Dy", {20, 20, 10}},      /* 20·1, 20·1, 20·0.5 */
    {X_UB, "C2", "NdPr", {40, 40, 20}},    /* 40·1, 40·1, 40·0.5 */
    {X_UB, "U1", "NdPr", {0, 20, 40}},     /* 60·0, 60·1/3, 60·2/3 */
    {X_UB, "U1", "Dy", {0, 10, 20}},       /* 30·0, 30·1/3, 30·2/3 */
    {X_OBJ, "C1", "NdPr", ALL(14.5)},      /* 10·1.25 + 2 */
    {X_OBJ, "C1", "Dy", ALL(64.5)},        /* 50·1.25 + 2 */
    {X_OBJ, "C2", "NdPr", ALL(16)},        /* 12·1.25 + 1 */
    {X_OBJ, "U1", "NdPr", ALL(24)},        /* 20·1 + 4 */
    {X_OBJ, "U1", "Dy", ALL(84)},          /* 80·1 + 4 */
    {S_LB, "NdPr", NULL, {0, 0, 10}},      /* send in the last period */
    {S_LB, "Dy", NULL, {0, 0, 0}},
    {S_UB, "NdPr", NULL, ALL(80)},
    {S_UB, "Dy", NULL, ALL(10)},
    {S_OBJ, "NdPr", NULL, ALL(2)},
    {S_OBJ, "Dy", NULL, ALL(5)},
    {Q_OBJ, "NdPr", NULL, ALL(1000)},
    {Q_OBJ, "Dy", NULL, ALL(5000)},
    {BAL, "NdPr", NULL, {70, 120, 150}},   /* 100 - s0 30, 120, 150 */
    {BAL, "Dy", NULL, {6, 12, 15}},        /* 10 - s0 4, 12, 15 */
    {CAP, "china_cap", "NdPr", {60, 72, 90}}, /* 0.6·100, 0.6·120, 0.6·150 */
    {CAP, "china_cap", "Dy", {6, 7.2, 9}},    /* 0.6·10, 0.6·12, 0.6·15 */
    {FLOOR, "us_floor", "NdPr", {10, 12, 15}}, /* 0.1·100, 0.1·120, 0.1·150 */
};

/* One parameter at a time, each kind at least once. */
static const patch_case single[] = {
    {"base case", 0, {{NULL, 0}}, {{0}}},
    {"tariff.China", 0, {{"tariff.China", 0.5}},
     {{X_OBJ, "C1", "NdPr", ALL(17)},      /* 10·1.5 + 2 */
      {X_OBJ, "C1", "Dy", ALL(77)},        /* 50·1.5 + 2 */
      {X_OBJ, "C2", "NdPr", ALL(19)}}},    /* 12·1.5 + 1 */
    {"tariff.USA", 0, {{"tariff.USA", 0.2}},
     {{X_OBJ, "U1", "NdPr", ALL(28)},      /* 20·1.2 + 4 */
      {X_OBJ, "U1", "Dy", ALL(100)}}},     /* 80·1.2 + 4 */
    {"availability.China (level)", 0, {{"availability.China", 0.25}},
     {{X_UB, "C1", "NdPr", {100, 100, 25}}, /* from 3: 100·0.25 */
      {X_UB, "C1", "Dy", {20, 20, 5}},      /* 20·0.25 */
      {X_UB, "C2", "NdPr", {40, 40, 10}}}}, /* 40·0.25 */
    {"availability.China.from", 0, {{"availability.China.from", 2}},
     {{X_UB, "C1", "NdPr", {100, 50, 50}},  /* 100·0.5 from period 2 */
      {X_UB, "C1", "Dy", {20, 10, 10}},
      {X_UB, "C2", "NdPr", {40, 20, 20}}}},
    {"availability.China.from T+1: never", 0, {{"availability.China.from", 4}},
     {{X_UB, "C1", "NdPr", ALL(100)}, {X_UB, "C1", "Dy", ALL(20)},
      {X_UB, "C2", "NdPr", ALL(40)}}},
    {"availability.USA (level, from 1)", 0, {{"availability.USA", 0.5}},
     {{X_UB, "U1", "NdPr", {0, 10, 20}},    /* 60·1/3·0.5, 60·2/3·0.5 */
      {X_UB, "U1", "Dy", {0, 5, 10}}}},     /* 30·1/3·0.5, 30·2/3·0.5 */
    {"share.china_cap", 0, {{"share.china_cap", 0.5}},
     {{CAP, "china_cap", "NdPr", {50, 60, 75}}, /* 0.5·100, 0.5·120, 0.5·150 */
      {CAP, "china_cap", "Dy", {5, 6, 7.5}}}},  /* 0.5·10, 0.5·12, 0.5·15 */
    {"share.us_floor", 0, {{"share.us_floor", 0.2}},
     {{FLOOR, "us_floor", "NdPr", {20, 24, 30}}}}, /* 0.2·100, 0.2·120, 0.2·150 */
    {"price.NdPr", 0, {{"price.NdPr", 2}},
     {{X_OBJ, "C1", "NdPr", ALL(27)},      /* 10·2·1.25 + 2 */
      {X_OBJ, "C2", "NdPr", ALL(31)},      /* 12·2·1.25 + 1 */
      {X_OBJ, "U1", "NdPr", ALL(44)}}},    /* 20·2 + 4 */
    {"price.C1", 0, {{"price.C1", 3}},
     {{X_OBJ, "C1", "NdPr", ALL(39.5)},    /* 10·3·1.25 + 2 */
      {X_OBJ, "C1", "Dy", ALL(189.5)}}},   /* 50·3·1.25 + 2 */
    {"demand.NdPr", 0, {{"demand.NdPr", 1.5}},
     {{BAL, "NdPr", NULL, {120, 180, 225}},        /* 150 - 30, 1.5·120, 1.5·150 */
      {CAP, "china_cap", "NdPr", {90, 108, 135}},  /* 0.6·150, 0.6·180, 0.6·225 */
      {FLOOR, "us_floor", "NdPr", {15, 18, 22.5}}}}, /* 0.1·150, 0.1·180, 0.1·225 */
    {"demand.growth", 0, {{"demand.growth", 0.1}},
     {{BAL, "NdPr", NULL, {70, 132, 181.5}},       /* 100 - 30, 120·1.1, 150·1.1² */
      {BAL, "Dy", NULL, {6, 13.2, 18.15}},         /* 10 - 4, 12·1.1, 15·1.21 */
      {CAP, "china_cap", "NdPr", {60, 79.2, 108.9}}, /* 0.6·100, 0.6·132, 0.6·181.5 */
      {CAP, "china_cap", "Dy", {6, 7.92, 10.89}},  /* 0.6·10, 0.6·13.2, 0.6·18.15 */
      {FLOOR, "us_floor", "NdPr", {10, 13.2, 18.15}}}}, /* 0.1·100, 0.1·132, 0.1·181.5 */
    {"capacity.China", 0, {{"capacity.China", 2}},
     {{X_UB, "C1", "NdPr", {200, 200, 100}}, /* 100·2·(1, 1, 0.5) */
      {X_UB, "C1", "Dy", {40, 40, 20}},      /* 20·2·(1, 1, 0.5) */
      {X_UB, "C2", "NdPr", {80, 80, 40}}}},  /* 40·2·(1, 1, 0.5) */
    {"capacity.C2", 0, {{"capacity.C2", 0.5}},
     {{X_UB, "C2", "NdPr", {20, 20, 10}}}},  /* 40·0.5·(1, 1, 0.5) */
    {"delay.U1: start 3, ramping", 0, {{"delay.U1", 1}},
     {{X_UB, "U1", "NdPr", {0, 0, 20}},      /* start 3: 60·(3-3+1)/3 */
      {X_UB, "U1", "Dy", {0, 0, 10}}}},      /* 30·1/3 */
    {"delay.U1 negative: start 1", 0, {{"delay.U1", -1}},
     {{X_UB, "U1", "NdPr", {20, 40, 60}},    /* 60·1/3, 60·2/3, 60·min(1, 3/3) */
      {X_UB, "U1", "Dy", {10, 20, 30}}}},
    {"delay.China", 0, {{"delay.China", 1}},
     {{X_UB, "C1", "NdPr", {0, 100, 50}},    /* start 2, ramp 0; a = 0.5 in 3 */
      {X_UB, "C1", "Dy", {0, 20, 10}},
      {X_UB, "C2", "NdPr", {0, 40, 20}}}},
    {"stock.initial.NdPr", 0, {{"stock.initial.NdPr", 50}},
     {{BAL, "NdPr", NULL, {50, 120, 150}}}},  /* 100 - 50 in period 1 only */
    {"stock.initial.Dy", 0, {{"stock.initial.Dy", 0}},
     {{BAL, "Dy", NULL, {10, 12, 15}}}},      /* 10 - 0 */
    {"stock.capacity.Dy", 0, {{"stock.capacity.Dy", 6}},
     {{S_UB, "Dy", NULL, ALL(6)}}},
    /* Scoped windows (MODEL.md): outside a window the wider scope holds,
     * REGION.MATERIAL -> REGION -> the standing rate (0.25) or a = 1. */
    {"tariff.China window from 2", 0, {{"tariff.China", 0.5}, {"tariff.China.from", 2}},
     {{X_OBJ, "C1", "NdPr", {14.5, 17, 17}}, /* 10·1.25 + 2, then 10·1.5 + 2 */
      {X_OBJ, "C1", "Dy", {64.5, 77, 77}},   /* 50·1.25 + 2, then 50·1.5 + 2 */
      {X_OBJ, "C2", "NdPr", {16, 19, 19}}}}, /* 12·1.25 + 1, then 12·1.5 + 1 */
    {"tariff.China window until 1", 0, {{"tariff.China", 1}, {"tariff.China.until", 1}},
     {{X_OBJ, "C1", "NdPr", {22, 14.5, 14.5}}, /* 10·2 + 2, then the standing 0.25 */
      {X_OBJ, "C1", "Dy", {102, 64.5, 64.5}},  /* 50·2 + 2 */
      {X_OBJ, "C2", "NdPr", {25, 16, 16}}}},   /* 12·2 + 1 */
    {"tariff.China.Dy in period 2 only", 0,
     {{"tariff.China.Dy", 1}, {"tariff.China.Dy.from", 2}, {"tariff.China.Dy.until", 2}},
     {{X_OBJ, "C1", "Dy", {64.5, 102, 64.5}}}}, /* 50·2 + 2 in 2; NdPr untouched */
    {"availability.China window 1..2", 0,
     {{"availability.China.from", 1}, {"availability.China.until", 2}},
     {{X_UB, "C1", "NdPr", {50, 50, 100}},  /* 100·0.5 in 1, 2; a = 1 after */
      {X_UB, "C1", "Dy", {10, 10, 20}},
      {X_UB, "C2", "NdPr", {20, 20, 40}}}},
    {"availability.China.Dy: a Dy-only control from 2", 0,
     {{"availability.China.Dy", 0}, {"availability.China.Dy.from", 2}},
     {{X_UB, "C1", "Dy", {20, 0, 0}}}},     /* the material's window beats China's 0.5 */
    {"availability.China.Dy.until lifts China's control for Dy", 0,
     {{"availability.China.Dy", 1}, {"availability.China.Dy.until", 3}},
     {{X_UB, "C1", "Dy", ALL(20)}}},        /* 20·1 in 3 where China's a = 0.5 */
    {"penalty.Dy", 0, {{"penalty.Dy", 2.5}},
     {{Q_OBJ, "Dy", NULL, ALL(12500)}}},    /* 5000·2.5 */
    /* (1 + 0.4641)^(-(t-1)·3/12) = 1, 1/1.1, 1/1.21: each cost a present value. */
    {"discount.rate", 0, {{"discount.rate", 0.4641}},
     {{X_OBJ, "C1", "NdPr", {14.5, 14.5 / 1.1, 14.5 / 1.21}},
      {X_OBJ, "C1", "Dy", {64.5, 64.5 / 1.1, 64.5 / 1.21}},
      {X_OBJ, "C2", "NdPr", {16, 16 / 1.1, 16 / 1.21}},
      {X_OBJ, "U1", "NdPr", {24, 24 / 1.1, 24 / 1.21}},
      {X_OBJ, "U1", "Dy", {84, 84 / 1.1, 84 / 1.21}},
      {S_OBJ, "NdPr", NULL, {2, 2 / 1.1, 2 / 1.21}},
      {S_OBJ, "Dy", NULL, {5, 5 / 1.1, 5 / 1.21}},
      {Q_OBJ, "NdPr", NULL, {1000, 1000 / 1.1, 1000 / 1.21}},
      {Q_OBJ, "Dy", NULL, {5000, 5000 / 1.1, 5000 / 1.21}}}},
};

/* Parameters set together: how they compose. */
static const patch_case combined[] = {
    {"price.NdPr × price.C1 multiply", 0, {{"price.NdPr", 2}, {"price.C1", 3}},
     {{X_OBJ, "C1", "NdPr", ALL(77)},      /* 10·(2·3)·1.25 + 2; adding would give 64.5 */
      {X_OBJ, "C1", "Dy", ALL(189.5)},     /* 50·3·1.25 + 2 */
      {X_OBJ, "C2", "NdPr", ALL(31)},      /* 12·2·1.25 + 1 */
      {X_OBJ, "U1", "NdPr", ALL(44)}}},    /* 20·2 + 4 */
    {"tariff on the multiplied price", 0, {{"price.NdPr", 2}, {"tariff.China", 0.5}},
     {{X_OBJ, "C1", "NdPr", ALL(32)},      /* 10·2·1.5 + 2 */
      {X_OBJ, "C1", "Dy", ALL(77)},        /* 50·1.5 + 2 */
      {X_OBJ, "C2", "NdPr", ALL(37)},      /* 12·2·1.5 + 1 */
      {X_OBJ, "U1", "NdPr", ALL(44)}}},    /* 20·2 + 4 */
    {"capacity.China × capacity.C2 multiply", 0, {{"capacity.China", 2}, {"capacity.C2", 3}},
     {{X_UB, "C1", "NdPr", {200, 200, 100}}, /* 100·2·(1, 1, 0.5) */
      {X_UB, "C1", "Dy", {40, 40, 20}},      /* 20·2·(1, 1, 0.5) */
      {X_UB, "C2", "NdPr", {240, 240, 120}}}}, /* 40·(2·3)·(1, 1, 0.5); adding: 200 */
    {"delay.U1 + delay.USA add: start 4, past the horizon", 0,
     {{"delay.U1", 1}, {"delay.USA", 1}},
     {{X_UB, "U1", "NdPr", ALL(0)}, {X_UB, "U1", "Dy", ALL(0)}}}, /* 2 + 1 + 1 > 3 */
    {"delay.U1 + delay.USA add: start 3", 0, {{"delay.U1", -1}, {"delay.USA", 2}},
     {{X_UB, "U1", "NdPr", {0, 0, 20}},      /* start 2 - 1 + 2: 60·1/3 in period 3 */
      {X_UB, "U1", "Dy", {0, 0, 10}}}},
    {"demand.NdPr with demand.growth", 0, {{"demand.NdPr", 2}, {"demand.growth", 0.1}},
     {{BAL, "NdPr", NULL, {170, 264, 363}},          /* 200 - 30, 240·1.1, 300·1.21 */
      {BAL, "Dy", NULL, {6, 13.2, 18.15}},           /* 10 - 4, 12·1.1, 15·1.21 */
      {CAP, "china_cap", "NdPr", {120, 158.4, 217.8}}, /* 0.6·200, 0.6·264, 0.6·363 */
      {CAP, "china_cap", "Dy", {6, 7.92, 10.89}},    /* 0.6·10, 0.6·13.2, 0.6·18.15 */
      {FLOOR, "us_floor", "NdPr", {20, 26.4, 36.3}}}}, /* 0.1·200, 0.1·264, 0.1·363 */
    {"availability.USA level with .from", 0,
     {{"availability.USA", 0.5}, {"availability.USA.from", 3}},
     {{X_UB, "U1", "NdPr", {0, 20, 20}},     /* 60·1/3·1, 60·2/3·0.5 */
      {X_UB, "U1", "Dy", {0, 10, 10}}}},     /* 30·1/3·1, 30·2/3·0.5 */
    {"availability.China 0 from 1: an embargo", 0,
     {{"availability.China", 0}, {"availability.China.from", 1}},
     {{X_UB, "C1", "NdPr", ALL(0)}, {X_UB, "C1", "Dy", ALL(0)},
      {X_UB, "C2", "NdPr", ALL(0)}}},
    {"cap·ramp·a: capacity.U1, delay.U1, availability.USA", 0,
     {{"capacity.U1", 1.5}, {"delay.U1", -1}, {"availability.USA", 0.5}},
     {{X_UB, "U1", "NdPr", {15, 30, 45}},    /* 60·1.5·(1/3, 2/3, 1)·0.5 */
      {X_UB, "U1", "Dy", {7.5, 15, 22.5}}}}, /* 30·1.5·(1/3, 2/3, 1)·0.5 */
    {"demand.growth, stock.initial and share together", 0,
     {{"demand.growth", 0.1}, {"stock.initial.NdPr", 50}, {"share.china_cap", 0.5}},
     {{BAL, "NdPr", NULL, {50, 132, 181.5}},         /* 100 - 50, 120·1.1, 150·1.21 */
      {BAL, "Dy", NULL, {6, 13.2, 18.15}},
      {CAP, "china_cap", "NdPr", {50, 66, 90.75}},   /* 0.5·100, 0.5·132, 0.5·181.5 */
      {CAP, "china_cap", "Dy", {5, 6.6, 9.075}},     /* 0.5·10, 0.5·13.2, 0.5·18.15 */
      {FLOOR, "us_floor", "NdPr", {10, 13.2, 18.15}}}},
    {"stock.initial and stock.capacity", 0,
     {{"stock.initial.NdPr", 0}, {"stock.capacity.NdPr", 40}},
     {{BAL, "NdPr", NULL, {100, 120, 150}}, {S_UB, "NdPr", NULL, ALL(40)}}},
    {"clamped: delay.U1 0.6 rounds to 1", 1, {{"delay.U1", 0.6}},
     {{X_UB, "U1", "NdPr", {0, 0, 20}}, {X_UB, "U1", "Dy", {0, 0, 10}}}}, /* start 3 */
    {"clamped: availability.China 1.5 to 1, .from 1.6 to 2", 1,
     {{"availability.China", 1.5}, {"availability.China.from", 1.6}},
     {{X_UB, "C1", "NdPr", ALL(100)}, {X_UB, "C1", "Dy", ALL(20)},
      {X_UB, "C2", "NdPr", ALL(40)}}},
    {"clamped: share.china_cap 1.3 to 1", 1, {{"share.china_cap", 1.3}},
     {{CAP, "china_cap", "NdPr", {100, 120, 150}}, {CAP, "china_cap", "Dy", {10, 12, 15}}}},
};

/* Every kind's base value and what its name resolves to (entity: the
 * region, material, supplier or limit named; NULL for demand.growth). */
typedef struct base_case {
    const char *name;
    sm_param_kind kind;
    const char *entity;
    double value;
} base_case;

static const base_case base_values[] = {
    {"tariff.China", SM_P_TARIFF, "China", 0.25},
    {"tariff.USA", SM_P_TARIFF, "USA", 0},
    {"availability.China", SM_P_AVAIL_LEVEL, "China", 0.5},
    {"availability.USA", SM_P_AVAIL_LEVEL, "USA", 1},
    {"availability.China.from", SM_P_AVAIL_FROM, "China", 3},
    {"availability.USA.from", SM_P_AVAIL_FROM, "USA", 1},
    {"share.china_cap", SM_P_SHARE, "china_cap", 0.6},
    {"share.us_floor", SM_P_SHARE, "us_floor", 0.1},
    {"price.NdPr", SM_P_PRICE_MATERIAL, "NdPr", 1},
    {"price.C1", SM_P_PRICE_SUPPLIER, "C1", 1},
    {"demand.Dy", SM_P_DEMAND_MATERIAL, "Dy", 1},
    {"demand.growth", SM_P_DEMAND_GROWTH, NULL, 0},
    {"capacity.USA", SM_P_CAPACITY_REGION, "USA", 1},
    {"capacity.C2", SM_P_CAPACITY_SUPPLIER, "C2", 1},
    {"delay.U1", SM_P_DELAY_SUPPLIER, "U1", 0},
    {"delay.China", SM_P_DELAY_REGION, "China", 0},
    {"stock.initial.NdPr", SM_P_STOCK_INITIAL, "NdPr", 30},
    {"stock.initial.Dy", SM_P_STOCK_INITIAL, "Dy", 4},
    {"stock.capacity.NdPr", SM_P_STOCK_CAPACITY, "NdPr", 80},
    {"stock.capacity.Dy", SM_P_STOCK_CAPACITY, "Dy", 10},
    {"tariff.China.from", SM_P_TARIFF_FROM, "China", 1},
    {"tariff.China.until", SM_P_TARIFF_UNTIL, "China", 3},
    {"availability.China.until", SM_P_AVAIL_UNTIL, "China", 3},
    {"tariff.China.NdPr", SM_P_TARIFF, "China.NdPr", 0.25},    /* China's standing rate */
    {"availability.China.Dy", SM_P_AVAIL_LEVEL, "China.Dy", 0.5}, /* China's window level */
    {"availability.China.Dy.from", SM_P_AVAIL_FROM, "China.Dy", 3}, /* China's window */
    {"availability.USA.Dy.until", SM_P_AVAIL_UNTIL, "USA.Dy", 3},
    {"penalty.Dy", SM_P_PENALTY, "Dy", 1},
    {"discount.rate", SM_P_DISCOUNT, NULL, 0},
};

/* A domain and a value clamped into it. T = 3, so delays lie in [-3, 3]
 * and availability.from in [1, 4] (4: never). */
typedef struct clamp_case {
    const char *name;
    double lo, hi;
    int integer;
    double raw, clamped;
} clamp_case;

static const clamp_case clamps[] = {
    {"delay.U1", -3, 3, 1, 7, 3},            /* out of range */
    {"delay.U1", -3, 3, 1, -4.2, -3},
    {"delay.USA", -3, 3, 1, 1.6, 2},         /* a period is whole: rounded */
    {"delay.USA", -3, 3, 1, -1.3, -1},
    {"availability.China.from", 1, 4, 1, 0, 1},
    {"availability.China.from", 1, 4, 1, 2.7, 3},
    {"availability.USA.from", 1, 4, 1, 9, 4},
    {"availability.USA", 0, 1, 0, 1.5, 1},
    {"availability.USA", 0, 1, 0, 0.35, 0.35}, /* not a period: kept */
    {"tariff.China", 0, 100, 0, -0.5, 0},
    {"tariff.USA", 0, 100, 0, 0.37, 0.37},
    {"share.us_floor", 0, 1, 0, 1.2, 1},
    {"price.NdPr", 0, 1e6, 0, -1, 0},
    {"price.C1", 0, 1e6, 0, 2.5, 2.5},
    {"demand.Dy", 0, 1e6, 0, -3, 0},
    {"demand.growth", -0.99, 10, 0, -2, -0.99},
    {"demand.growth", -0.99, 10, 0, 12, 10},
    {"capacity.China", 0, 1e6, 0, 2e6, 1e6},
    {"capacity.C2", 0, 1e6, 0, 0.75, 0.75},
    {"stock.initial.Dy", 0, 1e9, 0, -5, 0},
    {"stock.capacity.NdPr", 0, 1e9, 0, 12.5, 12.5},
    /* A window drawn to start before period 1 starts in period 1; one drawn
     * to end after the horizon ends with it; until 0 is an empty window. */
    {"tariff.China.from", 1, 4, 1, -2, 1},
    {"tariff.China.Dy.until", 0, 3, 1, 7, 3},
    {"availability.USA.NdPr.until", 0, 3, 1, -1, 0},
    {"penalty.NdPr", 0, 1e6, 0, -1, 0},
    {"discount.rate", 0, 1, 0, 1.5, 1},
};

/* Names that must not resolve, and a word of the reason. */
static const struct {
    const char *name, *why;
} bad_names[] = {
    {"tariff.Mars", "unknown region 'Mars'"},
    {"price.China", "unknown material or supplier 'China'"},
    {"availability.China.to", "unknown material or window end 'to' in 'availability.China.to' "
                              "(materials: NdPr, Dy); or .from, .until"},
    {"tariff.Mars.from", "unknown region 'Mars' in 'tariff.Mars.from' (regions: China, USA)"},
    {"tariff.China.Tb.from", "unknown material 'Tb' in 'tariff.China.Tb.from' (materials: "
                             "NdPr, Dy)"},
    {"tariff.China.Dy.to", "unknown window end 'to' in 'tariff.China.Dy.to': expected from or "
                           "until"},
    {"availability.China.Dy.from.x", "expected availability.REGION"},
    {"penalty.China", "unknown material 'China' in 'penalty.China' (materials: NdPr, Dy)"},
    {"discount.speed", "discount.rate"},
    {"stock.initial.Tb", "unknown material 'Tb'"},
    {"speed.C1", "unknown parameter kind 'speed'"},
    {"tariff", "not a parameter name"},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static sm_model *model;
static char *model_dir;
static sm_layout *layout;
static sm_inputs *inputs;
static sm_coeffs *got, *want;

static int suite_init(void)
{
    sm_status st;
    sm_diag d;
    model_dir = sm_tiny_load(model_yaml, model_suppliers, model_demand, &model, &st, &d);
    if (st != SM_OK) {
        sm_test_dump_diag(&d);
        sm_diag_clear(&d);
        return 1;
    }
    st = sm_layout_build(model, &layout, &d);
    sm_diag_clear(&d);
    if (st != SM_OK)
        return 1;
    inputs = sm_inputs_new(model);
    got = sm_coeffs_new(layout);
    want = sm_coeffs_new(layout);
    return !inputs || !got || !want;
}

static int suite_cleanup(void)
{
    sm_coeffs_free(&got);
    sm_coeffs_free(&want);
    sm_inputs_free(&inputs);
    sm_layout_free(&layout);
    sm_model_free(&model);
    sm_test_rmtree(model_dir);
    model_dir = NULL;
    return 0;
}

/* A name the fixture must hold; a typo in a table is a broken test. */
static int must(int index, const char *name)
{
    if (index < 0) {
        fprintf(stderr, "test_params fixture: no '%s'\n", name);
        abort();
    }
    return index;
}

static int offer_of(const char *supplier, const char *material)
{
    int u = must(sm_model_supplier(model, supplier), supplier);
    int mat = must(sm_model_material(model, material), material);
    for (int o = 0; o < model->n_offers; o++)
        if (model->offers[o].supplier == u && model->offers[o].material == mat)
            return o;
    return must(-1, supplier);
}

static int material_of(const char *name)
{
    return must(sm_model_material(model, name), name);
}

/* Where a column entry goes in want for period t; NULL for a row entry. */
static double *col_slot(const entry *e, int t)
{
    switch (e->kind) {
    case X_UB: return &want->col_ub[sm_col_x(layout, offer_of(e->a, e->b), t)];
    case X_OBJ: return &want->obj[sm_col_x(layout, offer_of(e->a, e->b), t)];
    case S_LB: return &want->col_lb[sm_col_s(layout, material_of(e->a), t)];
    case S_UB: return &want->col_ub[sm_col_s(layout, material_of(e->a), t)];
    case S_OBJ: return &want->obj[sm_col_s(layout, material_of(e->a), t)];
    case Q_OBJ: return &want->obj[sm_col_q(layout, material_of(e->a), t)];
    default: return NULL;
    }
}

static void put_row(int row, double lb, double ub)
{
    want->row_lb[row] = lb;
    want->row_ub[row] = ub;
}

/* Write one table entry into want. */
static void put(const entry *e)
{
    for (int t = 0; t < T; t++) {
        double v = e->v[t], *slot = col_slot(e, t);
        if (slot) {
            *slot = v;
        } else if (e->kind == BAL) {
            put_row(sm_row_bal(layout, material_of(e->a), t), v, v);
        } else {
            int k = must(sm_model_limit(model, e->a), e->a);
            int row = must(sm_row_lim(layout, k, material_of(e->b), t), e->a);
            put_row(row, e->kind == CAP ? -INF : v, e->kind == CAP ? v : INF);
        }
    }
}

/* want := the base case; every number not in the base table stays NaN
 * and is reported by compare as missing from the fixture. */
static void expect_base(void)
{
    for (int j = 0; j < want->n_cols; j++)
        want->col_lb[j] = want->col_ub[j] = want->obj[j] = NAN;
    for (int r = 0; r < want->n_rows; r++)
        want->row_lb[r] = want->row_ub[r] = NAN;
    for (int o = 0; o < model->n_offers; o++)
        for (int t = 0; t < T; t++)
            want->col_lb[sm_col_x(layout, o, t)] = 0.0;
    for (int mat = 0; mat < model->n_materials; mat++)
        for (int t = 0; t < T; t++) {
            want->col_lb[sm_col_q(layout, mat, t)] = 0.0;
            want->col_ub[sm_col_q(layout, mat, t)] = INF;
        }
    for (size_t i = 0; i < COUNT(base); i++)
        put(&base[i]);
}

static int same(double a, double b)
{
    return isinf(b) ? a == b : sm_test_close(a, b, TOL);
}

static int check_one(const char *label, const char *what, char *name, double a, double b)
{
    if (same(a, b))
        return 0;
    fprintf(stderr, "\n%s: %s %s is %.17g, expected %.17g", label, what, name, a, b);
    return 1;
}

/* Every column and row of got against want; failures name the LP entry. */
static int compare(const char *label)
{
    int bad = 0;
    char name[96];
    for (int j = 0; j < got->n_cols; j++) {
        sm_layout_col_name(model, layout, j, name, sizeof name);
        bad += check_one(label, "lower bound of", name, got->col_lb[j], want->col_lb[j]);
        bad += check_one(label, "upper bound of", name, got->col_ub[j], want->col_ub[j]);
        bad += check_one(label, "cost of", name, got->obj[j], want->obj[j]);
    }
    for (int r = 0; r < got->n_rows; r++) {
        sm_layout_row_name(model, layout, r, name, sizeof name);
        bad += check_one(label, "lower bound of", name, got->row_lb[r], want->row_lb[r]);
        bad += check_one(label, "upper bound of", name, got->row_ub[r], want->row_ub[r]);
    }
    return bad;
}

static sm_param_target resolve(const char *name)
{
    sm_param_target t = {SM_P_KIND_COUNT, -1};
    char why[200] = "";
    if (!sm_param_resolve(model, name, &t, why, sizeof why)) {
        fprintf(stderr, "\n%s: %s", name, why);
        CU_FAIL("parameter name did not resolve");
    }
    return t;
}

/* Apply the case's settings to the base inputs, compute the LP numbers
 * and compare each with the table. */
static void check_case(const patch_case *pc)
{
    sm_param_target targets[3];
    double values[3];
    int n = 0;
    for (; n < 3 && pc->set[n].name; n++) {
        targets[n] = resolve(pc->set[n].name);
        values[n] = pc->set[n].value;
        if (pc->clamp) {
            sm_param_domain dom = sm_param_domain_of(model, targets[n].kind);
            values[n] = sm_param_clamp(&dom, values[n]);
        }
    }
    sm_inputs_reset(model, inputs);
    sm_params_apply(model, targets, values, n, inputs);
    sm_coeffs_compute(model, layout, inputs, got);
    expect_base();
    for (int i = 0; i < 10 && pc->want[i].a; i++)
        put(&pc->want[i]);
    CU_ASSERT_EQUAL(compare(pc->label), 0);
}

static void test_single(void)
{
    for (size_t i = 0; i < COUNT(single); i++)
        check_case(&single[i]);
}

static void test_combined(void)
{
    for (size_t i = 0; i < COUNT(combined); i++)
        check_case(&combined[i]);
}

/* Each kind has a row among the patches, so a new kind needs one here. */
static void test_every_kind_covered(void)
{
    int seen[SM_P_KIND_COUNT] = {0};
    for (size_t i = 0; i < COUNT(single); i++)
        for (int k = 0; k < 3 && single[i].set[k].name; k++)
            seen[resolve(single[i].set[k].name).kind] = 1;
    for (int k = 0; k < SM_P_KIND_COUNT; k++) {
        if (!seen[k])
            fprintf(stderr, "\nno single-parameter row for kind %d", k);
        CU_ASSERT(seen[k]);
    }
}

static int entity_index(sm_param_kind kind, const char *entity)
{
    const char *dot = entity ? strchr(entity, '.') : NULL;
    if (dot) { /* REGION.MATERIAL: region + R·(material + 1) */
        char region[32];
        snprintf(region, sizeof region, "%.*s", (int)(dot - entity), entity);
        return must(sm_model_region(model, region), region) +
               model->n_regions * (must(sm_model_material(model, dot + 1), dot + 1) + 1);
    }
    switch (kind) {
    case SM_P_TARIFF:
    case SM_P_TARIFF_FROM:
    case SM_P_TARIFF_UNTIL:
    case SM_P_AVAIL_UNTIL:
    case SM_P_AVAIL_LEVEL:
    case SM_P_AVAIL_FROM:
    case SM_P_CAPACITY_REGION:
    case SM_P_DELAY_REGION: return must(sm_model_region(model, entity), entity);
    case SM_P_SHARE: return must(sm_model_limit(model, entity), entity);
    case SM_P_PRICE_SUPPLIER:
    case SM_P_CAPACITY_SUPPLIER:
    case SM_P_DELAY_SUPPLIER: return must(sm_model_supplier(model, entity), entity);
    case SM_P_DEMAND_GROWTH:
    case SM_P_DISCOUNT: return -1;
    default: return must(sm_model_material(model, entity), entity);
    }
}

static void test_base_values(void)
{
    for (size_t i = 0; i < COUNT(base_values); i++) {
        const base_case *bc = &base_values[i];
        sm_param_target t = resolve(bc->name);
        CU_ASSERT_EQUAL(t.kind, bc->kind);
        CU_ASSERT_EQUAL(t.index, entity_index(bc->kind, bc->entity));
        double v = sm_param_base_value(model, &t);
        if (v != bc->value)
            fprintf(stderr, "\n%s: base value %g, expected %g", bc->name, v, bc->value);
        CU_ASSERT_EQUAL(v, bc->value);
    }
}

/* Every parameter set to its base value at once: the base case again. */
static void test_base_values_apply(void)
{
    enum { N = COUNT(base_values) };
    sm_param_target targets[N];
    double values[N];
    for (int i = 0; i < N; i++) {
        targets[i] = resolve(base_values[i].name);
        values[i] = sm_param_base_value(model, &targets[i]);
    }
    sm_inputs_reset(model, inputs);
    sm_params_apply(model, targets, values, N, inputs);
    sm_coeffs_compute(model, layout, inputs, got);
    expect_base();
    CU_ASSERT_EQUAL(compare("every parameter at its base value"), 0);
}

static void test_domains_clamp(void)
{
    for (size_t i = 0; i < COUNT(clamps); i++) {
        const clamp_case *c = &clamps[i];
        sm_param_domain dom = sm_param_domain_of(model, resolve(c->name).kind);
        CU_ASSERT_EQUAL(dom.lo, c->lo);
        CU_ASSERT_EQUAL(dom.hi, c->hi);
        CU_ASSERT_EQUAL(dom.integer, c->integer);
        double v = sm_param_clamp(&dom, c->raw);
        if (v != c->clamped)
            fprintf(stderr, "\n%s: %g clamps to %g, expected %g", c->name, c->raw, v, c->clamped);
        CU_ASSERT_EQUAL(v, c->clamped);
    }
}

static void test_bad_names(void)
{
    for (size_t i = 0; i < COUNT(bad_names); i++) {
        sm_param_target t;
        char why[200] = "";
        CU_ASSERT_FALSE(sm_param_resolve(model, bad_names[i].name, &t, why, sizeof why));
        if (!strstr(why, bad_names[i].why))
            fprintf(stderr, "\n%s: '%s' lacks '%s'", bad_names[i].name, why, bad_names[i].why);
        CU_ASSERT_PTR_NOT_NULL(strstr(why, bad_names[i].why));
    }
}

/* The params model with tables.capacity_profile = profile (NULL: none);
 * *dir to remove. */
static sm_status load_with_profile(const char *profile, sm_model **m, char **dir, sm_diag *d)
{
    *dir = sm_test_tmpdir();
    char *y = sm_tiny_replace(model_yaml, "demand: demand.csv}",
                              "demand: demand.csv, capacity_profile: profile.csv}");
    free(sm_test_write(*dir, "model.yaml", y));
    free(sm_test_write(*dir, "suppliers.csv", model_suppliers));
    free(sm_test_write(*dir, "demand.csv", model_demand));
    free(sm_test_write(*dir, "profile.csv", profile));
    free(y);
    sm_diag_init(d);
    return sm_model_load(*dir, m, d);
}

/* A capacity profile replaces cap·ramp_factor; multipliers scale it, a
 * delay shifts it (0 before it starts, its last value past its end), the
 * availability applies on top. */
static void test_capacity_profile(void)
{
    static const char *const profile =
        "supplier,material,period,capacity_t,source\n"
        "U1,NdPr,1,5,announced path\nU1,NdPr,2,25,x\nU1,NdPr,3,45,x\n"
        "C1,Dy,1,8,x\nC1,Dy,2,9,x\nC1,Dy,3,10,x\n";
    sm_model *pm = NULL;
    char *dir;
    sm_diag d;
    CU_ASSERT_EQUAL_FATAL(load_with_profile(profile, &pm, &dir, &d), SM_OK);
    sm_inputs *in = sm_inputs_new(pm);
    int u1 = -1, c1 = -1;
    for (int o = 0; o < pm->n_offers; o++) {
        const char *u = pm->suppliers[pm->offers[o].supplier].name;
        if (!strcmp(u, "U1") && pm->offers[o].material == 0)
            u1 = o;
        if (!strcmp(u, "C1") && pm->offers[o].material == 1)
            c1 = o;
    }
    static const struct { const char *p; double v; double u1[T], c1[T]; } cases[] = {
        {NULL, 0, {5, 25, 45}, {8, 9, 5}},             /* C1 Dy: 10·0.5 in 3 */
        {"capacity.U1", 2, {10, 50, 90}, {8, 9, 5}},
        {"delay.U1", 1, {0, 5, 25}, {8, 9, 5}},        /* shifted one period later */
        {"delay.USA", -1, {25, 45, 45}, {8, 9, 5}},    /* the last value holds */
        {"availability.China.Dy", 0.2, {5, 25, 45}, {8, 9, 2}}, /* 10·0.2 in 3 */
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        sm_inputs_reset(pm, in);
        sm_param_target t;
        char why[200];
        if (cases[i].p) {
            CU_ASSERT_TRUE(sm_param_resolve(pm, cases[i].p, &t, why, sizeof why));
            sm_params_apply(pm, &t, &cases[i].v, 1, in);
        }
        for (int k = 0; k < T; k++) {
            double a = sm_inputs_capacity(pm, in, u1, k);
            double b = sm_inputs_capacity(pm, in, c1, k) * sm_inputs_availability(pm, in, 0, 1, k);
            if (a != cases[i].u1[k] || b != cases[i].c1[k])
                fprintf(stderr, "\n%s period %d: U1 NdPr %g (want %g), C1 Dy %g (want %g)",
                        cases[i].p ? cases[i].p : "profile", k + 1, a, cases[i].u1[k], b,
                        cases[i].c1[k]);
            CU_ASSERT_EQUAL(a, cases[i].u1[k]);
            CU_ASSERT_EQUAL(b, cases[i].c1[k]);
        }
    }
    sm_inputs_free(&in);
    sm_model_free(&pm);
    sm_diag_clear(&d);
    sm_test_rmtree(dir);
}

/* Discounting reaches the commitment fees: fee·δ[t] for the tonnes of
 * period t, in the first stage and under perfect foresight (MODEL.md "Money
 * over time"), with δ = 1, 1/1.1, 1/1.21 at 0.4641 a year in quarters. */
static void test_discounted_fees(void)
{
    char *dir = sm_test_tmpdir();
    char *y = sm_tiny_replace(model_yaml, "limits:", "discount_rate: 0.4641\nlimits:");
    static const char *const sup =
        "supplier,region,material,capacity_t_per_period,price_usd_per_t,freight_usd_per_t,"
        "start_period,ramp_periods,source,terms,fee_usd_per_t\n"
        "C1,China,NdPr,100,10,2,1,0,test,contract,3\n"
        "C1,China,Dy,20,50,2,1,0,test,,\n"
        "U1,USA,NdPr,60,20,4,2,2,test,,\n";
    free(sm_test_write(dir, "model.yaml", y));
    free(sm_test_write(dir, "suppliers.csv", sup));
    free(sm_test_write(dir, "demand.csv", model_demand));
    sm_model *pm = NULL;
    sm_diag d;
    sm_diag_init(&d);
    if (sm_model_load(dir, &pm, &d) != SM_OK)
        sm_test_dump_diag(&d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(pm);
    sm_inputs *in = sm_inputs_new(pm);
    sm_stage1 *s1 = NULL;
    CU_ASSERT_EQUAL_FATAL(sm_stage1_build(pm, in, &s1, &d), SM_OK);
    const double fees[T] = {3, 3 / 1.1, 3 / 1.21};
    CU_ASSERT_EQUAL(s1->nk, T);
    for (int j = 0; j < s1->nk && j < T; j++)
        CU_ASSERT_TRUE(sm_test_close(s1->fee[j], fees[s1->period[j]], TOL));
    sm_layout *lay = NULL;
    CU_ASSERT_EQUAL_FATAL(sm_layout_build(pm, &lay, &d), SM_OK);
    sm_coeffs *c = sm_coeffs_new(lay);
    sm_coeffs_compute(pm, lay, in, c);
    const double cost[T] = {17.5, 17.5 / 1.1, 17.5 / 1.21}; /* (10·1.25 + 2 + 3)·δ */
    for (int t = 0; t < T; t++)
        CU_ASSERT_TRUE(sm_test_close(c->obj[sm_col_x(lay, 0, t)], cost[t], TOL));
    sm_coeffs_free(&c);
    sm_layout_free(&lay);
    sm_stage1_free(&s1);
    sm_inputs_free(&in);
    sm_model_free(&pm);
    sm_diag_clear(&d);
    sm_test_rmtree(dir);
    free(y);
}

/* Bad profile rows: exit-2 errors at file:line saying what exists. */
static void test_capacity_profile_errors(void)
{
    static const struct { const char *rows; int line; const char *needle; } bad[] = {
        {"X9,NdPr,1,5\n", 2, "unknown supplier 'X9' (the suppliers table has: C1, C2, U1)"},
        {"C2,Dy,1,5\n", 2, "supplier 'C2' does not offer Dy in the suppliers table"},
        {"U1,NdPr,1,5\nU1,NdPr,1,6\n", 3, "U1 NdPr in period 1 is given twice (first at line 2)"},
        {"U1,NdPr,1,5\nU1,NdPr,2,5\n", 0, "U1 NdPr has a profile but no row for 1 of its 3"},
        {"U1,NdPr,4,5\n", 2, "period: 4 is out of range, expected 1..3"},
        {"U1,NdPr,1,-5\n", 2, "capacity_t: -5 is out of range"},
    };
    for (size_t i = 0; i < COUNT(bad); i++) {
        char text[256];
        snprintf(text, sizeof text, "supplier,material,period,capacity_t\n%s", bad[i].rows);
        sm_model *pm = NULL;
        char *dir;
        sm_diag d;
        CU_ASSERT_EQUAL(load_with_profile(text, &pm, &dir, &d), SM_EINPUT);
        if (!sm_test_find_diag(&d, "profile.csv", bad[i].line, bad[i].needle)) {
            sm_test_dump_diag(&d);
            fprintf(stderr, "expected profile.csv:%d: %s\n", bad[i].line, bad[i].needle);
            CU_FAIL("expected diagnostic not found");
        }
        sm_model_free(&pm);
        sm_diag_clear(&d);
        sm_test_rmtree(dir);
    }
}

/* sm_scope_uniform says "the same in every period" only when
 * sm_scope_value is: every window of China's tariff scope and its NdPr
 * scope, on or off, from and until each in 0..T+1 (empty, partial, whole
 * and reversed windows), each pair checked period by period; and the
 * three cases it exists for (nothing on; the region's window over the
 * horizon; the material's window over it) answer 1. */
static void test_scope_uniform(void)
{
    sm_window *w = malloc((size_t)sm_scope_slots(model) * sizeof *w);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    double rates[2] = {0.25, 0.0};
    int china = sm_model_region(model, "China"), ndpr = sm_model_material(model, "NdPr");
    sm_window *own = &w[sm_scope_slot(model, SM_SCOPE_TARIFF, china, ndpr)];
    sm_window *wide = &w[sm_scope_slot(model, SM_SCOPE_TARIFF, china, -1)];
    int n_uniform = 0, n_constant = 0;
    for (int a = 0; a < 2 * (T + 2) * (T + 2); a++)
        for (int b = 0; b < 2 * (T + 2) * (T + 2); b++) {
            memcpy(w, model->windows, (size_t)sm_scope_slots(model) * sizeof *w);
            *own = (sm_window){.level = 0.7, .on = a & 1, .from = a / 2 % (T + 2),
                               .until = a / 2 / (T + 2)};
            *wide = (sm_window){.level = 0.4, .on = b & 1, .from = b / 2 % (T + 2),
                                .until = b / 2 / (T + 2)};
            int constant = 1;
            for (int t = 2; t <= T; t++)
                constant &= sm_scope_value(model, w, rates, SM_SCOPE_TARIFF, china, ndpr, t) ==
                            sm_scope_value(model, w, rates, SM_SCOPE_TARIFF, china, ndpr, 1);
            int uniform = sm_scope_uniform(model, w, SM_SCOPE_TARIFF, china, ndpr);
            CU_ASSERT(!uniform || constant);
            n_uniform += uniform;
            n_constant += constant;
        }
    /* With three different levels a partial window always shows: exact. */
    CU_ASSERT(n_uniform > 0 && n_uniform == n_constant);
    memcpy(w, model->windows, (size_t)sm_scope_slots(model) * sizeof *w);
    *own = (sm_window){.level = 0.7, .on = 0, .from = 1, .until = T};
    *wide = (sm_window){.level = 0.4, .on = 0, .from = 1, .until = T};
    CU_ASSERT(sm_scope_uniform(model, w, SM_SCOPE_TARIFF, china, ndpr));
    wide->on = 1;
    CU_ASSERT(sm_scope_uniform(model, w, SM_SCOPE_TARIFF, china, ndpr));
    CU_ASSERT(sm_scope_uniform(model, w, SM_SCOPE_TARIFF, china, -1));
    wide->from = 2;
    CU_ASSERT(!sm_scope_uniform(model, w, SM_SCOPE_TARIFF, china, ndpr));
    own->on = 1;
    CU_ASSERT(sm_scope_uniform(model, w, SM_SCOPE_TARIFF, china, ndpr));
    CU_ASSERT(!sm_scope_uniform(model, w, SM_SCOPE_TARIFF, china, -1));
    free(w);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"each kind alone against hand-computed LP numbers", test_single},
        {"kinds combined: multipliers multiply, delays add", test_combined},
        {"every kind has a row", test_every_kind_covered},
        {"names resolve; base values", test_base_values},
        {"base values applied give the base case", test_base_values_apply},
        {"domains and clamping", test_domains_clamp},
        {"bad names say why", test_bad_names},
        {"capacity profile against hand-computed bounds", test_capacity_profile},
        {"capacity profile errors with file:line", test_capacity_profile_errors},
        {"discounted commitment fees", test_discounted_fees},
        {"a window's value is uniform only where it is", test_scope_uniform},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {{"params", suite_init, suite_cleanup, NULL, NULL, tests},
                             CU_SUITE_INFO_NULL};
    return sm_test_main(suites);
}
