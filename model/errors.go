package model

import (
	"fmt"
	"strings"
)

// ChoiceError says that the operator has to choose (e.g. which storage a
// backup goes to) because the config and the server do not decide it.
type ChoiceError struct {
	What    string   // "storage"
	Choices []string // what may be chosen
	Reason  string
}

func (e *ChoiceError) Error() string {
	if len(e.Choices) == 0 {
		return fmt.Sprintf("no %s to choose from: %s", e.What, e.Reason)
	}
	return fmt.Sprintf("choose a %s (%s): %s", e.What, strings.Join(e.Choices, ", "), e.Reason)
}
