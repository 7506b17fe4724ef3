// Types of attack-scenario.mjs, for the TypeScript callers (the adversarial suite).

/** The slice of an ioredis client (standalone or Cluster node) the scenario uses. */
export interface ScenarioClient {
  call(command: string, ...args: string[]): Promise<unknown>;
  disconnect(): void;
}

export interface AttackScenarioOptions {
  // biome-ignore lint/suspicious/noExplicitAny: the manager factory of whichever sessionkit build runs it
  createSessionManager: (options: any) => any;
  // biome-ignore lint/suspicious/noExplicitAny: the store factory of that build
  createRedisStore: (options: { client: any; prefix?: string; timeout?: number }) => any;
  /** A new, ready connection (standalone client or Cluster). */
  connect: () => Promise<ScenarioClient>;
  /** One client per Redis node, for SLOWLOG (the same client for standalone). */
  slowlogNodes: () => Promise<ScenarioClient[]>;
  attackerSessions: number;
  /** @default 10 */
  victims?: number;
  /** Length of the baseline and of the attack phase, in ms. */
  phaseMs: number;
  prefix?: string;
  log?: (line: string) => void;
  /** A window (ms) after the attack phase, attacker still running, in which every command is logged. Default 0: none. */
  sampleMs?: number;
  /**
   * Runs the attacker's loops elsewhere (another thread or process); resolves to
   * a function that stops them and reports what they did. Default: in process.
   */
  startAttacker?: (setup: {
    prefix: string;
    attackerSessions: number;
  }) => Promise<() => Promise<AttackScenarioResult['attacker']>>;
}

export interface VictimStats {
  n: number;
  p50: number;
  p99: number;
  max: number;
  storeErrors: number;
  otherErrors: number;
  /** Validations that answered null (the session was signed out). */
  invalid: number;
  /** p99 event-loop delay of the victims' process, ms. */
  loopLagP99: number;
}

/** From SLOWLOG with every command logged: the longest one and the distribution (ms). */
export interface SlowestCommands {
  micros: number;
  command: string;
  commands: { n: number; p50: number; p99: number; p999: number; max: number; over10ms: number };
  /** The same by kind of command (`create`, `page of active`, `revokeAll batch`, `get`…), with their total. */
  byKind: Record<string, { n: number; p50: number; p99: number; max: number; totalMs: number }>;
}

export interface AttackScenarioResult {
  baseline: VictimStats;
  attack: VictimStats;
  baselineSlowest: SlowestCommands;
  attackSlowest: SlowestCommands;
  /**
   * With `sampleMs`: every command in a window after the measured attack phase
   * (the attacker still running); `wait` is
   * Redis's busy share and the p99 wait of a command arriving at a random instant.
   */
  sample: (SlowestCommands & { wallMs: number; wait: { busy: number; p99: number } }) | null;
  attacker: {
    listPages: number;
    histories: number;
    revokeAlls: number;
    revoked: number;
    /** Sessions signed back in after each revokeAll. */
    signedIn: number;
    attackerErrors: number;
    errorMessages: string[];
  };
}

export function startAttackerLoops(
  // biome-ignore lint/suspicious/noExplicitAny: managers of whichever build runs it
  managers: [any, any, any],
  attackerSessions: number,
): () => Promise<AttackScenarioResult['attacker']>;

export function runAttackScenario(options: AttackScenarioOptions): Promise<AttackScenarioResult>;
