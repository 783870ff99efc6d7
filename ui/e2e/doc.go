// Package e2e drives the built backdeck binary in tmux.
//
// Its tests build the binary once, start "backdeck --demo" in a tmux
// server of their own (a -L socket named for the test, so the operator's
// tmux is never touched), type keys with send-keys and read the screen with
// capture-pane. tmux must be installed: CI installs it with apt-get.
package e2e
