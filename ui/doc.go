// Package ui is the console: Bubble Tea models and rendering only. It talks
// to the backends through the Engine interface and never does I/O itself:
// engine calls run in tea.Cmds and come back as messages.
//
// The root Model (model.go) routes keys: the overlay on top of its stack
// (a dialog, the help, the error log: overlay.go), the filter, then the
// focused panel; it applies the engine's events (events.go) and puts the
// frame together from the panels' cached lines (frame.go, linecache.go).
//
// Every panel and every pane keeps one contract, soft-serve's
// common.Component (component.go): a size setter, key handling, a view, and
// short and full help, from which the footer and the ? overlay build
// themselves. The detail panel (detail.go) shows the selection in the pane
// of its kind, chosen by the model's target kind: pane_guest.go,
// pane_client.go, pane_disk.go, pane_store.go, pane_drive.go,
// pane_concern.go. The keys a target's pane offers are those its source
// lists in Target.Methods (offers.go).
package ui
