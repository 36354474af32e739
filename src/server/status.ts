import type { ChecksSummary } from '../sync/deploy/checks.js';
import type { StageStatus } from '../sync/deploy/pipeline.js';

/** What the daemon shows of one environment on `/status`. */
export interface EnvironmentStatus {
  name: string;
  direction: string;
  branch: string;
  /** The REST API version the environment's runs speak, once a run has chosen it. */
  api?: 'v1' | 'v2';
  running: boolean;
  pending: boolean;
  /** A pipeline stage (`promoteFrom`): the commit it runs and how far behind its source it is (undefined until a run of it or its source read them). */
  stage?: StageStatus;
  nextRun?: string;
  lastRun?: {
    runId: string;
    loop: string;
    outcome: string;
    startedAt: string;
    durationMs: number;
    counts: Record<string, number>;
    error?: string;
    /** A sync run's objects changed on both sides, and what it did about them. */
    conflicts?: { kind: string; name: string; path: string; resolution: string }[];
    conflictsBranch?: string;
    /** A deploy's data checks: counts, and each one that failed or came back empty. */
    checks?: ChecksSummary;
  };
}
