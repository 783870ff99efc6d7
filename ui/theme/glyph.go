package theme

import "github.com/backdeck/backdeck/model"

// Glyph is the symbol of a verdict: ✓ ! ✗ ?, or in ASCII two cells that
// read as what they say, "ok", "!!", "XX", "??" (a lone "+" or "x" reads as
// punctuation). The console and the CLI's text draw the same set.
func Glyph(s model.Status, ascii bool) string {
	if ascii {
		switch s {
		case model.StatusOK:
			return "ok"
		case model.StatusWarning:
			return "!!"
		case model.StatusCritical:
			return "XX"
		}
		return "??"
	}
	switch s {
	case model.StatusOK:
		return "✓"
	case model.StatusWarning:
		return "!"
	case model.StatusCritical:
		return "✗"
	}
	return "?"
}
