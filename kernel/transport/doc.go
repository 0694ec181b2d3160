// Package transport is the wire layer of the hwnas Jupyter kernel, as in
// xeus: the connection file, the five ZeroMQ sockets of a kernel (shell,
// control and stdin ROUTERs, the IOPub PUB socket, the heartbeat REP), the
// goroutines that publish on IOPub and echo heartbeats, and the wire format
// of a message: identities, the <IDS|MSG> delimiter, the HMAC-SHA256
// signature and the header, parent header, metadata and content frames.
//
// It knows frames and messages, never what a request means: package core
// serves the requests a Server receives. The format is the one of the
// Jupyter messaging specification, version 5.3
// (https://jupyter-client.readthedocs.io/en/stable/messaging.html).
package transport
