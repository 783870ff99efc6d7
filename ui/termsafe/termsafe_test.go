package termsafe

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// hostile holds what the issue saw in names: an OSC that sets the title,
// a BEL, a CSI that clears the screen, an 8-bit C1 CSI, a carriage return
// that hides what came before, and a byte that is not UTF-8.
const hostile = "web\x1b]0;pwned\x07\x1b[2J\u009b31m\rx\xff"

func TestStringShowsControlsAsText(t *testing.T) {
	got := String(hostile)
	want := `web^[]0;pwned^G^[[2J\u009b31m^Mx` + "\uFFFD"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	for _, c := range got {
		if c < 0x20 || c >= 0x7f && c <= 0x9f {
			t.Errorf("control %U left in %q", c, got)
		}
	}
	if String("k3sagent01 · ✓ ok\n\tnext") != "k3sagent01 · ✓ ok\n\tnext" {
		t.Error("plain text changed")
	}
	if Line("a\nb\tc\x1b") != "a b c^[" {
		t.Errorf("Line: %q", Line("a\nb\tc\x1b"))
	}
}

func TestWriterKeepsSplitSequencesWhole(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out)
	text := "✓ ok · \u009b2J · é\n"
	b := []byte(text)
	for i := range b { // one byte a write: every sequence is split
		if n, err := w.Write(b[i : i+1]); n != 1 || err != nil {
			t.Fatalf("write %d: %d, %v", i, n, err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), `✓ ok · \u009b2J · é`+"\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestWriterKeepsJSONValid(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out)
	if err := json.NewEncoder(w).Encode(map[string]string{"name": hostile}); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(out.String(), "\x1b\x07\r\u009b") {
		t.Errorf("control left: %q", out.String())
	}
	var back map[string]string
	if err := json.Unmarshal(out.Bytes(), &back); err != nil {
		t.Fatalf("not JSON any more: %v: %s", err, out.String())
	}
	// The C1 form is a JSON escape: the value comes back whole but for
	// the byte that was not UTF-8.
	if back["name"] != strings.Replace(hostile, "\xff", "\uFFFD", 1) {
		t.Errorf("value changed: %q", back["name"])
	}
}

func FuzzString(f *testing.F) {
	for _, s := range []string{hostile, "", "plain", "\u009b", "\xe2\x9c", "a\nb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := String(s)
		for _, c := range got {
			if c < 0x20 && c != '\n' && c != '\t' || c >= 0x7f && c <= 0x9f {
				t.Fatalf("control %U left in %q (from %q)", c, got, s)
			}
		}
		if String(got) != got {
			t.Fatalf("not idempotent: %q", got)
		}
		var out bytes.Buffer
		w := NewWriter(&out)
		w.Write([]byte(s))
		w.Flush()
		if out.String() != got {
			t.Fatalf("writer %q, String %q", out.String(), got)
		}
	})
}

type inner struct {
	Name  string
	Notes []string
	Err   error
	n     int
}

type outer struct {
	Title string
	In    *inner
	Ins   []inner
	ByID  map[string]inner
	Any   any
	Plain int
}

func TestCleanCopiesOnlyWhatIsDirty(t *testing.T) {
	clean := outer{Title: "ok", In: &inner{Name: "a"}, Plain: 3}
	if got := Clean(clean); got.In != clean.In {
		t.Error("a clean value was copied")
	}
	v := outer{Title: "t\x1b[2J", In: &inner{Name: "web\x1b]0;x\x07", Notes: []string{"a\nb"}, Err: errors.New("bad \u009b2J"), n: 7},
		Ins: []inner{{Name: "x\x07"}}, ByID: map[string]inner{"k\x1b": {Name: "v\x1b"}}, Any: inner{Name: "i\x1b"}, Plain: 3}
	got := Clean(v)
	if got.Title != "t^[[2J" || got.In.Name != "web^[]0;x^G" || got.In.Notes[0] != "a b" || got.In.Err.Error() != `bad \u009b2J` ||
		got.In.n != 7 || got.Ins[0].Name != "x^G" || got.ByID["k^["].Name != "v^[" || got.Any.(inner).Name != "i^[" || got.Plain != 3 {
		t.Errorf("got %+v / %+v", got, *got.In)
	}
	if v.Title != "t\x1b[2J" || v.In.Name != "web\x1b]0;x\x07" || v.Ins[0].Name != "x\x07" {
		t.Error("the caller's value was changed")
	}
	var ev any = &inner{Name: "\x1b"}
	if Clean(ev).(*inner).Name != "^[" {
		t.Error("an interface holding a pointer")
	}
}
