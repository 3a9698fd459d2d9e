import type { Figure } from '../../src/job/report-sections.js';
import type { HealthConfig } from './config.js';
import type { HealthFacts, StoredSnapshot } from './facts.js';
import type { HealthWindow } from './window.js';
import { platformFigures } from './platform-figures.js';
import { tunerFigures } from './tuner-figures.js';

/** Pure: the figures of the platform targets and the mysqltuner checks, beside the global status ones; none from a
 * snapshot taken before they existed. */
export function healthAdditionFigures(
  current: HealthFacts,
  previous: StoredSnapshot | null,
  window: HealthWindow,
  c: HealthConfig,
): Figure[] {
  return [...platformFigures(current.platform, c), ...tunerFigures(current, previous, window, c)];
}
