package arch

// Decision is one categorical choice of a search space: the gene at the same
// position of a genome picks Choices[gene].
type Decision struct {
	Name    string
	Choices []string
}

// Space decodes genomes into networks. A genome holds one index per decision,
// each in [0, len(Choices)).
type Space interface {
	Name() string
	Decisions() []Decision
	Decode(genome []int) (*Network, error)
}

// Describer is a Space whose genomes have a name of their own that results
// show beside the network's summary, such as a benchmark's index and cell
// string.
type Describer interface {
	Describe(genome []int) string
}

// Cardinalities returns the number of choices of every decision of s.
func Cardinalities(s Space) []int {
	ds := s.Decisions()
	out := make([]int, len(ds))
	for i, d := range ds {
		out[i] = len(d.Choices)
	}
	return out
}
