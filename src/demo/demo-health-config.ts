/** The demo's `jobs.health` keys: both platform targets measured in the demo schema. API response time reads
 * `api_call_logs` with its defaults; booking success counts the booking calls of the same table that answered 200/201
 * (a 409 is a slot taken meanwhile: a failed booking). */
export const DEMO_HEALTH_CONFIG = {
  apiResponse: { enabled: true },
  bookingSuccess: {
    enabled: true,
    table: 'api_call_logs',
    timeColumn: 'created_at',
    statusColumn: 'status_code',
    successValues: [200, 201],
    filterColumn: 'endpoint',
    filterValues: ['/v1/bookings'],
  },
};
