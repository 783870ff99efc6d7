package model

import "sort"

// VerificationVerdict is what a restore point's checks say of it now, nil
// when nothing does.
//
// Checks of other content are ignored: a check whose Stamp differs from the
// point's stamp (both known) saw files that have changed since. Of the rest,
// taken in time order, damage stays: a check that found problems at level L
// is the verdict until a later check at level L or deeper passes, since a
// shallower check cannot see what a deeper one found (a level-2 pass reads
// no partclone CRC). Without damage outstanding the newest check is the
// verdict. checks need not be sorted; equal times keep their given order.
func VerificationVerdict(checks []Verification, stamp string) *Verification {
	valid := make([]Verification, 0, len(checks))
	for _, c := range checks {
		if c.Stamp != "" && stamp != "" && c.Stamp != stamp {
			continue
		}
		valid = append(valid, c)
	}
	if len(valid) == 0 {
		return nil
	}
	sort.SliceStable(valid, func(i, j int) bool { return valid[i].At.Before(valid[j].At) })
	var damage *Verification // the deepest damage no later check has cleared
	for i := range valid {
		c := &valid[i]
		switch {
		case !c.OK && (damage == nil || c.Level >= damage.Level):
			damage = c
		case c.OK && damage != nil && c.Level >= damage.Level:
			damage = nil
		}
	}
	v := valid[len(valid)-1]
	if damage != nil {
		v = *damage
	}
	v.Problems = append([]string(nil), v.Problems...)
	if len(v.Problems) == 0 {
		v.Problems = nil
	}
	return &v
}
