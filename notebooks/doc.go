// Package notebooks holds the hwnas teaching notebooks (*.ipynb) and the test
// that executes each of them top to bottom in the hwnas kernel with the real
// Jupyter client (nbclient), failing on any error output. It has no Go API.
package notebooks
