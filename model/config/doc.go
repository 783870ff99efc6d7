// Package config finds, reads and checks backdeck's config file (TOML)
// into a model.Config. It refuses what no real config is (not a regular
// file, over 1 MiB, nested deeper than any config needs) before decoding,
// reads in linear time, stops when its context ends, and reports every
// problem with the file, the line and the key, and what to write instead
// (typos get the nearest key, bare numbers the unit that fits). Old target
// ids load rewritten, with a warning that names the new id.
package config
