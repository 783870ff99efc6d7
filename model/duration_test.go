package model

import (
	"strings"
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"26h", 26 * time.Hour},
		{"90m", 90 * time.Minute},
		{"1h30m", 90 * time.Minute},
		{"30s", 30 * time.Second},
		{"1.5h", 90 * time.Minute},
		{"500ms", 500 * time.Millisecond},
		{"7d", 7 * 24 * time.Hour},
		{"2w", 14 * 24 * time.Hour},
		{"1d12h", 36 * time.Hour},
		{"1w2d3h4m5s", (9*24+3)*time.Hour + 4*time.Minute + 5*time.Second},
		{"1.5d", 36 * time.Hour},
		{"35d", 35 * 24 * time.Hour},
		{"0", 0},
		{"0s", 0},
		{"0d", 0},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestParseDurationErrors(t *testing.T) {
	tests := []struct {
		in      string
		wantErr string
	}{
		{"26x", `"26x" is not a duration; write e.g. "26h" or "7d"`},
		{"", `"" is not a duration; write e.g. "26h" or "7d"`},
		{"d", `"d" is not a duration`},
		{"h26", `"h26" is not a duration`},
		{"26 h", `"26 h" is not a duration`},
		{" 26h", `" 26h" is not a duration`},
		{"+26h", `"+26h" is not a duration`},
		{"1.2.3h", `"1.2.3h" is not a duration`},
		{"7dd", `"7dd" is not a duration`},
		{"26", `"26" has no unit; write e.g. "26h" or "26d"`},
		{"-5h", `"-5h" is negative`},
		{"-7d", `"-7d" is negative`},
		{"99999999w", `"99999999w" is too long`},
		{"3000000h", `"3000000h" is too long`},
		{"1.5.d", `"1.5.d" is not a duration`},
		{"2562047h2562047h", `"2562047h2562047h" is too long`},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if err == nil {
			t.Errorf("ParseDuration(%q) = %v, want an error", tt.in, got)
			continue
		}
		if !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("ParseDuration(%q) error %q, want it to contain %q", tt.in, err, tt.wantErr)
		}
	}
}

func TestDurationString(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"},
		{26 * time.Hour, "26h"},
		{7 * 24 * time.Hour, "7d"},
		{14 * 24 * time.Hour, "14d"},
		{36 * time.Hour, "36h"},
		{90 * time.Minute, "1h30m"},
		{5 * time.Minute, "5m"},
		{30 * time.Second, "30s"},
		{time.Hour + 5*time.Second, "1h0m5s"},
		{1500 * time.Millisecond, "1.5s"},
	}
	for _, tt := range tests {
		d := Duration{tt.d}
		if got := d.String(); got != tt.want {
			t.Errorf("Duration{%v}.String() = %q, want %q", tt.d, got, tt.want)
		}
		// What String writes reads back the same.
		text, err := d.MarshalText()
		if err != nil {
			t.Fatalf("MarshalText(%v): %v", tt.d, err)
		}
		var back Duration
		if err := back.UnmarshalText(text); err != nil || back != d {
			t.Errorf("UnmarshalText(%q) = %v, %v; want %v", text, back.Duration, err, tt.d)
		}
	}
	if _, err := (Duration{-time.Hour}).MarshalText(); err == nil {
		t.Error("MarshalText of a negative duration succeeded")
	}
}

func TestDurationUnmarshalTextKeepsValueOnError(t *testing.T) {
	d := Duration{time.Hour}
	if err := d.UnmarshalText([]byte("soon")); err == nil {
		t.Fatal("UnmarshalText(soon) succeeded")
	}
	if d.Duration != time.Hour {
		t.Errorf("a failed UnmarshalText changed the value to %v", d.Duration)
	}
}
