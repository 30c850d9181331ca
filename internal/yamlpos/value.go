package yamlpos

import (
	"errors"
	"math"

	"go.yaml.in/yaml/v3"
)

// ErrTooLarge is returned when expanding aliases would exceed the node budget.
var ErrTooLarge = errors.New("document too large once its aliases are expanded")

// ToValue converts a node into the value Kubernetes decodes from it: map[string]any,
// []any, string, int64, float64, bool or nil, with YAML 1.1 scalars, merge keys and
// aliases resolved. budget bounds the number of nodes produced (aliases expanded).
func ToValue(n *yaml.Node, budget int) (any, error) {
	return toValue(n, &budget, 0)
}

func toValue(n *yaml.Node, budget *int, depth int) (any, error) {
	n = Resolve(n)
	*budget--
	if *budget < 0 || depth > 10000 {
		return nil, ErrTooLarge
	}
	if n == nil {
		return nil, nil
	}
	switch n.Kind {
	case yaml.MappingNode:
		entries := Entries(n)
		m := make(map[string]any, len(entries))
		for _, kv := range entries {
			v, err := toValue(kv.Value, budget, depth+1)
			if err != nil {
				return nil, err
			}
			m[KeyString(kv.Key)] = v
		}
		return m, nil
	case yaml.SequenceNode:
		l := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := toValue(c, budget, depth+1)
			if err != nil {
				return nil, err
			}
			l = append(l, v)
		}
		return l, nil
	case yaml.ScalarNode:
		s := ResolveScalar(n)
		switch s.Kind {
		case Null:
			return nil, nil
		case Bool:
			return s.Bool, nil
		case Int:
			if s.Uint {
				return s.Float, nil
			}
			return s.Int, nil
		case Float:
			if s.IsIntegral() && math.Abs(s.Float) < 1<<53 {
				return int64(s.Float), nil
			}
			return s.Float, nil
		default:
			return s.Text, nil
		}
	}
	return nil, nil
}
