// Package dashboard serves hwnas's result store as a live web page: the
// stored experiments with their status, counts, spec hash and wall time; for
// each, its trials (sortable, filterable by status, failed trials with their
// reason), its trials plot with the Pareto front, its best value so far and
// hypervolume against trials, and the spec it ran; and for each trial its
// metrics, genome, design, network layer by layer and the FPGA model's
// per-layer report, derived again from the spec the store keeps.
//
// The store is opened read-only (store.OpenReadOnly) afresh for each request,
// so the page shows whatever any writer has committed: a CLI run, a
// notebook, or a run whose evaluations happen on NATS workers (they report
// to the run's process, which writes the store). The dashboard never takes
// the writer's lock.
//
// Pages are HTML rendered on the server with html/template, plots are the
// report package's SVG, and a little vanilla JavaScript sorts and filters
// the trials table and polls /api/stamp every few seconds, replacing the
// page's content when the store has changed. Everything is served from the
// binary (embed.FS): no CDN, no build step, nothing to install. That keeps
// the dashboard as simple to test (httptest, one headless browser test) and
// to maintain as the CLI, at the price of a full re-render per change, which
// at a store's size (thousands of trials) takes milliseconds.
//
// A server that listens beyond loopback must be given a token (Options.Token);
// every request then carries it, as a ?token= query (which sets a cookie),
// an Authorization: Bearer header or that cookie, compared in constant time.
package dashboard
