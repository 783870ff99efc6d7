package config

import (
	"reflect"
	"testing"

	"github.com/backdeck/backdeck/model"
)

// Every duration key of the config has a unit for the hint a bare number
// gets, so none falls back to the generic "26h" or "26d".
func TestDurationUnitForEveryKey(t *testing.T) {
	var keys []string
	var walk func(reflect.Type)
	walk = func(typ reflect.Type) {
		for _, f := range tomlFields(typ) {
			ft := f.typ
			for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice {
				ft = ft.Elem()
			}
			switch {
			case ft == reflect.TypeFor[model.Duration]():
				keys = append(keys, f.name)
			case ft.Kind() == reflect.Struct:
				walk(ft)
			}
		}
	}
	walk(reflect.TypeFor[model.Config]())
	want := map[string]string{"refresh": "s", "timeout": "s", "max_age": "h", "drill_max_age": "d"}
	if len(keys) != 5 { // refresh, two timeouts, max_age, drill_max_age
		t.Errorf("duration keys %q: a new one needs its unit in durationUnit", keys)
	}
	for _, k := range keys {
		if unit, ok := durationUnit(k); !ok || unit != want[k] {
			t.Errorf("durationUnit(%q) = %q, %v; want %q", k, unit, ok, want[k])
		}
	}
}
