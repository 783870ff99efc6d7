// Package secret reads the secrets backdeck connects with (the PVE token
// secret, the UrBackup password) from a file or an environment variable, as
// the config names them. Its errors never contain a secret.
package secret

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// Read returns the secret described as what (e.g. "PVE token secret"; a
// leading "the " is fine):
// from the environment variable env when it is named, else from file. A file
// must be readable and writable by its owner only, since a secret anyone on
// the machine can read is no secret. Trailing whitespace (the newline an
// editor adds) is trimmed; an empty secret is an error.
func Read(what, file, env string, getenv func(string) string) (string, error) {
	what = strings.TrimPrefix(what, "the ") // the messages say "the" themselves
	switch {
	case file != "" && env != "":
		return "", fmt.Errorf("the %s comes from both a file (%s) and an environment variable (%s); keep one", what, file, env)
	case env != "":
		v := strings.TrimRight(getenv(env), " \t\r\n")
		if v == "" {
			return "", fmt.Errorf("%s is not set: export it with the %s, or name a file instead", env, what)
		}
		return v, nil
	case file == "":
		return "", fmt.Errorf("no %s configured: name a file or an environment variable", what)
	}
	fi, err := os.Stat(file)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("the %s file %s does not exist: write the %s into it, then chmod 600 %s", what, file, what, shellQuote(file))
	case err != nil:
		return "", fmt.Errorf("the %s file: %w", what, err)
	case !fi.Mode().IsRegular():
		return "", fmt.Errorf("the %s file %s is not a regular file", what, file)
	case fi.Mode().Perm()&0o066 != 0:
		return "", fmt.Errorf("the %s file %s can be read or written by its group or others (mode %04o): chmod 600 %s", what, file, fi.Mode().Perm(), shellQuote(file))
	}
	data, err := os.ReadFile(file)
	if err != nil {
		// The error of os.ReadFile names the file and the reason, not the content.
		return "", fmt.Errorf("the %s file: %w", what, err)
	}
	v := strings.TrimRight(string(data), " \t\r\n")
	switch {
	case v == "":
		return "", fmt.Errorf("the %s file %s is empty: write the %s into it", what, file, what)
	case strings.ContainsAny(v, "\r\n"):
		return "", fmt.Errorf("the %s file %s has more than one line: it must hold the %s alone", what, file, what)
	}
	return v, nil
}

// shellQuote quotes a path for the fix the operator copies into a shell.
func shellQuote(p string) string {
	if strings.Trim(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+@%=:,") == "" {
		return p
	}
	return "'" + strings.ReplaceAll(p, "'", `'\''`) + "'"
}
