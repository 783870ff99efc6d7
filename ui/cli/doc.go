// Package cli is backdeck's command line: the dashboard and the headless
// commands (status, run, clonezilla …, lab, setup), run in-process from an
// Env so that tests call them as main does.
//
// Each command is a row of one table (commands.go): its name, a one-line
// summary, its usage, its flags and the function that runs it. The list of
// commands, each command's --help and the refusal of an unknown command are
// made from that table, so a new command is one new file and one new row.
// A command builds what it needs through backends/wire, renders its result
// as text or JSON (status's report and run's progress lines live here, with
// the exit codes they give), and asks the operator through prompt.go.
//
// Everything printed passes through ui/termsafe: names, notes, task logs,
// error reasons and file names come from outside and must never act on the
// terminal.
package cli
