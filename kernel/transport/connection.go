package transport

import (
	"encoding/json"
	"fmt"
	"os"
)

// ConnectionInfo is the content of the connection file Jupyter hands a kernel
// (Jupyter kernel specification, "Connection files").
type ConnectionInfo struct {
	Transport       string `json:"transport"`
	IP              string `json:"ip"`
	ShellPort       int    `json:"shell_port"`
	IOPubPort       int    `json:"iopub_port"`
	StdinPort       int    `json:"stdin_port"`
	ControlPort     int    `json:"control_port"`
	HBPort          int    `json:"hb_port"`
	Key             string `json:"key"`
	SignatureScheme string `json:"signature_scheme"`
	KernelName      string `json:"kernel_name,omitempty"`
}

// LoadConnectionFile reads and validates a Jupyter connection file.
func LoadConnectionFile(path string) (ConnectionInfo, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return ConnectionInfo{}, fmt.Errorf("read connection file: %w", err)
	}
	return ParseConnection(b, path)
}

// ParseConnection decodes and validates connection-file JSON; name is used in errors.
func ParseConnection(b []byte, name string) (ConnectionInfo, error) {
	var c ConnectionInfo
	if err := json.Unmarshal(b, &c); err != nil {
		return c, fmt.Errorf("connection file %s: %w", name, err)
	}
	if c.Transport == "" {
		c.Transport = "tcp"
	}
	if c.Transport != "tcp" && c.Transport != "ipc" {
		return c, fmt.Errorf("connection file %s: transport %q: want tcp or ipc", name, c.Transport)
	}
	if c.IP == "" {
		return c, fmt.Errorf("connection file %s: no ip", name)
	}
	ports := []struct {
		name string
		p    int
	}{{"shell_port", c.ShellPort}, {"iopub_port", c.IOPubPort}, {"stdin_port", c.StdinPort}, {"control_port", c.ControlPort}, {"hb_port", c.HBPort}}
	for _, p := range ports {
		if p.p < 0 || p.p > 65535 {
			return c, fmt.Errorf("connection file %s: %s %d out of range 0..65535", name, p.name, p.p)
		}
	}
	if c.Key != "" && c.SignatureScheme != "" && c.SignatureScheme != "hmac-sha256" {
		return c, fmt.Errorf("connection file %s: signature_scheme %q: only hmac-sha256 is supported", name, c.SignatureScheme)
	}
	return c, nil
}

// Endpoint returns the ZeroMQ endpoint of a port of this connection.
func (c ConnectionInfo) Endpoint(port int) string {
	if c.Transport == "ipc" {
		return fmt.Sprintf("ipc://%s-%d", c.IP, port)
	}
	return fmt.Sprintf("tcp://%s:%d", c.IP, port)
}
