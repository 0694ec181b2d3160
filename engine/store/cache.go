package store

import (
	"database/sql"
	"fmt"
)

// AccuracyKey identifies one training outcome: it names everything accuracy
// depends on and nothing it does not (no platform, no design).
type AccuracyKey struct {
	Network  string // arch.Network.Key
	Dataset  string
	Fidelity string // canonical fidelity: sizes, epochs, batch, evaluator
	Seed     int64
}

// HardwareKey identifies one hardware estimate: network + platform/design +
// the version of the model that produced it (no dataset, no training).
type HardwareKey struct {
	Network  string
	Hardware string // platform or pool name plus design or optimiser options
	Model    string // fpga model version
}

// Accuracy returns the cached metrics for k and the evaluation time they
// cost, and whether there were any.
func (s *Store) Accuracy(k AccuracyKey) (map[string]float64, float64, bool, error) {
	var metrics string
	var evalS float64
	err := s.r.QueryRow(`SELECT metrics, eval_s FROM accuracy_cache WHERE network_key=? AND dataset=? AND fidelity=? AND seed=?`,
		k.Network, k.Dataset, k.Fidelity, k.Seed).Scan(&metrics, &evalS)
	if err == sql.ErrNoRows {
		return nil, 0, false, nil
	}
	if err != nil {
		return nil, 0, false, fmt.Errorf("accuracy cache %s: %w", k.Network, err)
	}
	m, err := decodeMetrics(metrics)
	if err != nil {
		return nil, 0, false, fmt.Errorf("accuracy cache %s: %w", k.Network, err)
	}
	return m, evalS, true, nil
}

// PutAccuracy caches the metrics of k.
func (s *Store) PutAccuracy(k AccuracyKey, m map[string]float64, evalS float64) error {
	js, err := EncodeMetrics(m)
	if err != nil {
		return fmt.Errorf("accuracy cache %s: %w", k.Network, err)
	}
	err = s.write(func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT OR REPLACE INTO accuracy_cache(network_key, dataset, fidelity, seed, metrics, eval_s) VALUES (?,?,?,?,?,?)`,
			k.Network, k.Dataset, k.Fidelity, k.Seed, js, evalS)
		return err
	})
	if err != nil {
		return fmt.Errorf("accuracy cache %s: %w", k.Network, err)
	}
	return nil
}

// Hardware returns the cached design and metrics for k, and whether there
// were any.
func (s *Store) Hardware(k HardwareKey) (string, map[string]float64, bool, error) {
	var design, metrics string
	err := s.r.QueryRow(`SELECT design, metrics FROM hardware_cache WHERE network_key=? AND hardware=? AND model_version=?`,
		k.Network, k.Hardware, k.Model).Scan(&design, &metrics)
	if err == sql.ErrNoRows {
		return "", nil, false, nil
	}
	if err != nil {
		return "", nil, false, fmt.Errorf("hardware cache %s: %w", k.Network, err)
	}
	m, err := decodeMetrics(metrics)
	if err != nil {
		return "", nil, false, fmt.Errorf("hardware cache %s: %w", k.Network, err)
	}
	return design, m, true, nil
}

// PutHardware caches the design and metrics of k.
func (s *Store) PutHardware(k HardwareKey, design string, m map[string]float64) error {
	js, err := EncodeMetrics(m)
	if err != nil {
		return fmt.Errorf("hardware cache %s: %w", k.Network, err)
	}
	err = s.write(func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT OR REPLACE INTO hardware_cache(network_key, hardware, model_version, design, metrics) VALUES (?,?,?,?,?)`,
			k.Network, k.Hardware, k.Model, design, js)
		return err
	})
	if err != nil {
		return fmt.Errorf("hardware cache %s: %w", k.Network, err)
	}
	return nil
}

// CacheCounts reports how many entries each cache holds.
func (s *Store) CacheCounts() (accuracy, hardware int, err error) {
	if err = s.r.QueryRow(`SELECT count(*) FROM accuracy_cache`).Scan(&accuracy); err != nil {
		return 0, 0, fmt.Errorf("accuracy cache: %w", err)
	}
	if err = s.r.QueryRow(`SELECT count(*) FROM hardware_cache`).Scan(&hardware); err != nil {
		return 0, 0, fmt.Errorf("hardware cache: %w", err)
	}
	return accuracy, hardware, nil
}
