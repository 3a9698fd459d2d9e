import { makeScrubber } from '../log/secret-scrubber.js';
import { escapeHtml, renderHtml } from './render-html.js';
import { renderText } from './render-text.js';
import type { RenderedReport, ReportInput } from './report-input.js';
import { buildReportView } from './report-view.js';

/** JobResults → subject, text, HTML and the JSON attachment. Pure. Known secret values are scrubbed
 * from every part, as a second net behind jobs that never put them there. */
export function renderReport(input: ReportInput, secrets: readonly (string | null | undefined)[] = []): RenderedReport {
  const known = secrets.filter((v): v is string => typeof v === 'string');
  const scrub = makeScrubber([...known, ...known.map(escapeHtml)]);
  const view = buildReportView(input);
  const json = JSON.stringify(
    {
      environment: input.environment,
      period: input.period,
      kind: input.kind,
      generatedAt: input.generatedAt.toISOString(),
      runs: input.jobs.map((j) => j.outcome),
      ...(input.outages?.length ? { outages: input.outages } : {}),
    },
    null,
    2,
  );
  return {
    subject: scrub(view.subject),
    text: scrub(renderText(view)),
    html: scrub(renderHtml(view)),
    json: scrub(json),
  };
}
