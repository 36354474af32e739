import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The daemon's Prometheus metrics, one registry per daemon (no global
 * default registry): runs by outcome, objects by kind and outcome, API calls
 * and errors by endpoint, queue depth, run durations.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly runs = new Counter({ name: 'tmlsync_runs_total', help: 'Runs by environment, loop and outcome', labelNames: ['environment', 'loop', 'outcome'], registers: [this.registry] });
  readonly objects = new Counter({ name: 'tmlsync_objects_total', help: 'Objects handled by runs, by kind and outcome', labelNames: ['environment', 'loop', 'kind', 'outcome'], registers: [this.registry] });
  readonly runDuration = new Histogram({
    name: 'tmlsync_run_duration_seconds', help: 'Run durations', labelNames: ['environment', 'loop'],
    buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900], registers: [this.registry],
  });
  readonly apiCalls = new Counter({ name: 'tmlsync_api_calls_total', help: 'ThoughtSpot API calls by endpoint and result: ok, error, or stopped (by the run, which no longer needed it)', labelNames: ['endpoint', 'result'], registers: [this.registry] });
  readonly queueDepth = new Gauge({ name: 'tmlsync_queue_depth', help: 'Requests waiting in the per-host queue', labelNames: ['host'], registers: [this.registry] });

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
