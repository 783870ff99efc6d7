// Package ui is the console: Bubble Tea models and rendering only. It talks
// to the backends through the Engine interface and never does I/O itself:
// engine calls run in tea.Cmds and come back as messages.
package ui
