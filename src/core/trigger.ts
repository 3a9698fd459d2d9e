/** What started a run: its cron slot, catch-up of a missed slot, or a person (the CLI). */
export type Trigger = 'schedule' | 'catch-up' | 'manual';
