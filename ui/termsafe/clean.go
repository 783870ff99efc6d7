package termsafe

import (
	"errors"
	"reflect"
)

// maxDepth bounds the walk; the values cleaned are trees of plain data.
const maxDepth = 32

var errorType = reflect.TypeFor[error]()

// Clean returns v with every string in it (exported fields, slices, maps,
// pointers, errors) made safe and on one line, as Line does. It is for data
// that reaches a screen whole, such as the console's postures and jobs: a
// value with nothing to clean is returned as it is, without a copy; one
// that needs cleaning is copied, so the caller's value is never changed
// (others may be reading it).
func Clean[T any](v T) T {
	rv := reflect.ValueOf(&v).Elem()
	if !dirty(rv, 0) {
		return v
	}
	out := reflect.New(rv.Type()).Elem()
	out.Set(cleanCopy(rv, 0))
	return out.Interface().(T)
}

// CleanError is err with its message made safe, or err itself when it
// needs nothing.
func CleanError(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if safe := Line(msg); safe != msg {
		return errors.New(safe)
	}
	return err
}

func lineDirty(s string) bool { return Line(s) != s }

func dirty(v reflect.Value, depth int) bool {
	if depth > maxDepth {
		return false
	}
	if v.Type() == errorType { // an error is its message
		return !v.IsNil() && lineDirty(v.Interface().(error).Error())
	}
	switch v.Kind() {
	case reflect.String:
		return lineDirty(v.String())
	case reflect.Pointer, reflect.Interface:
		return !v.IsNil() && dirty(v.Elem(), depth+1)
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			if t.Field(i).IsExported() && dirty(v.Field(i), depth+1) {
				return true
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if dirty(v.Index(i), depth+1) {
				return true
			}
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			if dirty(it.Key(), depth+1) || dirty(it.Value(), depth+1) {
				return true
			}
		}
	}
	return false
}

// cleanCopy returns a copy of v, cleaned, sharing what needs no cleaning.
func cleanCopy(v reflect.Value, depth int) reflect.Value {
	if depth > maxDepth || !dirty(v, depth) {
		return v
	}
	if v.Type() == errorType {
		out := reflect.New(errorType).Elem()
		out.Set(reflect.ValueOf(CleanError(v.Interface().(error))))
		return out
	}
	switch v.Kind() {
	case reflect.String:
		out := reflect.New(v.Type()).Elem()
		out.SetString(Line(v.String()))
		return out
	case reflect.Pointer:
		out := reflect.New(v.Type().Elem())
		out.Elem().Set(cleanCopy(v.Elem(), depth+1))
		return out
	case reflect.Interface:
		out := reflect.New(v.Type()).Elem()
		out.Set(cleanCopy(v.Elem(), depth+1))
		return out
	case reflect.Struct:
		out := reflect.New(v.Type()).Elem()
		out.Set(v) // unexported fields come along as they are
		t := v.Type()
		for i := range t.NumField() {
			if t.Field(i).IsExported() {
				out.Field(i).Set(cleanCopy(v.Field(i), depth+1))
			}
		}
		return out
	case reflect.Slice:
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			out.Index(i).Set(cleanCopy(v.Index(i), depth+1))
		}
		return out
	case reflect.Array:
		out := reflect.New(v.Type()).Elem()
		for i := range v.Len() {
			out.Index(i).Set(cleanCopy(v.Index(i), depth+1))
		}
		return out
	case reflect.Map:
		out := reflect.MakeMapWithSize(v.Type(), v.Len())
		it := v.MapRange()
		for it.Next() {
			out.SetMapIndex(cleanCopy(it.Key(), depth+1), cleanCopy(it.Value(), depth+1))
		}
		return out
	}
	return v
}
