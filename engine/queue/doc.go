// Package queue runs accuracy evaluations on other processes and machines
// through a NATS JetStream work queue.
//
// It owns the wire format of evaluation requests and results, the
// engine.Evaluator that publishes requests and waits for their results
// (Evaluator), the worker loop that pulls requests and evaluates them with a
// local evaluator (Work), the client connection options (ConnOptions, with
// credentials from the environment: ConnFromEnv), an embedded JetStream
// server for local runs and tests (StartServer), and ApplyExecutor, which
// points an experiment at the executor its `executor` setting names, for
// `hwnas run` and the notebook kernel alike.
//
// Delivery is at least once. Requests and results are keyed by the accuracy
// cache key (network key, evaluator name, dataset, fidelity, seed), so a
// duplicate evaluation is harmless. A worker acknowledges a request only
// after its result is stored in the results stream; a request that is not
// acknowledged within AckWait is redelivered, up to MaxDeliver times, after
// which it comes back to the engine as a failed evaluation with its reason.
// What a request cannot carry travels through JetStream object stores: a
// supernet's trained weights (SupernetBucket, fetched once per worker) and
// the checkpoints of a fidelity schedule's rungs (CheckpointBucket).
// The engine's store stays the single source of truth: workers keep nothing.
package queue
