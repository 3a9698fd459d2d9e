/** Start-up stops with exit code 78 (EX_CONFIG) and one line per problem, each naming its field. */
export class ConfigError extends Error {
  readonly exitCode = 78;
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}
