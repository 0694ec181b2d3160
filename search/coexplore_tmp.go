package search

import "fmt"

// Temporary until coexplore.go lands.
func newCoexplore(c Config) (Strategy, error) {
	return nil, fmt.Errorf("strategy coexplore: not built yet in this revision")
}
