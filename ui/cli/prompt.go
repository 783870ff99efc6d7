package cli

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// prompter asks the operator questions, one answer a line. One prompter
// serves a whole command: its reader reads ahead, so a second one would
// lose answers typed in advance (or piped in).
type prompter struct {
	in  *bufio.Scanner
	out io.Writer
}

func newPrompter(e *Env) *prompter {
	return &prompter{in: bufio.NewScanner(e.Stdin), out: e.Stdout}
}

// yes asks a yes/no question whose default is no: only "y" or "yes" agree,
// and the end of the input is a no.
func (p *prompter) yes(question string) bool {
	fmt.Fprintf(p.out, "%s [y/N] ", question)
	answer, ok := p.line()
	if !ok {
		return false
	}
	answer = strings.ToLower(answer)
	return answer == "y" || answer == "yes"
}

// typed asks the operator to type name to confirm (Enter skips): what
// cannot be undone is confirmed by the name, not by a key pressed out of
// habit. more is false at the end of the input: nothing more will come.
func (p *prompter) typed(name, what string) (confirmed, more bool) {
	fmt.Fprintf(p.out, "type %s to %s (Enter skips): ", name, what)
	answer, ok := p.line()
	if !ok {
		return false, false
	}
	return answer == name, true
}

// line reads one answer, trimmed; at the end of the input it ends the
// prompt's line.
func (p *prompter) line() (string, bool) {
	if !p.in.Scan() {
		fmt.Fprintln(p.out)
		return "", false
	}
	return strings.TrimSpace(p.in.Text()), true
}
