package nodejson

import (
	"cmp"
	"reflect"
	"slices"
	"strings"
	"unicode"
)

// jsonField is a struct field as the JSON decoder sees it.
type jsonField struct {
	name   string
	tagged bool
	index  []int
	typ    reflect.Type
}

// jsonFields lists the fields the JSON decoder matches names against in struct t, by the
// rules of encoding/json (which sigs.k8s.io/json keeps): exported fields, named by their
// tag or their Go name; the fields of untagged embedded structs promoted, the shallowest
// (then the tagged) winning a name and a tie dropping it. ok is false for what this
// package leaves to the JSON decoder: a ",string" field, an embedded pointer to an
// unexported struct.
func jsonFields(t reflect.Type) (fields []jsonField, ok bool) {
	type level struct {
		typ   reflect.Type
		index []int
	}
	next := []level{{typ: t}}
	var count, nextCount map[reflect.Type]int
	visited := map[reflect.Type]bool{}
	for len(next) > 0 {
		current := next
		next = nil
		count, nextCount = nextCount, map[reflect.Type]int{}
		for _, f := range current {
			if visited[f.typ] {
				continue
			}
			visited[f.typ] = true
			for i := 0; i < f.typ.NumField(); i++ {
				sf := f.typ.Field(i)
				if sf.Anonymous {
					et := sf.Type
					if et.Kind() == reflect.Pointer {
						et = et.Elem()
						if !sf.IsExported() && et.Kind() == reflect.Struct {
							return nil, false
						}
					}
					if !sf.IsExported() && et.Kind() != reflect.Struct {
						continue
					}
				} else if !sf.IsExported() {
					continue
				}
				tag := sf.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, opts, _ := strings.Cut(tag, ",")
				if !validTag(name) {
					name = ""
				}
				if slices.Contains(strings.Split(opts, ","), "string") {
					return nil, false
				}
				index := append(slices.Clip(f.index), i)
				ft := sf.Type
				if ft.Name() == "" && ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if name != "" || !sf.Anonymous || ft.Kind() != reflect.Struct {
					jf := jsonField{name: name, tagged: name != "", index: index, typ: sf.Type}
					if jf.name == "" {
						jf.name = sf.Name
					}
					fields = append(fields, jf)
					if count[f.typ] > 1 {
						// The embedding struct appears twice at this depth: so does the
						// field, and the tie drops it.
						fields = append(fields, jf)
					}
					continue
				}
				nextCount[ft]++
				if nextCount[ft] == 1 {
					next = append(next, level{typ: ft, index: index})
				}
			}
		}
	}
	slices.SortFunc(fields, func(a, b jsonField) int {
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		if c := cmp.Compare(len(a.index), len(b.index)); c != 0 {
			return c
		}
		if a.tagged != b.tagged {
			if a.tagged {
				return -1
			}
			return 1
		}
		return slices.Compare(a.index, b.index)
	})
	out := fields[:0]
	for i := 0; i < len(fields); {
		j := i + 1
		for j < len(fields) && fields[j].name == fields[i].name {
			j++
		}
		if f, ok := dominant(fields[i:j]); ok {
			out = append(out, f)
		}
		i = j
	}
	return out, true
}

// dominant is the field that wins a name among fields sorted by depth, then tag: the
// only shallowest one, or the only tagged one among the shallowest.
func dominant(fields []jsonField) (jsonField, bool) {
	if len(fields) > 1 && len(fields[0].index) == len(fields[1].index) && fields[0].tagged == fields[1].tagged {
		return jsonField{}, false
	}
	return fields[0], true
}

// validTag reports whether a tag's name is one the JSON decoder uses (else the Go name
// is): letters, digits and punctuation other than quotes and backslashes.
func validTag(s string) bool {
	const punctuation = "!#$%&()*+-./:;<=>?@[]^_{|}~ "
	return s != "" && strings.IndexFunc(s, func(c rune) bool {
		return !unicode.IsLetter(c) && !unicode.IsDigit(c) && !strings.ContainsRune(punctuation, c)
	}) < 0
}
