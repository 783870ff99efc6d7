package smart

import (
	"fmt"
	"strings"
)

// exitWords are smartctl's exit-status bits (smartctl(8), RETURN VALUES) in
// words; bit i is exitWords[i].
var exitWords = [8]string{
	"smartctl's command line was not understood",
	"the device could not be opened, or it is in standby (-n standby)",
	"a SMART command failed",
	"the drive reports it is failing",
	"a prefail attribute is at or below its threshold now",
	"an attribute was at or below its threshold in the past",
	"the error log has entries",
	"the self-test log has errors",
}

// ExitStatusWords decodes smartctl's exit status into one phrase per bit
// set, lowest bit first; nil for 0.
func ExitStatusWords(status int) []string {
	var out []string
	for bit, w := range exitWords {
		if status&(1<<bit) != 0 {
			out = append(out, w)
		}
	}
	return out
}

// exitMessage is the reading's message for a non-zero exit status.
func exitMessage(status int) string {
	words := ExitStatusWords(status)
	if len(words) == 0 {
		return fmt.Sprintf("smartctl exit status %d", status)
	}
	return fmt.Sprintf("smartctl exit status %d: %s", status, strings.Join(words, "; "))
}
