// Package nb201 owns the NAS-Bench-201 cell search space: the cell codec
// (genome ⇄ cell string), the macro skeleton that turns a cell into an
// arch.Network, an arch.Space over the 6-edge genome, and the embedded
// benchmark table with trained accuracies and hardware costs of all 15,625
// cells (NAS-Bench-201, NATS-Bench, NAS-Landscapes, HW-NAS-Bench; MIT, the
// licence texts are embedded beside it in data/).
//
// A cell has four nodes: node 0 is the cell input and nodes 1..3 each sum
// their incoming edges; node 3 is the cell output. The six edges, in genome
// order, are 1←0, 2←0, 2←1, 3←0, 3←1, 3←2, and each carries one of five ops.
// With 5^6 = 15,625 genomes every genome has exactly one table row, and the
// table is indexed by the genome read as a base-5 number (see Code).
//
// nb201 depends on arch and the standard library only.
package nb201
