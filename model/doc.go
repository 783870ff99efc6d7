// Package model is backdeck's domain, pure: what is backed up (concerns,
// targets, restore points, snapshots), how it is done (methods, jobs and
// their progress), where backups land (stores, drives with their SMART
// readings), and the verdicts on all of it: max age, SMART health,
// verification, usage forecasts, preflight checks, gathered in one
// immutable Posture per moment. It does no I/O and imports nothing of
// backdeck; the config's schema lives here (config.go) and its loading in
// model/config. Words for humans (ages, sizes, reasons) are built here
// because the verdicts speak them; how they are drawn is the ui's.
package model
