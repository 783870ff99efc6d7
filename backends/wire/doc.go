// Package wire is backdeck's composition root: it turns a config file (or
// the built-in demo) into a ready engine. It reads the secrets, starts the
// simulated homelab for --demo, decides whether backdeck runs on the PVE
// host (smartctl, lsblk and lvs run here) or on a laptop (everything through
// the APIs), builds one source per configured tool, and chooses where the
// config's history and caches live.
//
// Every command of ui/cli calls Build once and Close when it is done; no
// other package builds sources, and nothing here is global.
package wire
