package store

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"time"
)

// Status is how a trial ended.
type Status string

// The statuses of a finished trial.
const (
	Trained Status = "trained" // evaluated by its evaluator in this run
	Pruned  Status = "pruned"  // violated a hard constraint: never trained
	Failed  Status = "failed"  // its evaluation or hardware model failed; Error says why
	Cached  Status = "cached"  // its accuracy came from the accuracy cache
	// Untrained is a re-scored trial (hwnas run --rescore) that meets the hard
	// constraints on the new hardware but whose network was never trained at
	// this fidelity: it has hardware metrics and no accuracy, and a later run
	// of the experiment trains it.
	Untrained Status = "untrained"
	// Inherited: scored with the weights it inherits from a trained supernet.
	Inherited Status = "inherited"
	// Retrained: a supernet search's child trained from scratch afterwards.
	Retrained Status = "retrained"
)

// Valid reports whether s is one of the known statuses.
func (s Status) Valid() bool {
	return s == Trained || s == Pruned || s == Failed || s == Cached || s == Untrained || s == Inherited || s == Retrained
}

// Experiment is one stored experiment: a spec, by name, at a seed.
type Experiment struct {
	ID      int64
	Name    string
	Spec    string // the spec text the experiment came from
	Hash    string // the hash that identifies the spec (with Name and Seed, the experiment)
	Seed    int64
	Meta    string // engine data as JSON (objectives, constraints), set by SetMeta
	Created time.Time
}

// Trial is one evaluated candidate of an experiment.
type Trial struct {
	Experiment int64
	Seq        int // 0-based position in the experiment's candidate order
	Genome     []int
	NetworkKey string
	Network    string // human summary of the network
	Design     string // canonical hardware design
	Metrics    map[string]float64
	Status     Status
	HardwareS  float64 // seconds spent in the hardware model
	EvalS      float64 // seconds charged to the evaluation (training, table time)
	Error      string
	Created    time.Time
}

// EncodeMetrics renders metrics as canonical JSON, refusing values JSON
// cannot carry.
func EncodeMetrics(m map[string]float64) (string, error) {
	for k, v := range m {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return "", fmt.Errorf("metric %s = %v is not a finite number", k, v)
		}
	}
	if m == nil {
		m = map[string]float64{}
	}
	b, err := json.Marshal(m) // encoding/json sorts map keys
	if err != nil {
		return "", fmt.Errorf("metrics: %w", err)
	}
	return string(b), nil
}

func decodeMetrics(s string) (map[string]float64, error) {
	m := map[string]float64{}
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil, fmt.Errorf("stored metrics %q: %w", s, err)
	}
	return m, nil
}

const timeFormat = time.RFC3339Nano

// Experiment returns the stored experiment with this name, spec hash and
// seed, creating it (with spec as its text) when there is none.
func (s *Store) Experiment(name, spec, hash string, seed int64) (Experiment, error) {
	if name == "" {
		return Experiment{}, fmt.Errorf("experiment: empty name")
	}
	e := Experiment{Name: name, Spec: spec, Hash: hash, Seed: seed}
	err := s.write(func(tx *sql.Tx) error {
		now := time.Now().UTC().Format(timeFormat)
		if _, err := tx.Exec(`INSERT OR IGNORE INTO experiments(name, spec, hash, seed, created) VALUES (?,?,?,?,?)`,
			name, spec, hash, seed, now); err != nil {
			return err
		}
		var created string
		if err := tx.QueryRow(`SELECT id, created FROM experiments WHERE name=? AND hash=? AND seed=?`,
			name, hash, seed).Scan(&e.ID, &created); err != nil {
			return err
		}
		e.Created, _ = time.Parse(timeFormat, created)
		return nil
	})
	if err != nil {
		return Experiment{}, fmt.Errorf("experiment %s: %w", name, err)
	}
	return e, nil
}

// Experiments lists the stored runs of the experiment called name, newest
// first; with an empty name, every stored experiment.
func (s *Store) Experiments(name string) ([]Experiment, error) {
	q := `SELECT id, name, spec, hash, seed, meta, created FROM experiments`
	var args []any
	if name != "" {
		q += ` WHERE name = ?`
		args = append(args, name)
	}
	q += ` ORDER BY created DESC, id DESC`
	rows, err := s.r.Query(q, args...)
	if err != nil {
		return nil, fmt.Errorf("experiments: %w", err)
	}
	defer rows.Close()
	var out []Experiment
	for rows.Next() {
		var e Experiment
		var created string
		if err := rows.Scan(&e.ID, &e.Name, &e.Spec, &e.Hash, &e.Seed, &e.Meta, &created); err != nil {
			return nil, fmt.Errorf("experiments: %w", err)
		}
		e.Created, _ = time.Parse(timeFormat, created)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("experiments: %w", err)
	}
	return out, nil
}

// SetMeta records the engine's data about experiment id.
func (s *Store) SetMeta(id int64, meta string) error {
	err := s.write(func(tx *sql.Tx) error {
		_, err := tx.Exec(`UPDATE experiments SET meta = ? WHERE id = ?`, meta, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("experiment %d: %w", id, err)
	}
	return nil
}

// PutTrial stores t, replacing an earlier record of the same experiment and
// sequence number. It returns once the trial is durable.
func (s *Store) PutTrial(t Trial) error {
	if !t.Status.Valid() {
		return fmt.Errorf("trial %d: unknown status %q", t.Seq, t.Status)
	}
	metrics, err := EncodeMetrics(t.Metrics)
	if err != nil {
		return fmt.Errorf("trial %d: %w", t.Seq, err)
	}
	genome, _ := json.Marshal(t.Genome)
	if t.Genome == nil {
		genome = []byte("[]")
	}
	if t.Created.IsZero() {
		t.Created = time.Now()
	}
	err = s.write(func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT OR REPLACE INTO trials(experiment, seq, genome, network_key, network, design, metrics,
			status, hw_s, eval_s, error, created) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`,
			t.Experiment, t.Seq, string(genome), t.NetworkKey, t.Network, t.Design, metrics,
			string(t.Status), t.HardwareS, t.EvalS, t.Error, t.Created.UTC().Format(timeFormat))
		return err
	})
	if err != nil {
		return fmt.Errorf("storing trial %d: %w", t.Seq, err)
	}
	return nil
}

// Trials returns the stored trials of experiment id in sequence order.
func (s *Store) Trials(id int64) ([]Trial, error) {
	rows, err := s.r.Query(`SELECT seq, genome, network_key, network, design, metrics, status, hw_s, eval_s, error, created
		FROM trials WHERE experiment = ? ORDER BY seq`, id)
	if err != nil {
		return nil, fmt.Errorf("trials of experiment %d: %w", id, err)
	}
	defer rows.Close()
	var out []Trial
	for rows.Next() {
		t := Trial{Experiment: id}
		var genome, metrics, status, created string
		if err := rows.Scan(&t.Seq, &genome, &t.NetworkKey, &t.Network, &t.Design, &metrics, &status,
			&t.HardwareS, &t.EvalS, &t.Error, &created); err != nil {
			return nil, fmt.Errorf("trials of experiment %d: %w", id, err)
		}
		if err := json.Unmarshal([]byte(genome), &t.Genome); err != nil {
			return nil, fmt.Errorf("trial %d: stored genome %q: %w", t.Seq, genome, err)
		}
		if t.Metrics, err = decodeMetrics(metrics); err != nil {
			return nil, fmt.Errorf("trial %d: %w", t.Seq, err)
		}
		t.Status = Status(status)
		t.Created, _ = time.Parse(timeFormat, created)
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("trials of experiment %d: %w", id, err)
	}
	return out, nil
}
