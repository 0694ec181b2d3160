package queue

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// The streams, subjects and consumer the queue uses on the NATS server.
const (
	RequestStream  = "HWNAS_EVAL"    // work queue of evaluation requests
	ResultStream   = "HWNAS_RESULTS" // latest result per cache key
	requestSubject = "hwnas.eval.req."
	resultSubject  = "hwnas.eval.res."
	Durable        = "workers"    // the durable pull consumer every worker shares
	DeadStream     = "HWNAS_DEAD" // the server's advisories of requests delivered MaxDeliver times, unacknowledged
	// advisorySubject is where the server announces that it gave up on a
	// request of the workers' consumer.
	advisorySubject = "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES." + RequestStream + "." + Durable
)

// Config is the queue's delivery policy. The side that runs the experiment
// sets it; workers read it from the server.
type Config struct {
	AckWait    time.Duration // a request unacknowledged this long is redelivered (default 30s); workers extend it while they train
	MaxDeliver int           // deliveries before a request fails (default 3)
	Poll       time.Duration // how often a waiting evaluation also reads the results stream directly (default 2s)
	ResultAge  time.Duration // how long results stay on the server (default 24h)
}

func (c Config) withDefaults() (Config, error) {
	if c.AckWait < 0 || c.MaxDeliver < 0 || c.Poll < 0 || c.ResultAge < 0 {
		return c, fmt.Errorf("queue config: negative AckWait, MaxDeliver, Poll or ResultAge")
	}
	if c.AckWait == 0 {
		c.AckWait = 30 * time.Second
	}
	if c.MaxDeliver == 0 {
		c.MaxDeliver = 3
	}
	if c.Poll == 0 {
		c.Poll = 2 * time.Second
	}
	if c.ResultAge == 0 {
		c.ResultAge = 24 * time.Hour
	}
	return c, nil
}

// setup creates or updates the two streams and the workers' consumer.
func setup(ctx context.Context, js jetstream.JetStream, c Config) (reqs, res jetstream.Stream, err error) {
	reqs, err = js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{Name: RequestStream, Subjects: []string{requestSubject + "*"},
		Retention: jetstream.WorkQueuePolicy, Storage: jetstream.FileStorage, Duplicates: 2 * time.Minute,
		Description: "hwnas evaluation requests"})
	if err != nil {
		return nil, nil, fmt.Errorf("creating stream %s: %w", RequestStream, err)
	}
	res, err = js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{Name: ResultStream, Subjects: []string{resultSubject + "*"},
		Retention: jetstream.LimitsPolicy, Storage: jetstream.FileStorage, MaxMsgsPerSubject: 1, MaxAge: c.ResultAge,
		Duplicates: 2 * time.Minute, Description: "hwnas evaluation results by cache key"})
	if err != nil {
		return nil, nil, fmt.Errorf("creating stream %s: %w", ResultStream, err)
	}
	// Advisories are core NATS messages, lost when the engine is not
	// listening; a stream keeps them until it is.
	_, err = js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{Name: DeadStream, Subjects: []string{advisorySubject},
		Retention: jetstream.LimitsPolicy, Storage: jetstream.FileStorage, MaxAge: c.ResultAge,
		Description: "hwnas evaluation requests no worker acknowledged in MaxDeliver deliveries"})
	if err != nil {
		return nil, nil, fmt.Errorf("creating stream %s: %w", DeadStream, err)
	}
	_, err = js.CreateOrUpdateConsumer(ctx, RequestStream, jetstream.ConsumerConfig{Durable: Durable,
		AckPolicy: jetstream.AckExplicitPolicy, AckWait: c.AckWait, MaxDeliver: c.MaxDeliver,
		Description: "hwnas workers"})
	if err != nil {
		return nil, nil, fmt.Errorf("creating consumer %s on %s: %w", Durable, RequestStream, err)
	}
	return reqs, res, nil
}
