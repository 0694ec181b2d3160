// Package store owns hwnas's durable state: experiments, their trials, and
// the two evaluation caches that make every evaluation happen once.
//
// The accuracy cache is keyed by network + dataset + fidelity + seed (never
// by hardware); the hardware cache is keyed by network + platform/design +
// model version (never by training). A store is one SQLite file (pure Go,
// modernc.org/sqlite) in write-ahead-log mode inside a directory, `.hwnas/`
// by default. Every write is one short IMMEDIATE transaction through a single
// writer connection, with a busy timeout and retries, so a run killed at any
// point loses no committed trial and several processes can share one store.
// The schema carries a version and migrates forward on Open.
package store
