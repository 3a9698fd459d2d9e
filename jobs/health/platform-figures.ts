import type { Figure } from '../../src/job/report-sections.js';
import type { ApiResponseConfig, BookingSuccessConfig } from './platform-config.js';
import type { ApiResponseFacts, BookingSuccessFacts, PlatformFacts } from './platform-collect.js';
import { judgeAbove, judgeBelow } from './judge.js';

function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** p95 judged against its limits; p50 and p99 shown beside it; the error share with its own limits. */
export function apiResponseFigures(f: ApiResponseFacts, c: ApiResponseConfig): Figure[] {
  const p95Limit = `≤ ${c.p95MsWarn} ms (fail above ${c.p95MsFail} ms)`;
  const errLimit = `≤ ${c.errorPercentWarn} % (fail above ${c.errorPercentFail} %)`;
  const window = `${f.table}, ${f.from} to ${f.to}`;
  if (f.calls === null) {
    const reason = f.reason ?? 'not available';
    return [
      { label: 'API response time p95', value: null, unit: 'ms', threshold: p95Limit, status: 'n/a', note: reason },
      { label: 'API error share', value: null, unit: '%', threshold: errLimit, status: 'n/a', note: reason },
    ];
  }
  if (f.calls === 0 || f.p95 === null) {
    const note = f.calls === 0 ? `no calls in ${window}` : `no durations in ${window}`;
    return [
      { label: 'API response time p95', value: null, unit: 'ms', threshold: p95Limit, status: 'n/a', note },
      {
        label: 'API error share',
        value: null,
        unit: '%',
        threshold: errLimit,
        status: 'n/a',
        note: `no calls in ${window}`,
      },
    ];
  }
  const ranked = f.sampled
    ? `sampled: ${f.ranked} of ${f.calls} calls spread over the window`
    : `all ${f.ranked} calls`;
  const errorPct = round((100 * (f.errors ?? 0)) / f.calls);
  const errorsAre = [
    c.errorStatusAtLeast !== null ? `status ≥ ${c.errorStatusAtLeast}` : null,
    c.errorStatusValues.length > 0 ? `status in ${c.errorStatusValues.join(', ')}` : null,
  ]
    .filter(Boolean)
    .join(' or ');
  return [
    {
      label: 'API response time p95',
      value: f.p95,
      unit: 'ms',
      threshold: p95Limit,
      status: judgeAbove(f.p95, c.p95MsWarn, c.p95MsFail),
      note: `p50 ${f.p50} ms, p99 ${f.p99} ms (nearest rank, ${ranked}); ${window}`,
    },
    {
      label: 'API error share',
      value: errorPct,
      unit: '%',
      threshold: errLimit,
      status: judgeAbove(errorPct, c.errorPercentWarn, c.errorPercentFail),
      note: `${f.errors} of ${f.calls} calls with ${errorsAre}; ${window}`,
    },
  ];
}

/** Successes / rows in the window; lower is worse. */
export function bookingSuccessFigure(f: BookingSuccessFacts, c: BookingSuccessConfig): Figure {
  const limit = `≥ ${c.successPercentWarn} % (fail below ${c.successPercentFail} %)`;
  const label = 'Booking success rate';
  const window = `${f.table}, ${f.from} to ${f.to}`;
  if (f.rows === null)
    return { label, value: null, unit: '%', threshold: limit, status: 'n/a', note: f.reason ?? 'not available' };
  if (f.rows === 0)
    return { label, value: null, unit: '%', threshold: limit, status: 'n/a', note: `no bookings in ${window}` };
  // Floor to 2 decimals, so 99.899 % is never shown as a passing 99.9 %.
  const pct = Math.floor((10_000 * (f.successes ?? 0)) / f.rows) / 100;
  return {
    label,
    value: pct,
    unit: '%',
    threshold: limit,
    status: judgeBelow(pct, c.successPercentWarn, c.successPercentFail),
    note: `${f.successes} of ${f.rows} with ${String(c.statusColumn)} in ${c.successValues.join(', ')}; ${window}`,
  };
}

export function platformFigures(
  p: PlatformFacts | undefined,
  c: { apiResponse: ApiResponseConfig; bookingSuccess: BookingSuccessConfig },
): Figure[] {
  if (!p) return [];
  return [
    ...(p.apiResponse ? apiResponseFigures(p.apiResponse, c.apiResponse) : []),
    ...(p.bookingSuccess ? [bookingSuccessFigure(p.bookingSuccess, c.bookingSuccess)] : []),
  ];
}
