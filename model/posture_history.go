package model

import (
	"slices"
	"strings"
)

// pointWord names a target's restore points: a disk's are images.
func pointWord(t Target) string {
	if t.Kind == KindDisk {
		return "image"
	}
	return "backup"
}

// verificationsUnknown is why a target's verifications are unknown ("" when
// they are known or it cannot be verified): with the history unreadable, a
// damaged image would count as a good one.
func verificationsUnknown(t Target, state SourceState, historyErr string) string {
	if !slices.Contains(t.Methods, MethodVerify) {
		return ""
	}
	if historyErr != "" {
		return historyErr
	}
	if state.VerificationsUnknown {
		return firstNonEmpty(state.HistoryErr, "no answer from the history database")
	}
	return ""
}

// historyError is the posture's one error of source history: the failure to
// open it, else the distinct failures met while the sources' states were
// completed from it.
func historyError(in PostureInput) (SourceError, bool) {
	var msgs []string
	at := in.Now
	if in.HistoryErr != "" {
		msgs = append(msgs, in.HistoryErr+" (running without history: no trends, forecasts or verification results)")
	}
	for _, s := range in.Sources {
		if s.HistoryErr != "" && !slices.Contains(msgs, s.HistoryErr) {
			if len(msgs) == 0 && !s.At.IsZero() {
				at = s.At
			}
			msgs = append(msgs, s.HistoryErr)
		}
	}
	if len(msgs) == 0 {
		return SourceError{}, false
	}
	return SourceError{Source: SourceHistory, Message: strings.Join(msgs, "; "), At: at}, true
}
