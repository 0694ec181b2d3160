package main

import (
	"fmt"
	"log"
	"os"

	"github.com/spf13/cobra"

	"github.com/hwnas/hwnas/kernel"
)

func init() {
	var connFile, storeDir string
	kernelCmd := &cobra.Command{
		Use:   "kernel --connection-file FILE",
		Short: "Run the hwnas Jupyter kernel (started by Jupyter; see `hwnas kernel install`)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if connFile == "" && len(args) == 1 {
				connFile = args[0]
			}
			if connFile == "" {
				return &exitError{2, "hwnas kernel: --connection-file is required (Jupyter passes it; run `hwnas kernel install` to register the kernel)"}
			}
			lg := log.New(os.Stderr, "hwnas kernel: ", log.LstdFlags)
			if err := kernel.Serve(connFile, kernel.SessionOptions{StoreDir: storeDir}, lg); err != nil {
				return fmt.Errorf("kernel: %w", err)
			}
			return nil
		},
	}
	kernelCmd.Flags().StringVarP(&connFile, "connection-file", "f", "", "Jupyter connection file")
	kernelCmd.Flags().StringVar(&storeDir, "store", "", "result store directory (default: the engine's default)")

	var o kernel.InstallOptions
	installCmd := &cobra.Command{
		Use:   "install [--user | --prefix P]",
		Short: "Install the hwnas kernelspec for Jupyter",
		Long: `Writes kernels/hwnas/kernel.json (with this binary's absolute path) and logos.
With --prefix P: P/share/jupyter/kernels. With --user: $JUPYTER_DATA_DIR/kernels, else the
platform's user directory (~/.local/share/jupyter/kernels on Linux). Otherwise: the first
$JUPYTER_PATH entry, else /usr/local/share/jupyter/kernels.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, err := kernel.Install(o)
			if err != nil {
				return &exitError{1, "hwnas " + err.Error()}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "installed the hwnas kernelspec in %s\n", dir)
			return nil
		},
	}
	installCmd.Flags().BoolVar(&o.User, "user", false, "install for the current user")
	installCmd.Flags().StringVar(&o.Prefix, "prefix", "", "install under PREFIX/share/jupyter/kernels")
	installCmd.Flags().StringVar(&o.Binary, "binary", "", "path of the hwnas binary to record (default: this executable)")
	kernelCmd.AddCommand(installCmd)
	rootCmd.AddCommand(kernelCmd)
}
