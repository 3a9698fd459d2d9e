import { describe, expect, it } from 'vitest';
import { checkExposition } from '../helpers/exposition-check.js';

const ok = `# HELP a_total Things.\n# TYPE a_total counter\na_total{x="q\\"uote\\\\ \\n"} 3\n\n# HELP h Hist.\n# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 2\nh_sum 3.5\nh_count 2\n`;

describe('the test exposition checker rejects what Prometheus would', () => {
  it('accepts a valid exposition', () => {
    expect(checkExposition(ok).problems).toEqual([]);
  });
  it.each([
    ['no final newline', ok.trimEnd(), /newline/],
    ['a raw quote in a label value', ok.replace('q\\"uote', 'q"uote'), /bad labels|not a sample/],
    ['an unknown escape', ok.replace('\\n"}', '\\t"}'), /bad labels/],
    ['a bad value', ok.replace('a_total{x="q\\"uote\\\\ \\n"} 3', 'a_total{x="y"} 3,5'), /bad value/],
    ['a bad metric name', ok.replace(/a_total/g, '1a'), /bad (metric|sample) name/],
    ['a sample before its TYPE', `a 1\n# TYPE a gauge\n`, /no TYPE\/HELP before it|after its samples/],
    ['buckets not cumulative', ok.replace('h_bucket{le="1"} 1', 'h_bucket{le="1"} 5'), /not cumulative/],
    ['+Inf bucket unlike _count', ok.replace('h_count 2', 'h_count 3'), /!= _count/],
    ['no +Inf bucket', ok.replace('h_bucket{le="+Inf"} 2\n', ''), /no le="\+Inf"/],
    ['a family split in two', `# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na 2\n`, /not together/],
  ])('%s', (_what, text, problem) => {
    expect(checkExposition(text).problems.join('\n')).toMatch(problem);
  });
});
