// Package setup is backdeck's first-time setup wizard: huh forms inside a
// Bubble Tea program that take an operator from nothing (or from the
// config they have) to a config.toml that works, in eight steps: where
// backdeck runs, trusting the PVE host's certificate, the API token and
// its privileges, what PVE holds, UrBackup (optional), the drives, the
// concerns and their max ages, and writing the config.
//
// Each step is a form built from the wizard's answers (steps_*.go); when
// it is submitted, the step's live check runs in a tea.Cmd (backends/probe:
// no I/O in Update) and its outcome either moves on or shows why and
// returns to the field to fix. Esc goes back a step; Ctrl+C leaves and
// writes nothing. Secrets are typed into masked fields, kept in memory
// until the last step writes each to its own 0600 file, and never shown.
// Text from servers is made safe (ui/termsafe) before it is drawn.
package setup
